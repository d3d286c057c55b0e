/**
 * The workbench's simulator: chats with the DRAFT flow set (unsaved edits laid over FLOWS_DIR) as a chosen
 * channel and locale, as a new or a returning contact — with the conversation-test runner's in-memory
 * machinery and the real actions on a throw-away in-memory store (the offline catalog of `plausch flows
 * test`), so no real customer is touched and nothing is sent. Each bot message is also shown as the
 * chosen channel renders it. A session can be written out as a conversation test.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { type OfflineCatalog, openOfflineCatalog } from '../../app/offline-catalog.js';
import {
  type ChannelPreview,
  PREVIEW_CAPABILITIES,
  type PreviewChannel,
  previewOnChannel,
} from '../../channels/preview.js';
import {
  type ConversationTestResult,
  createTestConversation,
  ExpectationFailed,
  type PlayContext,
  playStep,
  runConversationTest,
  type TestConversation,
} from '../../engine/conversation-tests/runner.js';
import { type ConversationStep, parseConversationTests } from '../../engine/conversation-tests/test-file.js';
import { loadFlowSet } from '../../flows/flow-set.js';
import type { FlowProblem } from '../../flows/problems.js';
import type { FlowSet } from '../../flows/schema.js';
import type { JsonValue, OutboundMessage } from '../../model/index.js';
import type { Drafts } from './validate-draft.js';

const SESSION_IDLE_MS = 30 * 60_000;
const MAX_SESSIONS = 50;
const MAX_TURNS = 200;

export class DraftSetInvalidError extends Error {
  readonly status = 422;
  constructor(readonly problems: readonly FlowProblem[]) {
    super('the draft flow set has errors; fix them before simulating');
    this.name = 'DraftSetInvalidError';
  }
}

export class SimulatorInputError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = 'SimulatorInputError';
    this.status = status;
  }
}

export interface SimulatorStartInput {
  drafts: Drafts;
  channel: PreviewChannel;
  locale: string;
  returning: boolean;
  firstName?: string;
}

export type CustomerAction =
  | { kind: 'text'; text: string }
  | { kind: 'press'; label: string }
  | { kind: 'start'; payload?: string }
  | { kind: 'start-flow'; flowId: string; stepId?: string };

export interface SimulatedMessage {
  text: string;
  /** The labels the customer can press (the engine's buttons, before the channel shapes them). */
  buttons: string[];
  channel: ChannelPreview;
}

export interface SimulatorTurn {
  messages: SimulatedMessage[];
  state: { flowId: string | null; stepId: string | null; awaiting: string | null };
  vars: Record<string, JsonValue>;
  /** The steps this turn went through, in order (`flow.step`). */
  trace: string[];
  effects: string[];
  /** Why the customer's action could not be played (e.g. a button no longer offered). */
  problem?: string;
}

interface Session {
  id: string;
  userId: string;
  channel: PreviewChannel;
  locale: string;
  firstName: string;
  returning: boolean;
  conversation: TestConversation;
  context: PlayContext;
  catalog: CatalogHandle;
  now: Date;
  /** Customer steps and what the bot said after each, for recording as a test. */
  recorded: Array<{ step: ConversationStep; replies: string[] }>;
  lastUsed: number;
}

interface CatalogHandle {
  catalog: OfflineCatalog;
  /** A copy of FLOWS_DIR with data-file drafts written in, removed on close. */
  dir: string;
  temporary: boolean;
  users: number;
  cached: boolean;
}

export interface SimulatorOptions {
  flowsDir: string;
  now: () => Date;
}

export class WorkbenchSimulator {
  readonly #sessions = new Map<string, Session>();
  /** One catalog for FLOWS_DIR as saved; drafts of data files get their own, short-lived one. */
  #shared: CatalogHandle | undefined;

  constructor(private readonly options: SimulatorOptions) {}

