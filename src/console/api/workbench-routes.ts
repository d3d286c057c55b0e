/**
 * The flow workbench's console API under /console/api/workbench: files and their validation state, a flow's
 * diagram, validation as you type, save with versions and conflict detection, rollback, the simulator,
 * conversation tests, and the knowledge-base helpers. Everything needs the `marketing` capability (marketers
 * and admins); every body is checked with zod.
 */
import { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { PREVIEW_CHANNELS } from '../../channels/preview.js';
import type { StoreUnansweredQuestionLog } from '../../features/faq/unanswered-store.js';
import { addParaphrase, ParaphraseError, runFaqEval } from '../../features/workbench/faq-tools.js';
import { contentHash, WorkbenchPathError } from '../../features/workbench/files.js';
import {
  DraftSetInvalidError,
  SimulatorInputError,
  type WorkbenchSimulator,
} from '../../features/workbench/simulator.js';
import {
  type Workbench,
  WorkbenchConflictError,
  WorkbenchInvalidError,
  WorkbenchNotFoundError,
} from '../../features/workbench/workbench.js';
import type { Logger } from '../../logger.js';
import { requireCapability } from '../auth/capabilities.js';
import { sessionOf } from '../auth/middleware.js';

export interface WorkbenchRoutesDeps {
  workbench: Workbench;
  simulator: WorkbenchSimulator;
  unanswered?: StoreUnansweredQuestionLog;
  locales: () => readonly string[];
  logger: Logger;
}

const path = z.string().min(1).max(200);
const drafts = z
  .record(path, z.string().max(512 * 1024))
  .default({})
  .transform((record) => new Map(Object.entries(record)));

const validateBody = z.strictObject({ path, text: z.string().max(512 * 1024) });
const graphBody = z.strictObject({ path, drafts });
const saveBody = z.strictObject({
  path,
  text: z.string().max(512 * 1024),
  baseHash: z.string().min(1).max(64),
  message: z.string().max(200).optional(),
});
const rollbackBody = z.strictObject({
  path,
  versionId: z.string().min(1).max(64),
  baseHash: z.string().min(1).max(64),
});
const compareQuery = z.object({
  path,
  from: z.string().min(1).max(64).default('previous'),
  to: z.string().min(1).max(64).default('current'),
});
const channel = z.enum(PREVIEW_CHANNELS);
const startBody = z.strictObject({
  drafts,
  channel: channel.default('telegram'),
  locale: z.string().min(2).max(10),
  returning: z.boolean().default(false),
  firstName: z.string().max(40).optional(),
});
const actionBody = z.strictObject({
  action: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('text'), text: z.string().min(1).max(2000) }),
    z.strictObject({ kind: z.literal('press'), label: z.string().min(1).max(200) }),
    z.strictObject({ kind: z.literal('start'), payload: z.string().max(200).optional() }),
    z.strictObject({
      kind: z.literal('start-flow'),
      flowId: z.string().min(1).max(60),
      stepId: z.string().min(1).max(60).optional(),
    }),
  ]),
});
const recordBody = z.strictObject({
  name: z.string().trim().min(3).max(120),
  file: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,60}$/, 'a file name of small letters, digits and dashes')
    .optional(),
});
const previewBody = z.strictObject({
  drafts,
  flowId: z.string().min(1).max(60),
  stepId: z.string().min(1).max(60),
  channel: channel.default('telegram'),
});
const testsBody = z.strictObject({ drafts, file: path.optional() });
const paraphraseBody = z.strictObject({
  path,
  entryId: z.string().min(1).max(80),
  locale: z.string().min(2).max(10),
  question: z.string().trim().min(1).max(500),
});

