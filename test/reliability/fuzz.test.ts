/**
 * Property-based fuzzing (fast-check) of the flow loader, the YAML data reader and every webhook parser.
 * Random and mutated inputs must never throw outside the validation path (a zod safeParse that fails is the
 * validation path; anything thrown is a defect) and every flow problem must carry file:line:column.
 * Sized for well under a minute on a busy 2-core machine; the figures are printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { activitySchema, normalizeActivity } from '../../src/channels/messenger-botframework/inbound.js';
import { normalizeMessengerWebhook } from '../../src/channels/messenger-meta/inbound.js';
import { messengerWebhookSchema } from '../../src/channels/messenger-meta/payload.js';
import { normalizeTelegramUpdate } from '../../src/channels/telegram/inbound.js';
import { telegramUpdateSchema } from '../../src/channels/telegram/update-schema.js';
import { webchatPostToInbound } from '../../src/channels/webchat/inbound.js';
import { webchatPostSchema } from '../../src/channels/webchat/protocol.js';
import { normalizeWhatsAppWebhook } from '../../src/channels/whatsapp-cloud/inbound.js';
import { whatsAppWebhookSchema } from '../../src/channels/whatsapp-cloud/payload.js';
import { parseFlowFile, parseSettingsFile } from '../../src/flows/loader.js';
import { parseYamlWith } from '../../src/yaml/validated-yaml.js';

const root = resolve(import.meta.dirname, '..', '..');
const SEED = 20261202;
const FLOW_RUNS = 600;
const PARSER_RUNS = 600;

const flowTexts = readdirSync(join(root, 'flows'))
  .filter((name) => name.endsWith('.yaml') && name !== 'settings.yaml')
  .map((name) => readFileSync(join(root, 'flows', name), 'utf8'));
const settingsText = readFileSync(join(root, 'flows', 'settings.yaml'), 'utf8');
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'meta', name), 'utf8'));

/** What YAML makes of stray characters: anchors, aliases, merges, flow collections, tabs, tags, quotes. */
const yamlNoise = fc.constantFrom(
  '&a ',
  '*a',
  '*nope',
  '<<: *a',
  ': ',
  '- ',
  '\t',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '!!binary ',
  '!tag ',
  '? ',
  '|',
  '>',
  '#',
  '---\n',
  '...\n',
  '\n',
  '  ',
  '%YAML 1.2\n',
  '@',
  '`',
  '\u0000',
);

const BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
].join('\n');

type Mutation = (text: string) => string;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), yamlNoise).map(([at, noise]) => (t: string) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + noise + t.slice(i);
  }),
  fc.tuple(fc.nat(), fc.nat(40)).map(([at, length]) => (t: string) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + t.slice(i + length);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([from, to]) => (t: string) => {
    const lines = t.split('\n');
    const line = lines[from % lines.length] ?? '';
    lines.splice(to % (lines.length + 1), 0, line);
    return lines.join('\n');
  }),
  fc.nat().map((at) => (t: string) => {
    const lines = t.split('\n');
    lines.splice(at % (lines.length + 1), 0, BOMB);
    return lines.join('\n');
  }),
  fc.nat().map((at) => (t: string) => {
    const lines = t.split('\n');
    const i = at % lines.length;
    lines[i] = (lines[i] ?? '').replace(/: (\S.*)$/, ': *undefined_anchor');
    return lines.join('\n');
  }),
);

