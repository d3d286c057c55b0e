/**
 * Evaluates the matcher against a set of real-world phrasings (`flows/tests/faq-eval.yaml`) and backs the
 * `plausch faq eval <file>` command: a table per question, the accuracy, and a failing exit code when the
 * accuracy drops below the set's `min_accuracy`.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseYamlWith, positionOf, SourceError, type SourceProblem } from '../../yaml/validated-yaml.js';
import { loadKnowledgeBase } from './kb-loader.js';
import { ENTRY_ID, type KnowledgeBase } from './kb-schema.js';
import { buildMatcher, type FaqMatcher, type MatchDecision } from './matcher.js';

/** `expect: none` marks a question the knowledge base must not answer. */
export const NO_ENTRY = 'none';

export const evalSetSchema = z.strictObject({
  min_accuracy: z.number().min(0).max(1).default(0.9),
  /** Most answerable-or-not questions may get a wrong entry: a confident wrong answer is worse than none. */
  max_confident_wrong: z.number().min(0).max(1).default(0.03),
  /** Share of out-of-scope questions that must be declined. */
  min_out_of_scope_declined: z.number().min(0).max(1).default(0.9),
  items: z
    .array(
      z.strictObject({
        q: z.string().trim().min(1, 'a question must not be empty'),
        expect: z.string().regex(ENTRY_ID, 'expect is an entry id or none'),
        locale: z.string().optional(),
      }),
    )
    .min(1, 'an evaluation set needs at least one item'),
});
export type EvalSet = z.infer<typeof evalSetSchema>;

export interface EvalItemResult {
  question: string;
  /** The language the item is in: its `locale`, else German. */
  language: string;
  expected: string;
  /** The best entry when the matcher would answer or clarify, else `none`. */
  predicted: string;
  score: number;
  decision: MatchDecision;
  correct: boolean;
  /** The expected entry is among the candidates (what a clarify question could still rescue). */
  inTopCandidates: boolean;
}

export interface EvalReport {
  /** Share of items whose top-1 prediction is right (`none` counts as a prediction). */
  accuracy: number;
  /** Share of items answered right without asking back. */
  directAccuracy: number;
  /** Share of in-scope items whose entry is among the candidates. */
  topCandidatesRecall: number;
  /** Share of out-of-scope items the matcher declined. */
  outOfScopeRejection: number;
  /** Share of in-scope items declined although the knowledge base answers them. */
  falseRefusals: number;
  /** Share of all items answered (not asked back) with a wrong entry. */
  confidentWrong: number;
  /** Share of all items the matcher asked back on. */
  clarifyRate: number;
  /** Top-1 accuracy per language (in-scope and out-of-scope items of that language). */
  byLanguage: Record<string, { accuracy: number; items: number }>;
  items: EvalItemResult[];
  table: string;
}

export function evaluateMatcher(
  kb: KnowledgeBase,
  evalSet: EvalSet,
  matcher: FaqMatcher = buildMatcher(kb),
): EvalReport {
  const known = new Set(kb.entries.map((entry) => entry.id));
  const items = evalSet.items.map((item): EvalItemResult => {
    if (item.expect !== NO_ENTRY && !known.has(item.expect)) {
      throw new Error(`eval item "${item.q}" expects unknown entry "${item.expect}"`);
    }
    const locale = item.locale ?? 'de';
    const result = matcher.match(item.q, { locale });
    const predicted = result.decision === 'none' || !result.best ? NO_ENTRY : result.best.entryId;
    return {
      question: item.q,
      language: locale.split('-')[0] ?? locale,
      expected: item.expect,
      predicted,
      score: result.best?.score ?? 0,
      decision: result.decision,
      correct: predicted === item.expect,
      inTopCandidates: result.candidates.some((candidate) => candidate.entryId === item.expect),
    };
  });
  const inScope = items.filter((item) => item.expected !== NO_ENTRY);
  const outOfScope = items.filter((item) => item.expected === NO_ENTRY);
  const share = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);
  return {
    accuracy: share(items.filter((item) => item.correct).length, items.length),
    directAccuracy: share(
      items.filter((item) => item.correct && item.decision !== 'clarify').length,
      items.length,
    ),
    topCandidatesRecall: share(inScope.filter((item) => item.inTopCandidates).length, inScope.length),
    outOfScopeRejection: share(outOfScope.filter((item) => item.correct).length, outOfScope.length),
    falseRefusals:
      inScope.length === 0
        ? 0
        : inScope.filter((item) => item.predicted === NO_ENTRY).length / inScope.length,
    confidentWrong:
      items.filter((item) => item.decision === 'answer' && item.predicted !== item.expected).length /
      items.length,
    clarifyRate: items.filter((item) => item.decision === 'clarify').length / items.length,
    byLanguage: Object.fromEntries(
      [...new Set(items.map((item) => item.language))].sort().map((language) => {
        const ofLanguage = items.filter((item) => item.language === language);
        return [
          language,
          {
            accuracy: ofLanguage.filter((item) => item.correct).length / ofLanguage.length,
            items: ofLanguage.length,
          },
        ];
      }),
    ),
    items,
    table: formatTable(items),
  };
}

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** One line per item; failures are marked so they stand out when scrolling. */
export function formatTable(items: readonly EvalItemResult[]): string {
  const header = `${cell('', 4)} ${cell('expected', 20)} ${cell('predicted', 20)} ${cell('score', 6)} ${cell('decision', 8)} question`;
  const lines = items.map((item) => {
    const mark = item.correct ? 'ok' : 'FAIL';
    const score = item.score.toFixed(3);
    return `${cell(mark, 4)} ${cell(item.expected, 20)} ${cell(item.predicted, 20)} ${cell(score, 6)} ${cell(item.decision, 8)} ${cell(item.question, 70)}`;
  });
  return [header, '-'.repeat(header.length + 60), ...lines].join('\n');
}

