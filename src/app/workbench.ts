/**
 * Wires the console's flow workbench: versions in git or the store (WORKBENCH_VERSIONS), the simulator over
 * the offline catalog, saves shared with the other instances (WORKBENCH_SYNC_INTERVAL_MS), the service and its
 * console API router.
 */
import type { Router } from 'express';
import type { Config } from '../config.js';
import { workbenchRoutes } from '../console/api/workbench-routes.js';
import type { ActionRegistry } from '../engine/actions.js';
import { StoreUnansweredQuestionLog } from '../features/faq/unanswered-store.js';
import type { Feature } from '../features/types.js';
import { FlowsFolder } from '../features/workbench/files.js';
import { WorkbenchSimulator } from '../features/workbench/simulator.js';
import { WorkbenchSync } from '../features/workbench/sync.js';
import {
  GitVersionHistory,
  StoreVersionHistory,
  type VersionHistory,
} from '../features/workbench/versions.js';
import { Workbench } from '../features/workbench/workbench.js';
import type { FlowRepository } from '../flows/repository.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/database.js';

export interface WorkbenchWiring {
  router: Router;
  workbench: Workbench;
  close(): Promise<void>;
}

export async function createWorkbenchWiring(deps: {
  config: Config;
  store: Store;
  flows: FlowRepository;
  actions: ActionRegistry;
  features: readonly Feature[];
  logger: Logger;
  now: () => Date;
  instanceId: string;
}): Promise<WorkbenchWiring> {
  const logger = deps.logger.child({ part: 'workbench' });
  const flowsDir = deps.config.FLOWS_DIR;
  const mode = deps.config.WORKBENCH_VERSIONS;
  const inGit = mode !== 'store' && (await GitVersionHistory.detect(flowsDir));
  if (mode === 'git' && !inGit)
    throw new Error(
      `WORKBENCH_VERSIONS=git but FLOWS_DIR (${flowsDir}) is not inside a git checkout (or git is missing)`,
    );
  const history: VersionHistory = inGit
    ? new GitVersionHistory(flowsDir)
    : new StoreVersionHistory(deps.store, deps.now);
  const simulator = new WorkbenchSimulator({ flowsDir, now: deps.now });
  // Saves reach the other instances on the same database through the store (see features/workbench/sync.ts).
  const sync = new WorkbenchSync({
    store: deps.store,
    folder: new FlowsFolder(flowsDir),
    instanceId: deps.instanceId,
    logger,
    now: deps.now,
  });
  await sync.start();
  const workbench = new Workbench({
    flowsDir,
    flows: deps.flows,
    actions: deps.actions,
    features: deps.features,
    history,
    simulator,
    logger,
    sync,
  });
  const catchUp = () =>
    void workbench
      .syncNow()
      .catch((error: unknown) => logger.warn({ err: error }, "taking other instances' saves failed"));
  await sync
    .listen(catchUp)
    .catch((error: unknown) =>
      logger.warn({ err: error }, 'no save notices from other instances; finding them on the timer only'),
    );
  const intervalMs = deps.config.WORKBENCH_SYNC_INTERVAL_MS;
  const timer = intervalMs > 0 ? setInterval(catchUp, intervalMs) : null;
  timer?.unref();
  const router = workbenchRoutes({
    workbench,
    simulator,
    unanswered: new StoreUnansweredQuestionLog(deps.store),
    locales: () => deps.flows.current().settings.locales,
    logger,
  });
  return {
    router,
    workbench,
    async close() {
      if (timer) clearInterval(timer);
      await sync.stop();
      await simulator.close();
    },
  };
}
