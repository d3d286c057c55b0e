import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import type { ActionContext, ActionDefinition } from '../../../src/engine/actions.js';
import { faqActions } from '../../../src/features/faq/actions.js';
import { createFaqFeature } from '../../../src/features/faq/feature.js';
import { loadKnowledgeBase, parseKnowledgeBase } from '../../../src/features/faq/kb-loader.js';
import { buildMatcher } from '../../../src/features/faq/matcher.js';
import {
  InMemoryUnansweredQuestionSink,
  type UnansweredQuestionSink,
} from '../../../src/features/faq/unanswered.js';
import { silentLogger } from '../../../src/logger.js';
import type { Contact } from '../../../src/model/index.js';
import { openStore } from '../../../src/store/database.js';
import { migrateToLatest } from '../../../src/store/migrate.js';

const kb = parseKnowledgeBase([
  {
    file: 'test.yaml',
    text: `
entries:
  - id: shipping-time
    title: { de: Lieferzeit, en: Delivery time }
    questions:
      de: [Wie lange dauert der Versand?]
      en: [How long does shipping take?]
    answer: { de: Ein bis drei Werktage., en: One to three working days. }
    buttons:
      - label: { de: Sendung verfolgen, en: Track parcel }
        goto_flow: order-status
      - label: Shop
        url: https://shop.example/
  - id: subscription-pause
    title: { de: Abo pausieren, en: Pause subscription }
    questions: { de: [Abo pausieren], en: [Pause subscription] }
    answer: { de: Im Kundenkonto pausieren., en: Pause it in your account. }
  - id: subscription-cancel
    questions: { de: [Abo kündigen], en: [Cancel subscription] }
    answer: Im Kundenkonto.
`,
  },
]);
const matcher = buildMatcher(kb);
const NOW = new Date('2026-03-01T10:00:00Z');

const contact: Contact = {
  id: 'contact-1',
  channel: 'telegram',
  channelContactId: '42',
  displayName: null,
  firstName: null,
  lastName: null,
  username: null,
  phone: null,
  locale: 'de',
  tags: [],
  attributes: {},
  replyAddress: null,
  createdAt: NOW,
  lastInboundAt: NOW,
};

function context(input: ActionContext['input'], locale = 'de'): ActionContext {
  return {
    contact,
    conversationId: 'conversation-1',
    channel: 'telegram',
    locale,
    vars: {},
    flowId: 'service',
    stepId: 'answer',
    now: NOW,
    ...(input ? { input } : {}),
  };
}

function actions(sink: UnansweredQuestionSink = new InMemoryUnansweredQuestionSink()) {
  const list = faqActions(kb, matcher, sink);
  const byName = (name: string) => list.find((action) => action.name === name) as ActionDefinition;
  return { answer: byName('faq.answer'), show: byName('faq.show') };
}

describe('faq.answer', () => {
  it('declares its arguments and outcomes', () => {
    const { answer, show } = actions();
    expect(answer.outcomes).toEqual(['answered', 'clarify', 'unknown']);
    expect(show.outcomes).toEqual(['answered', 'unknown']);
    expect(answer.args.safeParse({ tags: ['shop'], threshold: 0.5 }).success).toBe(true);
    expect(answer.args.safeParse({ threshold: 2 }).success).toBe(false);
    expect(answer.args.safeParse({ colour: 'blue' }).success).toBe(false);
  });

  it('answers in the contact locale with follow-up buttons', async () => {
    const result = await actions().answer.run({}, context({ text: 'how long does shipping take' }, 'en'));
    expect(result.outcome).toBe('answered');
    expect(result.vars?.faq_entry).toBe('shipping-time');
    expect(result.messages).toEqual([
      {
        text: 'One to three working days.',
        buttons: [
          { label: 'Track parcel', payload: 'go:order-status' },
          { label: 'Shop', url: 'https://shop.example/' },
        ],
      },
    ]);
  });

  it('falls back to the default locale for a locale the entry does not have', async () => {
    const result = await actions().answer.run({}, context({ text: 'Versand dauer' }, 'fr'));
    expect(result.messages?.[0]?.text).toBe('Ein bis drei Werktage.');
  });

  it('asks back with one button per close candidate', async () => {
    const result = await actions().answer.run({}, context({ text: 'Abo' }));
    expect(result.outcome).toBe('clarify');
    const buttons = result.messages?.[0]?.buttons ?? [];
    expect(buttons.map((button) => button.payload).sort()).toEqual([
      'faq:subscription-cancel',
      'faq:subscription-pause',
    ]);
    // The title is the label where there is one, the first question otherwise.
    expect(buttons.map((button) => button.label).sort()).toEqual(['Abo kündigen', 'Abo pausieren']);
    expect(result.messages?.[0]?.text).toMatch(/meinst du/i);
  });

  it('records an unknown question and sends nothing', async () => {
    const sink = new InMemoryUnansweredQuestionSink();
    const result = await actions(sink).answer.run({}, context({ text: 'Verkauft ihr Fahrräder?' }));
    expect(result.outcome).toBe('unknown');
    expect(result.messages).toBeUndefined();
    expect(sink.records).toEqual([
      expect.objectContaining({
        text: 'Verkauft ihr Fahrräder?',
        locale: 'de',
        channel: 'telegram',
        contactId: 'contact-1',
        at: NOW,
      }),
    ]);
    expect(sink.records[0]?.bestScore).toBeGreaterThanOrEqual(0);
  });

  it('treats a message without text as unknown without logging it', async () => {
    const sink = new InMemoryUnansweredQuestionSink();
    expect((await actions(sink).answer.run({}, context({ payload: 'x' }))).outcome).toBe('unknown');
    expect(sink.records).toHaveLength(0);
  });

  it('still answers the customer when the unanswered log fails', async () => {
    const failing: UnansweredQuestionSink = { record: () => Promise.reject(new Error('db down')) };
    const errors: unknown[] = [];
    const list = faqActions(kb, matcher, failing, { onSinkError: (error) => errors.push(error) });
    const answer = list.find((action) => action.name === 'faq.answer')!;
    expect((await answer.run({}, context({ text: 'Fahrrad kaufen' }))).outcome).toBe('unknown');
    expect(errors).toHaveLength(1);
  });

  it('respects a tags filter', async () => {
    const list = faqActions(kb, matcher, new InMemoryUnansweredQuestionSink());
    const answer = list.find((action) => action.name === 'faq.answer')!;
    const result = await answer.run(
      { tags: ['nothing-has-this'] },
      context({ text: 'Wie lange dauert der Versand?' }),
    );
    expect(result.outcome).toBe('unknown');
  });
});