/** Reads and validates an evaluation set, checking its expectations against the knowledge base if given. */
export async function loadEvalSet(file: string, kb?: KnowledgeBase): Promise<EvalSet> {
  const parsed = parseYamlWith(evalSetSchema, await readFile(file, 'utf8'), file);
  if (!parsed.ok) throw new SourceError(parsed.problems);
  if (kb) {
    const known = new Set(kb.entries.map((entry) => entry.id));
    const problems: SourceProblem[] = [];
    parsed.value.items.forEach((item, index) => {
      if (item.expect === NO_ENTRY || known.has(item.expect)) return;
      const where = positionOf(parsed.source, ['items', index, 'expect']);
      problems.push({
        ...where,
        message: `items.${index}.expect: no entry "${item.expect}" in the knowledge base`,
      });
    });
    if (problems.length > 0) throw new SourceError(problems);
  }
  return parsed.value;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * `plausch faq eval <file>`: prints the table and the figures; exit code 0 when the accuracy reaches the
 * set's `min_accuracy`, 1 when it does not, 2 when a file cannot be loaded.
 */
export async function runFaqEvalCommand(
  evalFile: string,
  kbDir: string,
  out: (line: string) => void,
): Promise<number> {
  let kb: KnowledgeBase;
  let evalSet: EvalSet;
  try {
    kb = await loadKnowledgeBase(kbDir);
    evalSet = await loadEvalSet(evalFile, kb);
  } catch (error) {
    out(error instanceof Error ? error.message : String(error));
    return 2;
  }

  const report = evaluateMatcher(kb, evalSet);
  for (const line of report.table.split('\n')) out(line);
  const correct = report.items.filter((item) => item.correct).length;
  out('');
  out(`top-1 accuracy:          ${percent(report.accuracy)} (${correct}/${report.items.length})`);
  out(`answered without asking: ${percent(report.directAccuracy)}`);
  out(`entry among candidates:  ${percent(report.topCandidatesRecall)} of in-scope questions`);
  for (const [language, figures] of Object.entries(report.byLanguage))
    out(`top-1 ${language.padEnd(18)} ${percent(figures.accuracy)} (${figures.items} questions)`);
  out(`out-of-scope declined:   ${percent(report.outOfScopeRejection)}`);
  out(`false refusals:          ${percent(report.falseRefusals)} of in-scope questions`);
  out(`confident wrong answers: ${percent(report.confidentWrong)}`);
  out(`clarify rate:            ${percent(report.clarifyRate)}`);
  const failures = [
    report.accuracy < evalSet.min_accuracy ? `accuracy below ${percent(evalSet.min_accuracy)}` : '',
    report.confidentWrong > evalSet.max_confident_wrong
      ? `confident wrong answers above ${percent(evalSet.max_confident_wrong)}`
      : '',
    report.outOfScopeRejection < evalSet.min_out_of_scope_declined
      ? `out-of-scope declined below ${percent(evalSet.min_out_of_scope_declined)}`
      : '',
  ].filter(Boolean);
  out(
    failures.length === 0
      ? `PASS: accuracy ≥ ${percent(evalSet.min_accuracy)}, confident wrong ≤ ${percent(evalSet.max_confident_wrong)}, out-of-scope declined ≥ ${percent(evalSet.min_out_of_scope_declined)}`
      : `FAIL: ${failures.join('; ')}`,
  );
  return failures.length === 0 ? 0 : 1;
}
