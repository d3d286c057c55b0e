/**
 * Benchmark of the service-questions matcher: build time and time per question (mean, p99) on the real knowledge
 * base and on a 500-entry one made from it,
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

const realKb = await loadKnowledgeBase('flows/faq');
const evalSet = await loadEvalSet('flows/tests/faq-eval.yaml', realKb);
const questions = evalSet.items.map((item) => item.q);
const ROUNDS = 20;

/**
 * A knowledge base of `size` entries made from the real one: each copy of an entry gets its own id and a
 * product word of its own in every paraphrase, so copies are distinct entries the matcher must tell apart
 * (postings, vocabulary and classifier grow as they would with a real catalogue of questions).
 */
function scaledKnowledgeBase(size: number): KnowledgeBase {
  const copies = Math.ceil(size / realKb.entries.length);
  const entries = Array.from({ length: copies }, (_, copy) =>
    realKb.entries.map((entry) =>
      copy === 0
        ? entry
        : {
            ...entry,
            id: `${entry.id}-${copy}`,
            questions: Object.fromEntries(
              Object.entries(entry.questions).map(([locale, list]) => [
                locale,
                list.map((question) => `${question} sorte${String.fromCharCode(97 + (copy % 26))}${copy}`),
              ]),
            ),
          },
    ),
  )
    .flat()
    .slice(0, size);
  return { ...realKb, entries, sources: new Map(entries.map((entry) => [entry.id, 'synthetic'])) };
}

interface Row {
  name: string;
  entries: number;
  buildMs: number;
  meanMs: number;
  p99Ms: number;
  accuracy: number;
}

function measure(contender: Contender, kb: KnowledgeBase): Row {
  const buildStart = performance.now();
  const match = contender.build(kb);
  const buildMs = performance.now() - buildStart;
  for (const question of questions) match(question); // warm-up
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++)
    for (const question of questions) {
      const start = performance.now();
      match(question);
      times.push(performance.now() - start);
    }
  times.sort((a, b) => a - b);
  const correct = evalSet.items.filter((item) => match(item.q) === item.expect).length;
  return {
    name: contender.name,
    entries: kb.entries.length,
    buildMs,
    meanMs: times.reduce((sum, time) => sum + time, 0) / times.length,
    p99Ms: times[Math.floor(times.length * 0.99)]!,
    accuracy: correct / evalSet.items.length,
  };
}

const rows: Row[] = [];
for (const size of [realKb.entries.length, 500]) {
  const kb = size === realKb.entries.length ? realKb : scaledKnowledgeBase(size);
  rows.push(measure(naive, kb), measure(plausch, kb));
}
const pad = (text: string, width: number) => text.padEnd(width);
console.log(
  `questions: ${questions.length} (development set) × ${ROUNDS} rounds; target: < 5 ms per question at 500 entries`,
);
console.log(
  `${pad('matcher', 22)} ${pad('entries', 8)} ${pad('build ms', 10)} ${pad('mean ms', 9)} ${pad('p99 ms', 9)} ${pad('top-1', 7)}`,
);
for (const row of rows)
  console.log(
    `${pad(row.name, 22)} ${pad(String(row.entries), 8)} ${pad(row.buildMs.toFixed(0), 10)} ${pad(row.meanMs.toFixed(3), 9)} ${pad(row.p99Ms.toFixed(3), 9)} ${pad(`${(row.accuracy * 100).toFixed(1)}%`, 7)}`,
  );
for (let i = 0; i < rows.length; i += 2) {
  const [baseline, ours] = [rows[i]!, rows[i + 1]!];
  console.log(
    `ratio at ${ours.entries} entries (plausch / naive): mean time ×${(ours.meanMs / baseline.meanMs).toFixed(1)}, p99 ×${(ours.p99Ms / baseline.p99Ms).toFixed(1)}, build ×${(ours.buildMs / Math.max(0.01, baseline.buildMs)).toFixed(0)}`,
  );
}
