import { loadKnowledgeBase } from '/work/wt/matcher3/src/features/faq/kb-loader.js';
import { buildMatcher } from '/work/wt/matcher3/src/features/faq/matcher.js';
const realKb = await loadKnowledgeBase('/work/wt/matcher3/flows/faq');
const copies = Number(process.env.COPIES ?? 5);
const entries = Array.from({ length: copies }, (_, copy) => realKb.entries.map((e) => copy === 0 ? e : { ...e, id: `${e.id}-${copy}`, questions: Object.fromEntries(Object.entries(e.questions).map(([l, list]) => [l, list.map((q) => `${q} sorte${copy}`)])) })).flat();
const kb = { ...realKb, entries };
const t = performance.now();
buildMatcher(kb);
console.log(entries.length, 'entries', (performance.now() - t).toFixed(0), 'ms');
