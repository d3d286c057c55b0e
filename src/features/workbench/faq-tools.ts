/**
 * The knowledge-base helpers of the workbench: add an unanswered question as a paraphrase to an entry
 * (editing the YAML document, so comments and layout stay as the marketer wrote them), and run
 * `plausch faq eval` on the development set from the page.
 */
import { join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { runFaqEvalCommand } from '../faq/evaluate.js';

export class ParaphraseError extends Error {
  readonly status = 400;
}

/** The file's text with `question` added to the entry's questions in `locale`. */
export function addParaphrase(text: string, entryId: string, locale: string, question: string): string {
  const trimmed = question.trim();
  if (!trimmed) throw new ParaphraseError('the question is empty');
  const document = parseDocument(text);
  if (document.errors.length > 0)
    throw new ParaphraseError('the knowledge-base file has syntax errors; fix them first');
  const entries = document.get('entries', true);
  if (!isSeq(entries)) throw new ParaphraseError('the file has no entries');
  const entry = entries.items.find((item) => isMap(item) && item.get('id') === entryId);
  if (!isMap(entry)) throw new ParaphraseError(`there is no entry "${entryId}" in this file`);
  const questions = entry.get('questions', true);
  if (!isMap(questions)) throw new ParaphraseError(`entry "${entryId}" has no questions block`);
  const list = questions.get(locale, true);
  if (isSeq(list)) {
    if (list.items.some((item) => String((item as { value?: unknown }).value ?? item) === trimmed))
      throw new ParaphraseError('the entry already has this question');
    list.add(document.createNode(trimmed));
  } else questions.set(locale, document.createNode([trimmed]));
  return document.toString({ lineWidth: 0 });
}

/** `plausch faq eval` on flows/tests/faq-eval.yaml: the printed table and figures, and whether it passed. */
export async function runFaqEval(
  flowsDir: string,
): Promise<{ passed: boolean; exitCode: number; output: string[] }> {
  const output: string[] = [];
  const exitCode = await runFaqEvalCommand(
    join(flowsDir, 'tests', 'faq-eval.yaml'),
    join(flowsDir, 'faq'),
    (line) => output.push(line),
  );
  return { passed: exitCode === 0, exitCode, output };
}
