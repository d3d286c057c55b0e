/** `plausch flows check|test|graph` and `plausch actions`: the marketer's tools, no server needed. */
import { join, resolve } from 'node:path';
import { openOfflineCatalog } from '../app/offline-catalog.js';
import { loadConfig } from '../config.js';
import { runFlowsCheck } from '../flows/check.js';
import { loadFlowSet } from '../flows/flow-set.js';
import { flowToMermaid } from '../flows/mermaid.js';
import { formatProblem } from '../flows/problems.js';
import { runFlowsTestCommand } from './flows-test.js';

const print = (line: string) => process.stdout.write(`${line}\n`);

function flowsDirectory(dir: string | undefined): string {
  return resolve(dir ?? loadConfig().FLOWS_DIR);
}

export async function flowsCheck(dir?: string): Promise<number> {
  const flowsDir = flowsDirectory(dir);
  const catalog = await openOfflineCatalog(flowsDir);
  try {
    // Knowledge base, topics, events and campaigns are checked while the features load.
    for (const problem of catalog.problems) print(problem);
    const code = await runFlowsCheck(flowsDir, catalog.actions, print);
    return catalog.problems.length > 0 ? 1 : code;
  } finally {
    await catalog.close();
  }
}

export async function flowsTest(dir?: string, filter?: string): Promise<number> {
  const flowsDir = flowsDirectory(dir);
  const catalog = await openOfflineCatalog(flowsDir);
  try {
    const loaded = await loadFlowSet(flowsDir, catalog.actions);
    if (!loaded.ok) {
      for (const problem of loaded.problems) print(formatProblem(problem));
      print('the flows do not load; fix them first (plausch flows check)');
      return 1;
    }
    return await runFlowsTestCommand({
      testsDir: join(flowsDir, 'tests'),
      flowSet: loaded.flowSet,
      actions: catalog.actions,
      interceptors: catalog.interceptors,
      ...(catalog.questions ? { questions: catalog.questions } : {}),
      prepareConversation: catalog.prepareConversation,
      output: process.stdout,
      ...(filter ? { filter } : {}),
    });
  } finally {
    await catalog.close();
  }
}

export async function flowsGraph(flowId: string, dir?: string): Promise<number> {
  const flowsDir = flowsDirectory(dir);
  const catalog = await openOfflineCatalog(flowsDir);
  try {
    const loaded = await loadFlowSet(flowsDir, catalog.actions);
    if (!loaded.ok) {
      for (const problem of loaded.problems) print(formatProblem(problem));
      return 1;
    }
    print(flowToMermaid(loaded.flowSet, flowId, catalog.actions));
    return 0;
  } finally {
    await catalog.close();
  }
}

export async function listActions(): Promise<number> {
  const catalog = await openOfflineCatalog(flowsDirectory(undefined));
  try {
    for (const action of catalog.actions.list()) {
      print(`${action.name.padEnd(24)} ${action.summary}  → ${action.outcomes.join(' | ')}`);
    }
    return 0;
  } finally {
    await catalog.close();
  }
}