export function workbenchRoutes(deps: WorkbenchRoutesDeps): Router {
  const router = Router();
  const { workbench, simulator } = deps;
  router.use('/workbench', requireCapability('marketing'));

  const author = (req: Request) => {
    const { user } = sessionOf(req);
    return { id: user.id, name: user.displayName, email: user.email };
  };

  router.get('/workbench/files', async (_req, res) => {
    res.json({ versions: workbench.versionsMode, locales: deps.locales(), files: await workbench.list() });
  });

  router.get('/workbench/file', async (req, res) => {
    const query = z.object({ path }).parse(req.query);
    res.json(await workbench.open(query.path));
  });

  router.post('/workbench/validate', async (req, res) => {
    const body = validateBody.parse(req.body);
    res.json(await workbench.validate(body.path, body.text));
  });

  router.post('/workbench/graph', async (req, res) => {
    const body = graphBody.parse(req.body);
    const result = await workbench.graph(body.path, body.drafts);
    if (!result) {
      res
        .status(404)
        .json({ error: `no flow to draw in "${body.path}" (a YAML syntax error, or not a flow file)` });
      return;
    }
    res.json(result);
  });

  router.post('/workbench/save', async (req, res) => {
    const body = saveBody.parse(req.body);
    const saved = await workbench.save({
      path: body.path,
      text: body.text,
      baseHash: body.baseHash,
      author: author(req),
      ...(body.message ? { message: body.message } : {}),
    });
    res.json(saved);
  });

  router.get('/workbench/versions', async (req, res) => {
    const query = z.object({ path }).parse(req.query);
    res.json({ versions: await workbench.versions(query.path) });
  });

  router.get('/workbench/compare', async (req, res) => {
    const query = compareQuery.parse(req.query);
    res.json(await workbench.compare(query.path, query.from, query.to));
  });

  router.post('/workbench/rollback', async (req, res) => {
    const body = rollbackBody.parse(req.body);
    res.json(await workbench.rollback({ ...body, author: author(req) }));
  });

  router.post('/workbench/preview', async (req, res) => {
    const body = previewBody.parse(req.body);
    const locales = deps.locales();
    res.json({
      previews: await simulator.preview(sessionOf(req).user.id, { ...body, locales }),
    });
  });

  router.post('/workbench/simulator', async (req, res) => {
    const body = startBody.parse(req.body);
    const userId = sessionOf(req).user.id;
    const { sessionId } = await simulator.start(userId, {
      drafts: body.drafts,
      channel: body.channel,
      locale: body.locale,
      returning: body.returning,
      ...(body.firstName ? { firstName: body.firstName } : {}),
    });
    res.status(201).json({ sessionId, turn: simulator.state(userId, sessionId) });
  });

  router.post('/workbench/simulator/:id/act', async (req, res) => {
    const body = actionBody.parse(req.body);
    res.json(await simulator.act(sessionOf(req).user.id, String(req.params.id), body.action));
  });

  router.post('/workbench/simulator/:id/record', async (req, res) => {
    const body = recordBody.parse(req.body);
    const text = simulator.record(sessionOf(req).user.id, String(req.params.id), body.name);
    const file = `tests/${body.file ?? slug(body.name)}.test.yaml`;
    const existing = await workbench.folder.read(file);
    if (existing !== null) {
      res.status(409).json({ error: `${file} already exists; choose another name` });
      return;
    }
    const saved = await workbench.save({
      path: file,
      text,
      baseHash: contentHash(null),
      author: author(req),
      message: `${file}: recorded in the simulator by ${author(req).name}`,
    });
    res.status(201).json({ path: file, text, version: saved.version });
  });

  router.delete('/workbench/simulator/:id', async (req, res) => {
    await simulator.stop(sessionOf(req).user.id, String(req.params.id));
    res.status(204).end();
  });

  router.post('/workbench/tests/run', async (req, res) => {
    const body = testsBody.parse(req.body);
    const results = await simulator.runTests({
      drafts: body.drafts,
      ...(body.file ? { file: body.file } : {}),
    });
    res.json({
      passed: results.filter((result) => result.passed).length,
      failed: results.filter((result) => !result.passed).length,
      results,
    });
  });

  router.get('/workbench/faq/unanswered', async (_req, res) => {
    const questions = deps.unanswered ? await deps.unanswered.summarize({ limit: 50 }) : [];
    res.json({ questions });
  });

  router.post('/workbench/faq/paraphrase', async (req, res) => {
    const body = paraphraseBody.parse(req.body);
    if (!body.path.startsWith('faq/'))
      throw new ParaphraseError('paraphrases go into a knowledge-base file (faq/…)');
    const current = await workbench.folder.read(body.path);
    if (current === null) throw new WorkbenchNotFoundError(`there is no file "${body.path}"`);
    const text = addParaphrase(current, body.entryId, body.locale, body.question);
    const saved = await workbench.save({
      path: body.path,
      text,
      baseHash: contentHash(current),
      author: author(req),
      message: `${body.path}: "${body.question.slice(0, 60)}" added to ${body.entryId} by ${author(req).name}`,
    });
    res.json({ ...saved, text });
  });

  router.post('/workbench/faq/eval', async (_req, res) => {
    res.json(await runFaqEval(workbench.folder.dir));
  });

  router.use('/workbench', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof z.ZodError) {
      res.status(400).json({
        error: error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
      });
      return;
    }
    if (error instanceof WorkbenchConflictError) {
      res.status(409).json({
        error: error.message,
        current: error.current,
        lastVersion: error.lastVersion ?? null,
        diff: error.diff ?? null,
      });
      return;
    }
    if (error instanceof WorkbenchInvalidError) {
      res.status(422).json({ error: error.message, problems: error.problems });
      return;
    }
    if (error instanceof DraftSetInvalidError) {
      res.status(422).json({ error: error.message, problems: error.problems });
      return;
    }
    if (
      error instanceof WorkbenchPathError ||
      error instanceof WorkbenchNotFoundError ||
      error instanceof SimulatorInputError ||
      error instanceof ParaphraseError
    ) {
      res.status(error instanceof WorkbenchNotFoundError ? 404 : error.status).json({ error: error.message });
      return;
    }
    deps.logger.error({ err: error }, 'workbench request failed');
    next(error);
  });
  return router;
}

function slug(name: string): string {
  const base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return base || 'recorded';
}
