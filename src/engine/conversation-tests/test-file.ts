/**
 * The conversation test format (`flows/tests/*.test.yaml`): a marketer-readable script of what the customer
 * does and what the bot must answer. Parsed with line numbers so failures point at the right line.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { MediaKind } from '../../model/index.js';

const texts = z
  .union([z.string(), z.array(z.string()).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** What a customer may send besides text, in the words a marketer uses. */
const MEDIA_WORDS: Record<string, MediaKind> = {
  photo: 'image',
  image: 'image',
  picture: 'image',
  foto: 'image',
  bild: 'image',
  voice: 'audio',
  'voice note': 'audio',
  'voice message': 'audio',
  audio: 'audio',
  sprachnachricht: 'audio',
  video: 'video',
  file: 'file',
  document: 'file',
  datei: 'file',
  dokument: 'file',
  sticker: 'sticker',
  location: 'location',
  standort: 'location',
};
const mediaKindSchema = z.string().transform((word, ctx) => {
  const kind = MEDIA_WORDS[word.trim().toLowerCase()];
  if (!kind) {
    ctx.addIssue({ code: 'custom', message: `media is one of ${Object.keys(MEDIA_WORDS).join(', ')}` });
    return z.NEVER;
  }
  return kind;
});

const UNIT_MS: Record<string, number> = {
  minute: 60_000,
  minuten: 60_000,
  hour: 3_600_000,
  stunde: 3_600_000,
  stunden: 3_600_000,
  day: 86_400_000,
  tag: 86_400_000,
  tage: 86_400_000,
  week: 7 * 86_400_000,
  woche: 7 * 86_400_000,
  wochen: 7 * 86_400_000,
};
/** `30 minutes`, `2 hours`, `3 days`, `1 week` (also German: `2 Stunden`, `3 Tage`) → milliseconds. */
const durationSchema = z.string().transform((text, ctx) => {
  const match = /^\s*(\d+(?:[.,]\d+)?)\s*([a-zA-Z]+?)s?\s*$/.exec(text);
  const unit = match ? UNIT_MS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'wait looks like "30 minutes", "2 hours", "3 days" or "1 week"',
    });
    return z.NEVER;
  }
  return Number(match[1]!.replace(',', '.')) * unit;
});

export const conversationStepSchema = z.union([
  z.strictObject({ user: z.union([z.string(), z.number()]).transform(String) }),
  z.strictObject({ press: z.string().min(1) }),
  z.strictObject({ payload: z.string().min(1) }),
  z.strictObject({ start: z.union([z.literal(true), z.string().min(1)]) }),
  z.strictObject({ start_flow: z.string().regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)?$/) }),
  z.strictObject({
    media: z.union([
      mediaKindSchema,
      z.strictObject({ kind: mediaKindSchema, caption: z.string().min(1).optional() }),
    ]),
  }),
  z.strictObject({ wait: durationSchema }),
  z.strictObject({ bot: texts, skip: z.boolean().optional() }),
  z.strictObject({ bot_exact: texts, skip: z.boolean().optional() }),
  z.strictObject({ buttons: z.array(z.string()) }),
  z.strictObject({ buttons_include: z.array(z.string()).min(1) }),
  z.strictObject({ no_reply: z.literal(true) }),
  z.strictObject({ replies: z.number().int().nonnegative() }),
  z.strictObject({
    state: z.strictObject({
      flow: z.string().nullable().optional(),
      step: z.string().nullable().optional(),
      awaiting: z.enum(['choice', 'input']).nullable().optional(),
      misses: z.number().int().nonnegative().optional(),
    }),
  }),
  z.strictObject({ vars: z.record(z.string(), z.unknown()) }),
  z.strictObject({ effects: z.array(z.string()) }),
  z.strictObject({ locale: z.string() }),
]);
export type ConversationStep = z.infer<typeof conversationStepSchema>;

export const conversationTestSchema = z.strictObject({
  name: z.string().min(1),
  locale: z.string().optional(),
  contact: z
    .strictObject({
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      displayName: z.string().optional(),
      username: z.string().optional(),
      tags: z.array(z.string()).optional(),
      /** true: the contact has talked with us before (last visit a week ago); default: a first-time visitor. */
      returning: z.boolean().optional(),
    })
    .optional(),
  channel: z.string().optional(),
  now: z.union([z.string(), z.date()]).optional(),
  /** Variables the conversation starts with. */
  vars: z.record(z.string(), z.unknown()).optional(),
  steps: z.array(z.unknown()).min(1),
});

