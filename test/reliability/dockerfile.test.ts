/**
 * `docker build` cannot run here, so the Dockerfile's essentials are checked as text: its stages, that the
 * runtime carries compiled JavaScript and production dependencies only (no tsx, no compiler), runs as a
 * non-root user with a HEALTHCHECK, that Chromium is only in the whatsapp-web target, and that the README's
 * production section shows the flags a first start needs.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

interface Stage {
  from: string;
  name: string | null;
  lines: string[];
}

/** Instructions per stage, continuation lines joined, comments dropped. */
function stages(text: string): Stage[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const result: Stage[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) result.push({ from: from[1] ?? '', name: from[2] ?? null, lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

const all = stages(dockerfile);
const stage = (name: string) => {
  const found = all.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
/** A stage's own lines plus those of the stages it is built FROM. */
const effective = (s: Stage): string[] => {
  const parent = all.find((p) => p.name === s.from);
  return parent ? [...effective(parent), ...s.lines] : s.lines;
};
const lastUser = (lines: string[]) =>
  lines
    .filter((l) => l.startsWith('USER '))
    .at(-1)
    ?.slice(5)
    .trim();

describe('Dockerfile', () => {
  it('builds compiled JavaScript in one stage and production dependencies in another', () => {
    expect(stage('build').lines.join('\n')).toMatch(/RUN npm run build/);
    expect(stage('deps').lines.join('\n')).toMatch(/RUN npm ci --omit=dev/);
  });

  it('ships no tsx, esbuild or compiler in the runtime image', () => {
    const runtime = stage('runtime').lines;
    const copies = runtime.filter((l) => l.startsWith('COPY --from='));
    expect(copies.some((l) => l.startsWith('COPY --from=deps /app/node_modules'))).toBe(true);
    expect(copies.some((l) => /--from=build \/app\/node_modules/.test(l))).toBe(false);
    expect(runtime.join('\n')).not.toMatch(/\btsx\b|esbuild|g\+\+|npm (ci|install)\b/);
    // What `npm ci --omit=dev` installs: tsx must not be a production dependency. (esbuild is one today: the
    // console bundles its screens at start-up, src/console/screen-bundles.ts.)
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(runtime.find((l) => l.startsWith('CMD'))).toMatch(/"node"/);
  });

  it('ships the files the service reads at run time beside dist/: screen sources and the language data', () => {
    const runtime = stage('runtime').lines.join('\n');
    // src/console/screen-bundles.ts and src/understanding/lexicon-data.ts look for them under src/.
    expect(runtime).toMatch(/^COPY src\/console\/web \.\/src\/console\/web$/m);
    expect(runtime).toMatch(/^COPY src\/understanding\/data \.\/src\/understanding\/data$/m);
  });

  it('runs as a non-root user with a health check, in both targets', () => {
    for (const name of ['runtime', 'whatsapp-web']) {
      const lines = effective(stage(name));
      expect(lastUser(lines)).toBe('node');
      expect(lines.some((l) => /^HEALTHCHECK .*\/healthz/.test(l))).toBe(true);
    }
  });

  it('has Chromium only in the whatsapp-web target, and the default target is without it', () => {
    const withChromium = all.filter((s) =>
      s.lines.some((l) => /\bchromium\b/.test(l) && l.startsWith('RUN')),
    );
    expect(withChromium.map((s) => s.name)).toEqual(['whatsapp-web']);
    const last = all.at(-1)!;
    expect(effective(last).some((l) => /\bchromium\b/.test(l) && l.startsWith('RUN'))).toBe(false);
    expect(effective(stage('whatsapp-web')).join('\n')).toMatch(
      /PUPPETEER_EXECUTABLE_PATH=\/usr\/bin\/chromium/,
    );
  });

  it('is documented with the flags a first production start needs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const production = readme.slice(readme.indexOf('## Running in production'));
    expect(production).toMatch(/-e PUBLIC_URL=/);
    expect(production).toMatch(/-v \.\/flows:\/app\/flows/);
    expect(production).toMatch(/-v plausch-data:\/app\/data/);
    expect(production).toMatch(/--target whatsapp-web/);
  });
});
