/** `plausch doctor`: runs the checks of src/doctor against this environment and prints what to fix. */
import { resolve } from 'node:path';
import { openOfflineCatalog } from '../app/offline-catalog.js';
import type { Config } from '../config.js';
import { doctorExitCode, runDoctor } from '../doctor/checks.js';
import { formatDoctorReport } from '../doctor/report.js';
import { countSteps, loadFlowSet } from '../flows/flow-set.js';
import { formatProblem } from '../flows/problems.js';

export async function doctor(options: { offline?: boolean; json?: boolean }): Promise<number> {
  const results = await runDoctor({
    env: process.env,
    ...(options.offline ? { offline: true } : {}),
    checkFlows,
    bundledChromium,
  });
  process.stdout.write(
    options.json
      ? `${JSON.stringify(results, null, 2)}\n`
      : formatDoctorReport(results, process.stdout.columns ?? 100),
  );
  return doctorExitCode(results);
}

export async function checkFlows(config: Config): Promise<{ errors: string[]; summary: string }> {
  const dir = resolve(config.FLOWS_DIR);
  const catalog = await openOfflineCatalog(dir);
  try {
    const loaded = await loadFlowSet(dir, catalog.actions);
    const errors = [
      ...catalog.problems,
      ...(loaded.ok
        ? []
        : loaded.problems.filter((p) => p.severity !== 'warning').map((p) => formatProblem(p))),
    ];
    const summary = loaded.ok
      ? `${loaded.flowSet.flows.size} flows, ${countSteps(loaded.flowSet)} steps`
      : '';
    return { errors, summary };
  } finally {
    await catalog.close();
  }
}

/** Puppeteer's own Chromium, when it was downloaded (PUPPETEER_SKIP_DOWNLOAD unset at install). */
async function bundledChromium(): Promise<string | null> {
  try {
    const puppeteer = (await import('puppeteer')) as unknown as { default?: { executablePath(): string } };
    return puppeteer.default?.executablePath() ?? null;
  } catch {
    return null;
  }
}
