/**
 * `npm run bench`: runs every benchmark one after the other (never in parallel: they would measure each
 * other) and prints each one's table. Each benchmark measures its own baseline in the same run and reports
 * ratios, so figures from different machines stay comparable.
 */
import { spawnSync } from 'node:child_process';

const benchmarks = [
  { file: 'bench/faq-match.ts', what: 'FAQ matcher: build time and matches/s vs. exact-word overlap' },
  { file: 'bench/inbox-accept.ts', what: 'inbox: accepts/s vs. plain inserts (SQLite and PostgreSQL)' },
  { file: 'bench/outbox-throughput.ts', what: 'outbox: sends/s vs. plain inserts (SQLite and PostgreSQL)' },
  { file: 'bench/referral-clicks.ts', what: 'referral clicks over HTTP vs. a static redirect' },
];

const only = process.argv[2];
let failed = 0;
for (const bench of benchmarks) {
  if (only && !bench.file.includes(only)) continue;
  process.stdout.write(`\n## ${bench.file} — ${bench.what}\n\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', bench.file], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exitCode = failed > 0 ? 1 : 0;
