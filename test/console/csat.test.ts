/**
 * CSAT over real HTTP on SQLite and PostgreSQL: the rating question after an agent closes a chat or hands it
 * back, asked once per handoff and only after a person wrote, never to an erased customer; typed digits and
 * buttons as answers, the optional comment, and the figure per agent and team (JSON and CSV).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRating } from '../../src/features/handoff/csat.js';
import { purgeExpired } from '../../src/features/privacy/retention.js';
import type { ChannelCapabilities } from '../../src/model/index.js';
import { inbound, waitFor } from '../runtime/helpers.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from './support.js';

notePostgresSkipped();

describe('reading a rating', () => {
  it('takes digits, stars and thumbs, and leaves ordinary messages alone', () => {
    expect(parseRating({ text: '4' }, 'five')).toEqual({ score: 4, comment: null });
    expect(parseRating({ text: ' 5/5 ' }, 'five')).toEqual({ score: 5, comment: null });
    expect(parseRating({ text: '4 Sterne' }, 'five')).toEqual({ score: 4, comment: null });
    expect(parseRating({ text: '⭐⭐⭐' }, 'five')).toEqual({ score: 3, comment: null });
    expect(parseRating({ text: '2 – hat zu lange gedauert' }, 'five')).toEqual({
      score: 2,
      comment: 'hat zu lange gedauert',
    });
    expect(parseRating({ buttonPayload: 'csat:1' }, 'five')).toEqual({ score: 1, comment: null });
    for (const text of ['2 Pakete fehlen', '6', '0', '45', 'vier', 'Danke!', ''])
      expect(parseRating({ text }, 'five')).toBeNull();
    expect(parseRating({ buttonPayload: 'csat:9' }, 'five')).toBeNull();
    expect(parseRating({ buttonPayload: 'welcome.menu', text: '4' }, 'five')).toBeNull();
    expect(parseRating({ text: '👍🏽' }, 'thumbs')).toEqual({ score: 5, comment: null });
    expect(parseRating({ text: '👎: zu langsam' }, 'thumbs')).toEqual({ score: 1, comment: 'zu langsam' });
    expect(parseRating({ text: '2' }, 'thumbs')).toEqual({ score: 1, comment: null });
    expect(parseRating({ text: 'vielleicht' }, 'thumbs')).toBeNull();
  });
});

describe.each(dialectsUnderTest)('CSAT on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  let instance: ConsoleInstance | undefined;
  let flowsDir = '';
  afterEach(async () => {
    await instance?.stop();
    await handle?.dispose();
    if (flowsDir) rmSync(flowsDir, { recursive: true, force: true });
    instance = undefined;
    handle = undefined;
    flowsDir = '';
  });

  async function setup(
    options: { settings?: (yaml: string) => string; capabilities?: Partial<ChannelCapabilities> } = {},
  ) {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    if (options.settings) {
      flowsDir = join(mkdtempSync(join(tmpdir(), 'plausch-csat-')), 'flows');
      cpSync('flows', flowsDir, { recursive: true });
      const file = join(flowsDir, 'handoff', 'settings.yaml');
      writeFileSync(file, options.settings(readFileSync(file, 'utf8')));
    }
    instance = await startConsoleInstance(store, {
      ...(flowsDir ? { flowsDir } : {}),
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    });
    const staff = {
      anna: await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna Berger'),
      ben: await addStaff(store, 'ben@bohnenglueck.de', 'agent', 'service', 'Ben Roth'),
      admin: await addStaff(store, 'ada@bohnenglueck.de', 'admin', null, 'Ada'),
      sven: await addStaff(store, 'sven@bohnenglueck.de', 'supervisor', null, 'Sven'),
    };
    const client = async (email: string) => {
      const c = new ConsoleClient(instance!.baseUrl);
      expect((await c.login(email)).status).toBe(200);
      return c;
    };
    return { store, client, instance, staff };
  }

  async function say(customer: string, message: Parameters<typeof inbound>[1], extra = {}) {
    await instance!.plausch.runtime.accept(inbound(customer, message, extra));
    await instance!.plausch.runtime.whenIdle();
  }

  /** A customer asks for a person and Anna (or `agent`) takes over and answers. */
  async function helped(customer: string, agent: ConsoleClient, reply = 'Gern geschehen!'): Promise<string> {
    await say(customer, 'Ich möchte mit einem Mitarbeiter sprechen');
    const row = await instance!.plausch.store.db
      .selectFrom('conversations as c')
      .innerJoin('contacts as k', 'k.id', 'c.contact_id')
      .select(['c.id', 'c.status'])
      .where('k.channel_contact_id', '=', customer)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('queued');
    expect((await agent.request('POST', `/console/api/conversations/${row.id}/take`)).status).toBe(200);
    if (reply)
      expect(
        (await agent.request('POST', `/console/api/conversations/${row.id}/reply`, { text: reply })).status,
      ).toBe(201);
    return row.id;
  }

  const questionTo = (customer: string) =>
    instance!.adapter.sends.filter(
      (x) => x.channelContactId === customer && x.message.text?.startsWith('Wie zufrieden warst du'),
    );

  async function surveys() {
    return instance!.plausch.store.db
      .selectFrom('csat_surveys' as never)
      .selectAll()
      .execute() as Promise<
      Array<{ agent_id: string; team: string; score: number | null; comment: string | null; scale: string }>
    >;
  }

  it('asks once after a closed chat, takes a typed digit and a comment, and shows it in the figures', async () => {
    const s = await setup();
    const anna = await s.client('anna@bohnenglueck.de');
    const id = await helped('c-1', anna);
    expect((await anna.request('POST', `/console/api/conversations/${id}/close`)).status).toBe(200);
    await waitFor(() => questionTo('c-1').length === 1, 'the rating question at the channel');
    const question = questionTo('c-1')[0]!.message;
    expect(question.text).toContain('Hilfe von Anna');
    // A text-only channel gets no "1) 1 … 5) 5" list: the question asks for a digit.
    expect(question.buttons).toBeUndefined();

    // Closing again (or a second close of the same handoff) does not ask again.
    expect((await anna.request('POST', `/console/api/conversations/${id}/close`)).status).toBe(403);
    const admin = await s.client('ada@bohnenglueck.de');
    expect((await admin.request('POST', `/console/api/conversations/${id}/close`)).status).toBe(200);

    await say('c-1', '4');
    await waitFor(
      () => s.instance.adapter.textsTo('c-1').some((t) => t?.startsWith('Danke für deine Bewertung')),
      'the thanks',
    );
    const thanks = s.instance.adapter.sends.find((x) => x.message.text?.startsWith('Danke für deine'))!;
    expect(thanks.message.buttons).toEqual([{ label: 'Nein, danke', payload: 'csat:skip' }]);
    await say('c-1', 'Schnell und freundlich');
    await waitFor(
      () => s.instance.adapter.textsTo('c-1').includes('Danke, das geben wir ans Team weiter.'),
      'the comment thanks',
    );
    // The survey is over: a later "5" is an ordinary message for the bot again.
    await say('c-1', '5');
    expect(questionTo('c-1')).toHaveLength(1);
    expect(await surveys()).toEqual([
      expect.objectContaining({
        agent_id: s.staff.anna.id,
        team: 'service',
        score: 4,
        comment: 'Schnell und freundlich',
        scale: 'five',
      }),
    ]);

    // The figure: per agent and per team, and the same rows as CSV.
    const figure = await admin.json<{
      columns: string[];
      rows: Array<Record<string, unknown>>;
      summary: Record<string, number | null>;
    }>('GET', '/console/api/insights/csat');
    expect(figure.status).toBe(200);
    expect(figure.body.rows).toEqual([
      {
        level: 'agent',
        team: 'service',
        agent: 'Anna Berger',
        asked: 1,
        answered: 1,
        avg_score: 4,
        satisfied_pct: 100,
      },
      {
        level: 'team',
        team: 'service',
        agent: null,
        asked: 1,
        answered: 1,
        avg_score: 4,
        satisfied_pct: 100,
      },
    ]);
    expect(figure.body.summary).toMatchObject({ asked: 1, answered: 1, response_rate: 1, avg_score: 4 });
    const csv = await admin.request('GET', '/console/api/insights/csat?format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('level,team,agent,asked,answered,avg_score,satisfied_pct');
    expect(lines[1]).toBe('agent,service,Anna Berger,1,1,4,100');
    // Supervisors see it beside the handling times.
    const sven = await s.client('sven@bohnenglueck.de');
    const metrics = await sven.json<{
      agents: Array<{ name: string; csatAverage: number | null; csatAnswered: number }>;
    }>('GET', '/console/api/metrics');
    expect(metrics.body.agents.find((a) => a.name === 'Anna Berger')).toMatchObject({
      csatAverage: 4,
      csatAnswered: 1,
    });
    // Agents do not read the marketing figures.
    expect((await anna.request('GET', '/console/api/insights/csat')).status).toBe(403);

    // The GDPR export carries the rating and comment; erasure blanks the comment, the score stays for the figures.
    const { contact_id: contactId } = await s.store.db
      .selectFrom('conversations')
      .select('contact_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const exported = await admin.json('GET', `/console/api/marketing/contacts/${contactId}/export`);
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).toContain('Schnell und freundlich');
    const erased = await admin.request('POST', `/console/api/marketing/contacts/${contactId}/erase`, {
      confirm: contactId,
    });
    expect(erased.status).toBe(200);
    expect(await surveys()).toEqual([expect.objectContaining({ score: 4, comment: null })]);
  });

  it('asks on a plain return to the bot with buttons where the channel has them; skips silent chats and erased customers', async () => {
    const s = await setup({
      capabilities: { buttonStyle: 'inline', maxButtons: 10, maxButtonLabelLength: 64 },
    });
    const anna = await s.client('anna@bohnenglueck.de');
    const ben = await s.client('ben@bohnenglueck.de');

    const returned = await helped('c-2', anna);
    expect((await anna.request('POST', `/console/api/conversations/${returned}/return`, {})).status).toBe(
      200,
    );
    await waitFor(() => questionTo('c-2').length === 1, 'the question after the return');
    expect(questionTo('c-2')[0]!.message.buttons?.map((b) => b.payload)).toEqual([
      'csat:1',
      'csat:2',
      'csat:3',
      'csat:4',
      'csat:5',
    ]);
    // The button, then "no, thanks" for the comment.
    await say('c-2', '', { text: undefined, buttonPayload: 'csat:5' });
    await say('c-2', '', { text: undefined, buttonPayload: 'csat:skip' });
    expect(await surveys()).toEqual([expect.objectContaining({ score: 5, comment: null })]);

    // Taken and closed without a word from the team: nothing to rate.
    const silent = await helped('c-3', ben, '');
    expect((await ben.request('POST', `/console/api/conversations/${silent}/close`)).status).toBe(200);

    // Erased before the close: never asked.
    const erased = await helped('c-4', ben);
    const contact = await s.store.db
      .selectFrom('conversations')
      .select('contact_id')
      .where('id', '=', erased)
      .executeTakeFirstOrThrow();
    await s.store.db
      .updateTable('contacts')
      .set({ erased_at: Date.now() } as never)
      .where('id', '=', contact.contact_id)
      .execute();
    expect((await ben.request('POST', `/console/api/conversations/${erased}/close`)).status).toBe(200);
    await s.instance.plausch.runtime.whenIdle();
    expect(questionTo('c-3')).toHaveLength(0);
    expect(questionTo('c-4')).toHaveLength(0);

    // Handed back into a flow step (the flow speaks, no question); closing it later does not ask about that chat.
    const intoFlow = await helped('c-7', ben);
    expect(
      (
        await ben.request('POST', `/console/api/conversations/${intoFlow}/return`, {
          flow: 'welcome',
          step: 'menu',
        })
      ).status,
    ).toBe(200);
    await s.instance.plausch.runtime.whenIdle();
    const admin = await s.client('ada@bohnenglueck.de');
    expect((await admin.request('POST', `/console/api/conversations/${intoFlow}/close`)).status).toBe(200);
    await s.instance.plausch.runtime.whenIdle();
    expect(questionTo('c-7')).toHaveLength(0);
    expect(await surveys()).toHaveLength(1);
  });

  it('blanks old comments with the transcript retention and keeps their scores', async () => {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    const day = 86_400_000;
    const now = Date.now();
    const row = (id: string, askedAt: number) => ({
      session_id: id,
      conversation_id: `c-${id}`,
      contact_id: `k-${id}`,
      channel: 'telegram',
      agent_id: null,
      team: 'service',
      scale: 'five',
      asked_at: askedAt,
      expires_at: askedAt + day,
      score: 3,
      answered_at: askedAt + 1000,
      comment: `Kommentar ${id}`,
      comment_until: null,
    });
    await store.db
      .insertInto('csat_surveys' as never)
      .values([row('old', now - 40 * day), row('new', now - 5 * day)] as never)
      .execute();
    await purgeExpired(store, { transcriptDays: 30, inboundDays: 0, clicksDays: 0 }, new Date(now));
    const rows = (await store.db
      .selectFrom('csat_surveys' as never)
      .select(['session_id', 'score', 'comment'] as never)
      .orderBy('session_id' as never)
      .execute()) as unknown as Array<{ session_id: string; score: number; comment: string | null }>;
    expect(rows).toEqual([
      { session_id: 'new', score: 3, comment: 'Kommentar new' },
      { session_id: 'old', score: 3, comment: null },
    ]);
  });

  it('follows the settings: thumbs, no comment, or off', async () => {
    const s = await setup({
      settings: (yaml) =>
        yaml
          .replace(/^ {2}scale: five$/m, '  scale: thumbs')
          .replace(/^ {2}comment_minutes: 10/m, '  comment_minutes: 0')
          .replace(/^ {2}ask_on_return: true$/m, '  ask_on_return: false'),
    });
    const anna = await s.client('anna@bohnenglueck.de');
    const id = await helped('c-5', anna);
    expect((await anna.request('POST', `/console/api/conversations/${id}/close`)).status).toBe(200);
    const thumbsTo = () =>
      s.instance.adapter.sends.filter((x) => x.message.text?.startsWith('War die Hilfe von Anna gut?'));
    await waitFor(() => thumbsTo().length === 1, 'the thumbs question');
    expect(thumbsTo()[0]!.message.buttons?.map((b) => b.label)).toEqual(['👍', '👎']);
    await say('c-5', '👎 – zu langsam');
    await waitFor(
      () => s.instance.adapter.textsTo('c-5').includes('Danke, das geben wir ans Team weiter.'),
      'the thanks without asking for a comment',
    );
    expect(await surveys()).toEqual([
      expect.objectContaining({ score: 1, comment: 'zu langsam', scale: 'thumbs' }),
    ]);

    // ask_on_return: false — a hand-back asks nothing.
    const back = await helped('c-6', anna);
    expect((await anna.request('POST', `/console/api/conversations/${back}/return`, {})).status).toBe(200);
    await s.instance.plausch.runtime.whenIdle();
    expect(s.instance.adapter.textsTo('c-6').some((t) => t?.startsWith('War die Hilfe'))).toBe(false);
  });
});
