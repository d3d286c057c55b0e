/**
 * What a feature (faq, events, newsletter, referrals, crm, handoff) hands the server: its actions,
 * interceptors, send guards, routes and background jobs. The server wires these; features never wire themselves.
 */
import type { Router } from 'express';
import type { Config } from '../config.js';
import type { ActionDefinition } from '../engine/actions.js';
import type { InboundInterceptor, QuestionDetector } from '../engine/types.js';
import type { OpenApiFragment } from '../http/api-support.js';
import type { Logger } from '../logger.js';
import type { SendGuard } from '../outbox/types.js';
import type { Store } from '../store/database.js';

export interface FeatureContext {
  store: Store;
  config: Config;
  logger: Logger;
  /** The clock; tests move it. */
  now: () => Date;
}

export interface Feature {
  readonly name: string;
  readonly actions?: readonly ActionDefinition[];
  readonly interceptors?: readonly InboundInterceptor[];
  readonly guards?: readonly SendGuard[];
  /** Tells the engine whether a message at a prompt is a new question (the FAQ feature has one). */
  readonly questionDetector?: QuestionDetector;
  /** Mounted under /api/v1 behind bearer-token auth. */
  readonly apiRouter?: Router;
  /** Mounted at the site root without auth (e.g. /r/<code>, /events/<id>.ics). */
  readonly publicRouter?: Router;
  readonly openApi?: OpenApiFragment;
  /**
   * Loads the feature's own files into the store (events, coupon codes) without starting background jobs;
   * `start()` does this too. Offline tools (`plausch flows test`) call only this.
   */
  loadData?(): Promise<void>;
  /**
   * Re-reads the feature's own files after an edit (SIGHUP); keeps the previous data and throws with the
   * problems when the new files do not load.
   */
  reload?(): Promise<void>;
  /** Starts background jobs (schedulers); resolves once they run. */
  start?(): Promise<void>;
  /** Stops background jobs, finishing the work in hand. */
  stop?(): Promise<void>;
}