const mutatedFlow = fc
  .tuple(fc.nat(flowTexts.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([index, steps]) => steps.reduce((text, step) => step(text), flowTexts[index] ?? ''));

interface Figures {
  tried: number;
  uncaught: number;
  withoutPosition: number;
  problems: number;
  examples: string[];
}

function report(name: string, figures: Figures): void {
  console.log(
    `fuzz ${name}: ${figures.tried} inputs tried, ${figures.problems} problems reported, ` +
      `uncaught exceptions = ${figures.uncaught}, problems without position = ${figures.withoutPosition}`,
  );
}

const positioned = (p: { file?: unknown; line?: unknown; column?: unknown }) =>
  typeof p.file === 'string' &&
  p.file.length > 0 &&
  Number.isInteger(p.line) &&
  (p.line as number) >= 1 &&
  Number.isInteger(p.column) &&
  (p.column as number) >= 1;

describe('fuzzing', { timeout: 120_000 }, () => {
  it('the flow loader turns every mutated flow file into a result or positioned problems', () => {
    const figures: Figures = { tried: 0, uncaught: 0, withoutPosition: 0, problems: 0, examples: [] };
    const check = (text: string, file: string, settings = false) => {
      figures.tried += 1;
      try {
        const { problems } = settings ? parseSettingsFile(text, file) : parseFlowFile(text, file);
        figures.problems += problems.length;
        for (const problem of problems) {
          if (!positioned(problem)) {
            figures.withoutPosition += 1;
            if (figures.examples.length < 3) figures.examples.push(JSON.stringify(problem));
          }
        }
      } catch (error) {
        figures.uncaught += 1;
        if (figures.examples.length < 3) figures.examples.push(String(error));
      }
    };
    // The two shapes that escaped before, by name, then random mutations.
    check(`id: bomb\n${BOMB}\nsteps: {}\n`, 'flows/bomb.yaml');
    check('id: dangling\nsteps: *nowhere\n', 'flows/dangling.yaml');
    check(`${BOMB}\n`, 'flows/settings.yaml', true);
    fc.assert(
      fc.property(mutatedFlow, (text) => {
        check(text, 'flows/mutated.yaml');
        return true;
      }),
      { numRuns: FLOW_RUNS, seed: SEED },
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (steps) => {
        check(
          steps.reduce((text, step) => step(text), settingsText),
          'flows/settings.yaml',
          true,
        );
        return true;
      }),
      { numRuns: 150, seed: SEED },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        check(text, 'flows/random.yaml');
        return true;
      }),
      { numRuns: 300, seed: SEED },
    );
    report('flow loader', figures);
    expect(figures.examples).toEqual([]);
    expect(figures.uncaught).toBe(0);
    expect(figures.withoutPosition).toBe(0);
  });

  it('the YAML data reader reports alias bombs and dangling aliases with their position', () => {
    const schema = z.object({ entries: z.array(z.unknown()) }).loose();
    const figures: Figures = { tried: 0, uncaught: 0, withoutPosition: 0, problems: 0, examples: [] };
    const base = 'entries:\n  - id: a\n    answer: Hallo\n  - id: b\n    answer: Tschüss\n';
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (steps) => {
        figures.tried += 1;
        try {
          const result = parseYamlWith(
            schema,
            steps.reduce((text, step) => step(text), base),
            'flows/faq/kb.yaml',
          );
          if (!result.ok) {
            figures.problems += result.problems.length;
            figures.withoutPosition += result.problems.filter((p) => !positioned(p)).length;
          }
        } catch (error) {
          figures.uncaught += 1;
          if (figures.examples.length < 3) figures.examples.push(String(error));
        }
        return true;
      }),
      { numRuns: 400, seed: SEED },
    );
    const bomb = parseYamlWith(schema, `entries: []\n${BOMB}\n`, 'kb.yaml');
    expect(bomb.ok).toBe(false);
    if (!bomb.ok) expect(bomb.problems[0]).toMatchObject({ file: 'kb.yaml', line: 3 });
    const dangling = parseYamlWith(schema, 'entries:\n  - *gone\n', 'kb.yaml');
    expect(dangling.ok).toBe(false);
    if (!dangling.ok) expect(dangling.problems[0]?.message).toMatch(/\*gone/);
    report('YAML data reader', figures);
    expect(figures.examples).toEqual([]);
    expect(figures.uncaught).toBe(0);
    expect(figures.withoutPosition).toBe(0);
  });

  /** Random JSON, and valid samples with one part replaced by random JSON. */
  function inputsFrom(samples: unknown[]): fc.Arbitrary<unknown> {
    const mutated = fc
      .tuple(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 3 })), { maxLength: 4 }),
      )
      .map(([sample, replacements]) => {
        const copy = structuredClone(sample) as unknown;
        for (const [pick, value] of replacements) {
          const holders: Array<[Record<string, unknown>, string]> = [];
          const walk = (node: unknown) => {
            if (node && typeof node === 'object') {
              for (const key of Object.keys(node)) {
                holders.push([node as Record<string, unknown>, key]);
                walk((node as Record<string, unknown>)[key]);
              }
            }
          };
          walk(copy);
          const target = holders[pick % Math.max(holders.length, 1)];
          if (target) target[0][target[1]] = value;
        }
        return copy;
      });
    return fc.oneof(mutated, mutated, fc.jsonValue({ maxDepth: 5 }), fc.anything({ maxDepth: 3 }));
  }

  const now = new Date('2026-12-02T10:00:00Z');
  const parsers: Array<{ name: string; samples: unknown[]; parse(input: unknown): void }> = [
    {
      name: 'Telegram',
      samples: [
        {
          update_id: 1,
          message: {
            message_id: 1,
            date: 1,
            chat: { id: 5, type: 'private' },
            from: { id: 5, is_bot: false },
            text: '/start ref_1',
            entities: [{ type: 'bot_command', offset: 0, length: 6 }],
          },
        },
        {
          update_id: 2,
          callback_query: {
            id: 'c',
            from: { id: 5 },
            message: { message_id: 3, chat: { id: 5, type: 'private' } },
            data: 'x',
          },
        },
        {
          update_id: 3,
          message: {
            message_id: 2,
            chat: { id: 5, type: 'private' },
            photo: [{ file_id: 'p' }],
            caption: 'hi',
          },
        },
      ],
      parse(input) {
        const parsed = telegramUpdateSchema.safeParse(input);
        if (parsed.success) normalizeTelegramUpdate(parsed.data, now);
      },
    },
    {
      name: 'WhatsApp Cloud',
      samples: [
        'whatsapp-text.json',
        'whatsapp-interactive.json',
        'whatsapp-media.json',
        'whatsapp-referral.json',
        'whatsapp-statuses.json',
        'whatsapp-template-button.json',
      ].map(fixture),
      parse(input) {
        const parsed = whatsAppWebhookSchema.safeParse(input);
        if (parsed.success) normalizeWhatsAppWebhook(parsed.data);
      },
    },
    {
      name: 'Messenger',
      samples: [
        'messenger-message.json',
        'messenger-postback-referral.json',
        'messenger-referral.json',
        'messenger-delivery-read.json',
      ].map(fixture),
      parse(input) {
        const parsed = messengerWebhookSchema.safeParse(input);
        if (parsed.success) normalizeMessengerWebhook(parsed.data, { getStartedPayload: 'GET_STARTED' });
      },
    },
    {
      name: 'Bot Framework',
      samples: ['botframework-facebook-get-started.json', 'botframework-facebook-quick-reply.json'].map(
        fixture,
      ),
      parse(input) {
        const parsed = activitySchema.safeParse(input);
        if (parsed.success) normalizeActivity(parsed.data, {}, { getStartedPayload: 'GET_STARTED' }, now);
      },
    },
    {
      name: 'web chat',
      samples: [
        { sessionId: 'abcdefghijklmnop1234', messageId: 'msg-00000001', text: 'Hallo', locale: 'de-DE' },
        { sessionId: 'abcdefghijklmnop1234', messageId: 'msg-00000002', start: true, startPayload: 'ref_1' },
        { sessionId: 'abcdefghijklmnop1234', messageId: 'msg-00000003', payload: 'yes' },
      ],
      parse(input) {
        const parsed = webchatPostSchema.safeParse(input);
        if (parsed.success) webchatPostToInbound(parsed.data, now);
      },
    },
  ];

  it.each(parsers)('the $name webhook parser never throws outside validation', (parser) => {
    const figures: Figures = { tried: 0, uncaught: 0, withoutPosition: 0, problems: 0, examples: [] };
    fc.assert(
      fc.property(inputsFrom(parser.samples), (input) => {
        figures.tried += 1;
        try {
          parser.parse(input);
        } catch (error) {
          figures.uncaught += 1;
          if (figures.examples.length < 3) figures.examples.push(String(error));
        }
        return true;
      }),
      { numRuns: PARSER_RUNS, seed: SEED },
    );
    report(`${parser.name} parser`, figures);
    expect(figures.examples).toEqual([]);
    expect(figures.uncaught).toBe(0);
  });
});