describe('country-specific answers', () => {
  it('answers with the line of the country the question names, else the general answer', async () => {
    const shipped = await loadKnowledgeBase('flows/faq');
    const list = faqActions(shipped, buildMatcher(shipped), new InMemoryUnansweredQuestionSink());
    const answer = list.find((action) => action.name === 'faq.answer')!;
    const austria = await answer.run({}, context({ text: 'Liefert ihr auch nach Österreich?' }));
    expect(austria.vars?.faq_entry).toBe('shipping-abroad');
    expect(austria.messages?.[0]?.text).toMatch(/nach Österreich/);
    const vienna = await answer.run({}, context({ text: 'schickt ihr auch nach wien' }));
    expect(vienna.messages?.[0]?.text).toMatch(/nach Österreich/);
    const france = await answer.run({}, context({ text: 'Liefert ihr nach Frankreich?' }));
    expect(france.vars?.faq_entry).toBe('shipping-abroad');
    expect(france.messages?.[0]?.text).toMatch(/alle EU-Länder/);
  });

  it('rejects a country key that is not an ISO code, with its position', () => {
    const text = `entries:
  - id: a
    questions: { de: [Frage] }
    answer: Antwort
    answer_by_country: { austria: Text }
`;
    expect(() => parseKnowledgeBase([{ file: 'x.yaml', text }])).toThrow(/x\.yaml:5:/);
  });
});

describe('faq.show', () => {
  it('answers the entry named by a pressed faq:<id> button', async () => {
    const result = await actions().show.run({}, context({ payload: 'faq:subscription-pause' }, 'en'));
    expect(result.outcome).toBe('answered');
    expect(result.messages?.[0]?.text).toBe('Pause it in your account.');
  });

  it('answers the entry named in its arguments', async () => {
    const result = await actions().show.run({ entry: 'shipping-time' }, context(undefined));
    expect(result.outcome).toBe('answered');
  });

  it('reports unknown for a missing or unknown entry', async () => {
    expect((await actions().show.run({}, context({ payload: 'faq:nope' }))).outcome).toBe('unknown');
    expect((await actions().show.run({}, context({ payload: 'faq:none' }))).outcome).toBe('unknown');
    expect((await actions().show.run({}, context({ text: 'hi' }))).outcome).toBe('unknown');
  });
});

describe('createFaqFeature reload', () => {
  it('answers from an edited knowledge base after reload and keeps the old one when the edit is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faq-reload-'));
    const entry = (answer: string) =>
      [
        'entries:',
        '  - id: opening-hours',
        '    questions:',
        '      de: [Wann habt ihr geöffnet?, Öffnungszeiten]',
        '      en: [When are you open?]',
        `    answer: { de: "${answer}", en: "${answer}" }`,
        '',
      ].join('\n');
    writeFileSync(join(dir, 'cafe.yaml'), entry('Mo–Fr 8–18 Uhr.'));
    const store = openStore({ databaseUrl: '', sqlitePath: ':memory:' });
    await migrateToLatest(store);
    try {
      const feature = await createFaqFeature(
        { store, config: loadConfig({}), logger: silentLogger, now: () => new Date() },
        { knowledgeBaseDir: dir },
      );
      const answer = feature.actions!.find((a) => a.name === 'faq.answer')!;
      const ask = async () =>
        (
          await answer.run(
            {},
            {
              contact: {
                id: 'c',
                channel: 'cli',
                channelContactId: 'c',
                displayName: null,
                firstName: null,
                lastName: null,
                username: null,
                phone: null,
                locale: 'de',
                tags: [],
                attributes: {},
                replyAddress: null,
                createdAt: new Date(),
                lastInboundAt: null,
              },
              conversationId: 'x',
              channel: 'cli',
              locale: 'de',
              vars: {},
              flowId: 'service',
              stepId: 'answer',
              now: new Date(),
              input: { text: 'Wann habt ihr geöffnet?' },
            },
          )
        ).messages?.[0]?.text;
      expect(await ask()).toContain('8–18');
      writeFileSync(join(dir, 'cafe.yaml'), entry('Jetzt täglich 7–20 Uhr.'));
      await feature.reload!();
      expect(await ask()).toContain('7–20');
      writeFileSync(join(dir, 'cafe.yaml'), 'entries: [ {{{ broken');
      await expect(feature.reload!()).rejects.toThrow();
      expect(await ask()).toContain('7–20');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
