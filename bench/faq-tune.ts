/**
 * Development-set harness for the FAQ matcher: one summary line per development set, for trying tuning
 * values quickly. Never point it at a held-out set (flows/tests/faq-holdout-2.yaml): that set is run once,
 * with `plausch faq eval`, after tuning is done.
 *   npx tsx bench/faq-tune.ts ['{"lexicalShare":0.4}'] [kbDir]
 */
import { evaluateMatcher, loadEvalSet } from '../src/features/faq/evaluate.js';
import { loadKnowledgeBase } from '../src/features/faq/kb-loader.js';
import { buildMatcher, type MatcherTuning } from '../src/features/faq/matcher.js';

const DEVELOPMENT_SETS = [
  'flows/tests/faq-eval.yaml',
  'flows/tests/faq-holdout.yaml',
  'test/features/faq/fixtures/dev-set.yaml',
];
const [tuningJson = '{}', kbDir = 'flows/faq'] = process.argv.slice(2);
const tuning = JSON.parse(tuningJson) as Partial<MatcherTuning> & { threshold?: number; margin?: number };
const kb = await loadKnowledgeBase(kbDir);
const started = performance.now();
const matcher = buildMatcher(
  kb,
  {
    ...(tuning.threshold !== undefined && { threshold: tuning.threshold }),
    ...(tuning.margin !== undefined && { ambiguityMargin: tuning.margin }),
  },
  tuning,
);
const buildMs = performance.now() - started;
const pct = (x: number) => `${(x * 100).toFixed(1)}`.padStart(5);
let total = 0;
let correct = 0;
console.log(`build ${buildMs.toFixed(0)} ms`);
console.log('set                     n   top1    de    en   oos  fref  cwrong clar');
for (const file of DEVELOPMENT_SETS) {
  const report = evaluateMatcher(kb, await loadEvalSet(file, kb), matcher);
  total += report.items.length;
  correct += report.items.filter((item) => item.correct).length;
  if (process.env.SHOW_FAILURES)
    for (const item of report.items.filter((i) => !i.correct))
      console.log(
        `   ${item.expected.padEnd(20)} ${item.predicted.padEnd(20)} ${item.score.toFixed(2)} ${item.question}`,
      );
  console.log(
    `${file.split('/').pop()!.padEnd(22)} ${String(report.items.length).padStart(3)} ${pct(report.accuracy)} ${pct(report.byLanguage.de?.accuracy ?? 0)} ${pct(report.byLanguage.en?.accuracy ?? 0)} ${pct(report.outOfScopeRejection)} ${pct(report.falseRefusals)} ${pct(report.confidentWrong)} ${pct(report.clarifyRate)}`,
  );
}
console.log(`all                    ${String(total).padStart(3)} ${pct(correct / total)}`);
