/**
 * The console's screens (Preact + TypeScript under src/console/web/screens/<name>/index.tsx), bundled with
 * esbuild when first asked for and kept in memory: no build step before `npm start`, no stale files on disk.
 * Outside production every request rebuilds incrementally, so an edited screen shows on reload.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export interface ScreenBundle {
  js: string;
  /** CSS the screen imports (its own and its libraries'), or null when it imports none. */
  css: string | null;
}

export interface ScreenBundler {
  /** The bundle of a screen, or null when no screen of that name exists. Throws with esbuild's message on errors. */
  bundle(name: string): Promise<ScreenBundle | null>;
  close(): Promise<void>;
}

const SCREEN_NAME = /^[a-z][a-z0-9-]{0,40}$/;

/** Where the screens' sources are: beside this module in the sources, or src/ next to dist/ in a build. */
export function consoleScreensDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'web', 'screens'),
    join(here, '..', '..', 'src', 'console', 'web', 'screens'),
  ];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

export function createScreenBundler(options: { screensDir?: string; watch?: boolean } = {}): ScreenBundler {
  const screensDir = options.screensDir ?? consoleScreensDir();
  const watch = options.watch ?? process.env.NODE_ENV !== 'production';
  const contexts = new Map<string, Promise<esbuild.BuildContext>>();
  const built = new Map<string, Promise<ScreenBundle>>();

  function entryOf(name: string): string | null {
    if (!SCREEN_NAME.test(name)) return null;
    const entry = join(screensDir, name, 'index.tsx');
    return existsSync(entry) && statSync(entry).isFile() ? entry : null;
  }

  function contextFor(name: string, entry: string): Promise<esbuild.BuildContext> {
    let context = contexts.get(name);
    if (!context) {
      context = esbuild.context({
        entryPoints: { [name]: entry },
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        jsx: 'automatic',
        jsxImportSource: 'preact',
        write: false,
        outdir: '/screens',
        minify: !watch,
        legalComments: 'linked',
        logLevel: 'silent',
        loader: { '.css': 'css', '.svg': 'dataurl', '.png': 'dataurl', '.woff2': 'dataurl' },
      });
      contexts.set(name, context);
    }
    return context;
  }

  async function build(name: string, entry: string): Promise<ScreenBundle> {
    const context = await contextFor(name, entry);
    const result = await context.rebuild();
    const files = result.outputFiles ?? [];
    const js = files.find((f) => f.path.endsWith('.js'));
    const css = files.find((f) => f.path.endsWith('.css'));
    if (!js) throw new Error(`the console screen "${name}" produced no JavaScript`);
    return { js: js.text, css: css?.text ?? null };
  }

  return {
    async bundle(name) {
      const entry = entryOf(name);
      if (!entry) return null;
      if (watch) return build(name, entry);
      let bundle = built.get(name);
      if (!bundle) {
        bundle = build(name, entry);
        built.set(name, bundle);
        // A failed build is not kept: the next request tries again.
        bundle.catch(() => built.delete(name));
      }
      return bundle;
    },
    async close() {
      const all = await Promise.allSettled(contexts.values());
      contexts.clear();
      await Promise.all(all.map((c) => (c.status === 'fulfilled' ? c.value.dispose() : undefined)));
    },
  };
}