  async start(userId: string, input: SimulatorStartInput): Promise<{ sessionId: string; flowSet: FlowSet }> {
    this.#expire();
    if (this.#sessions.size >= MAX_SESSIONS)
      throw new SimulatorInputError('too many simulator sessions; try again later', 429);
    const catalog = await this.#catalogFor(input.drafts);
    catalog.users += 1;
    try {
      const flowDrafts = new Map<string, string>();
      for (const [path, text] of input.drafts) if (!path.includes('/')) flowDrafts.set(path, text);
      const loaded = await loadFlowSet(catalog.dir, catalog.catalog.actions, { overlay: flowDrafts });
      if (!loaded.ok) throw new DraftSetInvalidError(loaded.problems);
      const now = this.options.now();
      const firstName = input.firstName?.trim() || 'Anna';
      const conversation = createTestConversation(
        {
          contact: { firstName, ...(input.returning ? { returning: true } : {}) },
          vars: {},
          locale: input.locale,
        },
        loaded.flowSet,
        input.channel,
        now,
      );
      const prepared = await catalog.catalog.prepareConversation(conversation.contact, now);
      conversation.contact = prepared.contact;
      conversation.id = prepared.conversationId;
      const context: PlayContext = {
        flowSet: loaded.flowSet,
        actions: catalog.catalog.actions,
        interceptors: catalog.catalog.interceptors,
        capabilitiesOf: () => PREVIEW_CAPABILITIES[input.channel],
        now,
        channel: input.channel,
      };
      const id = randomUUID();
      this.#sessions.set(id, {
        id,
        userId,
        channel: input.channel,
        locale: input.locale,
        firstName,
        returning: input.returning,
        conversation,
        context,
        catalog,
        now,
        recorded: [],
        lastUsed: Date.now(),
      });
      return { sessionId: id, flowSet: loaded.flowSet };
    } catch (error) {
      await this.#release(catalog);
      throw error;
    }
  }

  async act(userId: string, sessionId: string, action: CustomerAction): Promise<SimulatorTurn> {
    const session = this.#session(userId, sessionId);
    if (session.recorded.length >= MAX_TURNS)
      throw new SimulatorInputError('this session is long enough; start a new one');
    const step = toStep(action);
    const before = session.conversation.said.length;
    let problem: string | undefined;
    try {
      await playStep(step, session.conversation, session.context);
    } catch (error) {
      if (!(error instanceof ExpectationFailed)) throw error;
      problem = error.message;
    }
    const said = session.conversation.said.slice(before);
    if (!problem) session.recorded.push({ step, replies: said.map((message) => message.text ?? '') });
    session.lastUsed = Date.now();
    return this.#turn(session, said, problem);
  }

  /** The current state without playing anything. */
  state(userId: string, sessionId: string): SimulatorTurn {
    return this.#turn(this.#session(userId, sessionId), []);
  }

  /** The session as a conversation test a marketer can read (and `plausch flows test` runs). */
  record(userId: string, sessionId: string, name: string): string {
    const session = this.#session(userId, sessionId);
    if (session.recorded.length === 0)
      throw new SimulatorInputError('nothing to record yet: chat with the bot first');
    const steps: unknown[] = [];
    for (const { step, replies } of session.recorded) {
      steps.push(step);
      const expected = replies.map(expectationOf).filter((text): text is string => Boolean(text));
      if (expected.length === 0) steps.push({ replies: 0 });
      else steps.push({ bot: expected.length === 1 ? expected[0] : expected });
    }
    const test = {
      name,
      locale: session.locale,
      channel: session.channel,
      now: session.now.toISOString(),
      contact: { firstName: session.firstName, ...(session.returning ? { returning: true } : {}) },
      steps,
    };
    return `# Recorded in the workbench simulator (${session.channel}, ${session.locale}).\n${stringify(test, { lineWidth: 0 })}`;
  }

  async stop(userId: string, sessionId: string): Promise<void> {
    const session = this.#session(userId, sessionId);
    this.#sessions.delete(session.id);
    await this.#release(session.catalog);
  }

  /**
   * What the customer sees from a step on, until the bot waits, in each locale: the step's own texts and
   * those its actions send themselves (consent text, event list, FAQ answer), from the real actions.
   */
  async preview(
    userId: string,
    input: {
      drafts: Drafts;
      flowId: string;
      stepId: string;
      locales: readonly string[];
      channel: PreviewChannel;
    },
  ): Promise<Array<{ locale: string; turn: SimulatorTurn }>> {
    const results: Array<{ locale: string; turn: SimulatorTurn }> = [];
    for (const locale of input.locales) {
      const { sessionId } = await this.start(userId, {
        drafts: input.drafts,
        channel: input.channel,
        locale,
        returning: false,
      });
      try {
        results.push({
          locale,
          turn: await this.act(userId, sessionId, {
            kind: 'start-flow',
            flowId: input.flowId,
            stepId: input.stepId,
          }),
        });
      } finally {
        await this.stop(userId, sessionId);
      }
    }
    return results;
  }

  /**
   * Runs conversation tests against the draft set, as `plausch flows test` does: the tests of `file` (a
   * path under tests/, draft or saved), or all of them.
   */
  async runTests(input: { drafts: Drafts; file?: string }): Promise<ConversationTestResult[]> {
    const catalog = await this.#catalogFor(input.drafts);
    catalog.users += 1;
    try {
      const flowDrafts = new Map<string, string>();
      for (const [path, text] of input.drafts) if (!path.includes('/')) flowDrafts.set(path, text);
      const loaded = await loadFlowSet(catalog.dir, catalog.catalog.actions, { overlay: flowDrafts });
      if (!loaded.ok) throw new DraftSetInvalidError(loaded.problems);
      const testsDir = join(this.options.flowsDir, 'tests');
      const names = (await readdir(testsDir).catch(() => [] as string[])).map((name) => `tests/${name}`);
      const paths = [
        ...new Set([...names, ...[...input.drafts.keys()].filter((path) => path.startsWith('tests/'))]),
      ]
        .filter((path) => /\.test\.ya?ml$/.test(path) && (!input.file || path === input.file))
        .sort();
      const results: ConversationTestResult[] = [];
      for (const path of paths) {
        const text = input.drafts.get(path) ?? (await readFile(join(this.options.flowsDir, path), 'utf8'));
        const { tests, problems } = parseConversationTests(text, path);
        for (const problem of problems) {
          results.push({
            name: path,
            file: path,
            line: problem.line,
            passed: false,
            failure: `${path}:${problem.line}: ${problem.message}`,
            transcript: [],
          });
        }
        for (const test of tests) {
          results.push(
            await runConversationTest(test, {
              flowSet: loaded.flowSet,
              actions: catalog.catalog.actions,
              interceptors: catalog.catalog.interceptors,
              prepareConversation: catalog.catalog.prepareConversation,
            }),
          );
        }
      }
      return results;
    } finally {
      await this.#release(catalog);
    }
  }

  /** After a knowledge base, events, topics or campaigns file was saved: new sessions read it fresh. */
  async dataChanged(): Promise<void> {
    const shared = this.#shared;
    this.#shared = undefined;
    if (shared) {
      shared.cached = false;
      if (shared.users === 0) await closeHandle(shared);
    }
  }

  async close(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    for (const session of sessions) await this.#release(session.catalog);
    await this.dataChanged();
  }

  #turn(session: Session, said: OutboundMessage[], problem?: string): SimulatorTurn {
    const { state } = session.conversation;
    return {
      messages: said.map((message) => ({
        text: message.text ?? '',
        buttons: (message.buttons ?? []).filter((button) => !button.url).map((button) => button.label),
        channel: previewOnChannel(
          session.channel,
          message,
          session.conversation.contact.locale ?? session.locale,
        ),
      })),
      state: { flowId: state.flowId, stepId: state.stepId, awaiting: state.awaiting },
      vars: state.vars,
      trace: session.conversation.trace,
      effects: session.conversation.effects.map((effect) => effect.kind),
      ...(problem ? { problem } : {}),
    };
  }

  #session(userId: string, sessionId: string): Session {
    this.#expire();
    const session = this.#sessions.get(sessionId);
    // Another user's session is as good as unknown.
    if (!session || session.userId !== userId)
      throw new SimulatorInputError('this simulator session has ended; start a new one', 404);
    return session;
  }

  #expire(): void {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const session of [...this.#sessions.values()]) {
      if (session.lastUsed >= cutoff) continue;
      this.#sessions.delete(session.id);
      void this.#release(session.catalog);
    }
  }

  async #catalogFor(drafts: Drafts): Promise<CatalogHandle> {
    const dataDrafts = [...drafts].filter(([path]) => path.includes('/') && !path.startsWith('tests/'));
    if (dataDrafts.length === 0) {
      if (!this.#shared) {
        const catalog = await openOfflineCatalog(this.options.flowsDir);
        this.#shared = { catalog, dir: this.options.flowsDir, temporary: false, users: 0, cached: true };
      }
      return this.#shared;
    }
    const dir = await mkdtemp(join(tmpdir(), 'plausch-simulator-'));
    try {
      await cp(this.options.flowsDir, dir, { recursive: true });
      for (const [path, text] of dataDrafts) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      const catalog = await openOfflineCatalog(dir);
      return { catalog, dir, temporary: true, users: 0, cached: false };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  async #release(handle: CatalogHandle): Promise<void> {
    handle.users = Math.max(0, handle.users - 1);
    if (handle.users === 0 && !handle.cached) await closeHandle(handle);
  }
}