export interface ConversationTest {
  name: string;
  file: string;
  line: number;
  locale?: string | undefined;
  contact: NonNullable<z.infer<typeof conversationTestSchema>['contact']>;
  channel?: string | undefined;
  now?: Date | undefined;
  vars: Record<string, unknown>;
  steps: Array<{ step: ConversationStep; line: number }>;
}

/** A test file that could not be read: reported like a failed test. */
export interface ConversationTestFileProblem {
  file: string;
  line: number;
  message: string;
}

export async function readConversationTests(
  testsDir: string,
): Promise<{ tests: ConversationTest[]; problems: ConversationTestFileProblem[] }> {
  let names: string[];
  try {
    names = (await readdir(testsDir)).filter((n) => /\.test\.ya?ml$/.test(n)).sort();
  } catch (error) {
    return {
      tests: [],
      problems: [
        { file: testsDir, line: 1, message: `cannot read the tests folder: ${(error as Error).message}` },
      ],
    };
  }
  const tests: ConversationTest[] = [];
  const problems: ConversationTestFileProblem[] = [];
  for (const name of names) {
    const file = join(testsDir, name);
    const parsed = parseConversationTests(await readFile(file, 'utf8'), file);
    tests.push(...parsed.tests);
    problems.push(...parsed.problems);
  }
  return { tests, problems };
}

/** One file may hold several tests, separated by `---`. */
export function parseConversationTests(
  text: string,
  file: string,
): { tests: ConversationTest[]; problems: ConversationTestFileProblem[] } {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const tests: ConversationTest[] = [];
  const problems: ConversationTestFileProblem[] = [];
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;
  if (!Array.isArray(documents)) {
    return { tests, problems: [{ file, line: 1, message: 'not a YAML document' }] };
  }
  for (const document of documents) {
    if (document.errors.length > 0) {
      const error = document.errors[0]!;
      problems.push({ file, line: lineOf(error.pos[0]), message: `YAML: ${error.message.split('\n')[0]}` });
      continue;
    }
    if (document.contents === null) continue;
    const docLine = lineOf(document.contents.range?.[0]);
    const result = conversationTestSchema.safeParse(document.toJS());
    if (!result.success) {
      const issue = result.error.issues[0]!;
      problems.push({ file, line: docLine, message: `${issue.path.join('.') || 'test'}: ${issue.message}` });
      continue;
    }
    const stepsNode = isMap(document.contents) ? document.contents.get('steps', true) : undefined;
    const stepNodes = isSeq(stepsNode) ? stepsNode.items : [];
    const steps: ConversationTest['steps'] = [];
    let broken = false;
    result.data.steps.forEach((raw, index) => {
      const node = stepNodes[index] as { range?: [number, number, number] } | undefined;
      const line = lineOf(node?.range?.[0]);
      const step = conversationStepSchema.safeParse(raw);
      if (!step.success) {
        broken = true;
        problems.push({ file, line, message: `step ${index + 1}: ${describeStepProblem(raw)}` });
        return;
      }
      steps.push({ step: step.data, line });
    });
    if (broken) continue;
    const now = result.data.now === undefined ? undefined : new Date(result.data.now);
    if (now && Number.isNaN(now.getTime())) {
      problems.push({
        file,
        line: docLine,
        message: `now: "${String(result.data.now)}" is not a date and time`,
      });
      continue;
    }
    tests.push({
      name: result.data.name,
      file,
      line: docLine,
      locale: result.data.locale,
      contact: result.data.contact ?? {},
      channel: result.data.channel,
      now,
      vars: result.data.vars ?? {},
      steps,
    });
  }
  return { tests, problems };
}

const STEP_KEYS = [
  'user',
  'press',
  'payload',
  'start',
  'start_flow',
  'media',
  'wait',
  'bot',
  'bot_exact',
  'buttons',
  'buttons_include',
  'no_reply',
  'replies',
  'state',
  'vars',
  'effects',
  'locale',
];

function describeStepProblem(raw: unknown): string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return `a step is one line like "user: Hallo" or "bot: Willkommen"`;
  }
  const keys = Object.keys(raw).filter((k) => k !== 'skip');
  const unknown = keys.filter((k) => !STEP_KEYS.includes(k));
  if (unknown.length > 0) return `unknown step "${unknown[0]}"; steps are ${STEP_KEYS.join(', ')}`;
  if (keys.length !== 1) return `one thing per step, found ${keys.join(' and ')}`;
  return `"${keys[0]}" has a value of the wrong kind`;
}
