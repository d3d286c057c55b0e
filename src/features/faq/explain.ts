/**
 * `plausch faq explain "<question>" [--locale en]`: what the matcher made of a question — the language it
 * read, each word's stem, compound parts and the synonyms/translations it used — and the candidates with
 * lexical score, classifier probability, combined score and which evidence decided.
 */
import { loadKnowledgeBase } from './kb-loader.js';
import { buildMatcher, type Explanation } from './matcher.js';

export function formatExplanation(question: string, explanation: Explanation): string[] {
  const { analysis, result } = explanation;
  const lines = [
    `question:  ${question}`,
    `language:  ${analysis.language.language} (decided by ${analysis.language.decidedBy}; de ${analysis.language.scores.de.toFixed(2)}, en ${analysis.language.scores.en.toFixed(2)})`,
    ...(analysis.countries.length > 0 ? [`countries: ${analysis.countries.join(', ')}`] : []),
    'words:',
  ];
  for (const word of analysis.words) {
    const parts = word.parts ? ` parts ${word.parts.join('+')}` : '';
    const repair = word.repairedTo ? ` typo of ${word.repairedTo}` : '';
    const terms = word.terms.map((term) => `${term.term} ${term.weight.toFixed(2)} (${term.via})`).join(', ');
    lines.push(
      `  ${word.word} → stem ${word.stem}${parts}${repair}: ${word.unknown ? 'UNKNOWN' : ''}${terms}`,
    );
  }
  lines.push(`"none of our topics" probability: ${explanation.noneProbability.toFixed(3)}`);
  lines.push('candidates:  entry                 lexical  classifier  combined  decided by');
  for (const candidate of explanation.candidates) {
    lines.push(
      `             ${candidate.entryId.padEnd(21)} ${candidate.lexical.toFixed(3).padStart(7)}  ${candidate.probability.toFixed(3).padStart(10)}  ${candidate.combined.toFixed(3).padStart(8)}  ${candidate.decidedBy}`,
    );
  }
  lines.push(
    `decision:  ${result.decision}${result.best ? ` (${result.best.entryId}, ${result.best.score.toFixed(3)})` : ''}`,
  );
  return lines;
}

export async function runFaqExplainCommand(
  question: string,
  kbDir: string,
  locale: string,
  out: (line: string) => void,
): Promise<number> {
  try {
    const matcher = buildMatcher(await loadKnowledgeBase(kbDir));
    for (const line of formatExplanation(question, matcher.explain(question, { locale }))) out(line);
    return 0;
  } catch (error) {
    out(error instanceof Error ? error.message : String(error));
    return 2;
  }
}