async function closeHandle(handle: CatalogHandle): Promise<void> {
  await handle.catalog.close();
  if (handle.temporary) await rm(handle.dir, { recursive: true, force: true });
}

function toStep(action: CustomerAction): ConversationStep {
  switch (action.kind) {
    case 'text':
      return { user: action.text };
    case 'press':
      return { press: action.label };
    case 'start':
      return { start: action.payload ? action.payload : true };
    case 'start-flow':
      return { start_flow: action.stepId ? `${action.flowId}.${action.stepId}` : action.flowId };
  }
}

const EXPECTATION_LENGTH = 40;

/**
 * A piece of a bot message that pins it without breaking on details: its first line, cut at a word
 * boundary, and never a part with a personal link or code (those differ on every run).
 */
export function expectationOf(text: string): string | undefined {
  const firstLine = text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0);
  if (!firstLine) return undefined;
  const beforeLink = firstLine.split(/https?:\/\//)[0]?.trim() ?? '';
  if (beforeLink.length < 3) return undefined;
  if (beforeLink.length <= EXPECTATION_LENGTH) return beforeLink;
  const cut = beforeLink.slice(0, EXPECTATION_LENGTH);
  const space = cut.lastIndexOf(' ');
  return (space > 10 ? cut.slice(0, space) : cut).trim();
}
