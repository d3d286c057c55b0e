/**
 * Benchmark of the service-questions matcher: build time and matches per second over the evaluation set,
 * against a naive exact-token-overlap matcher measured in the same run. `npx tsx bench/faq-match.ts`
 */
import { performance } from 'node:perf_hooks';
import { loadEvalSet } from '../src/features/faq/evaluate.js';
import { loadKnowledgeBase } from '../src/features/faq/kb-loader.js';
import type { KnowledgeBase } from '../src/features/faq/kb-schema.js';
import { buildMatcher } from '../src/features/faq/matcher.js';

interface Contender {
  name: string;
  build(kb: KnowledgeBase): (text: string) => string;
}

/** The baseline: lowercase words, best Jaccard overlap with any paraphrase; no folding, stemming or typos. */
function naiveTokens(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );
}

const naive: Contender = {
  name: 'naive token overlap',
  build(kb) {
    const paraphrases = kb.entries.flatMap((entry) =>
      Object.values(entry.questions)
        .flat()
        .map((question) => ({ id: entry.id, tokens: naiveTokens(question) })),
    );
    return (text) => {
      const question = naiveTokens(text);
      let best = { id: 'none', score: 0 };
      for (const paraphrase of paraphrases) {
        let shared = 0;
        for (const token of question) if (paraphrase.tokens.has(token)) shared++;
        const score = shared / (question.size + paraphrase.tokens.size - shared || 1);
        if (score > best.score) best = { id: paraphrase.id, score };
      }
      return best.score >= 0.2 ? best.id : 'none';
    };
  },
};

const plausch: Contender = {
  name: 'plausch matcher',
  build(kb) {
    const matcher = buildMatcher(kb);
    return (text) => {
      const result = matcher.match(text);
      return result.decision === 'none' || !result.best ? 'none' : result.best.entryId;
    };
  },
};

const kb = await loadKnowledgeBase('flows/faq');
const evalSet = await loadEvalSet('flows/tests/faq-eval.yaml', kb);
const questions = evalSet.items.map((item) => item.q);
const BUILDS = 20;
const ROUNDS = 50;

interface Row {
  name: string;
  buildMs: number;
  matchesPerSecond: number;
  accuracy: number;
}

function measure(contender: Contender): Row {
  let match = contender.build(kb); // warm-up
  const buildStart = performance.now();
  for (let i = 0; i < BUILDS; i++) match = contender.build(kb);
  const buildMs = (performance.now() - buildStart) / BUILDS;
  for (const question of questions) match(question); // warm-up
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) for (const question of questions) match(question);
  const seconds = (performance.now() - start) / 1000;
  const correct = evalSet.items.filter((item) => match(item.q) === item.expect).length;
  return {
    name: contender.name,
    buildMs,
    matchesPerSecond: (ROUNDS * questions.length) / seconds,
    accuracy: correct / evalSet.items.length,
  };
}

const [baseline, ours] = [measure(naive), measure(plausch)] as [Row, Row];
const pad = (text: string, width: number) => text.padEnd(width);
console.log(
  `knowledge base: ${kb.entries.length} entries; eval set: ${questions.length} questions × ${ROUNDS} rounds`,
);
console.log(`${pad('matcher', 22)} ${pad('build ms', 10)} ${pad('matches/s', 12)} ${pad('accuracy', 9)}`);
for (const row of [baseline, ours]) {
  console.log(
    `${pad(row.name, 22)} ${pad(row.buildMs.toFixed(2), 10)} ${pad(Math.round(row.matchesPerSecond).toString(), 12)} ${pad(`${(row.accuracy * 100).toFixed(1)}%`, 9)}`,
  );
}
console.log(
  `ratio (plausch / naive): build ×${(ours.buildMs / baseline.buildMs).toFixed(1)}, ` +
    `throughput ×${(ours.matchesPerSecond / baseline.matchesPerSecond).toFixed(2)}, ` +
    `accuracy ${((ours.accuracy - baseline.accuracy) * 100).toFixed(1)} points higher`,
);
