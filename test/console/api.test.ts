/**
 * The console API against a real instance on SQLite and PostgreSQL: authentication, CSRF, roles, the atomic
 * take-over, replies and notes, return to the bot, close, retry of a failed message, canned replies, metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { inbound, waitFor } from '../runtime/helpers.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from './support.js';

notePostgresSkipped();

describe.each(dialectsUnderTest)('console API on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  let instance: ConsoleInstance | undefined;
  afterEach(async () => {
    await instance?.stop();
    await handle?.dispose();
    instance = undefined;
    handle = undefined;
  });

  async function setup() {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    instance = await startConsoleInstance(store);
    const staff = {
      anna: await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna'),
      ben: await addStaff(store, 'ben@bohnenglueck.de', 'agent', 'service', 'Ben'),
      sara: await addStaff(store, 'sara@bohnenglueck.de', 'agent', 'sales', 'Sara'),
      sven: await addStaff(store, 'sven@bohnenglueck.de', 'supervisor', null, 'Sven'),
      ada: await addStaff(store, 'ada@bohnenglueck.de', 'admin', null, 'Ada'),
    };
    const client = async (email: string) => {
      const c = new ConsoleClient(instance!.baseUrl);
      expect((await c.login(email)).status).toBe(200);
      return c;
    };
    return { store, staff, client, instance };
  }

  /** A customer who complains: queued for team service. Returns the conversation id. */
  async function queuedComplaint(setupResult: Awaited<ReturnType<typeof setup>>, customer = 'c-1') {
    const { plausch } = setupResult.instance;
    await plausch.runtime.accept(inbound(customer, 'Ich habe eine Beschwerde'));
    await plausch.runtime.whenIdle();
    const contact = await plausch.store.db
      .selectFrom('contacts')
      .select('id')
      .where('channel_contact_id', '=', customer)
      .executeTakeFirstOrThrow();
    const conversation = await plausch.store.db
      .selectFrom('conversations')
      .selectAll()
      .where('contact_id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect(conversation.status).toBe('queued');
    return conversation.id;
  }

  it('answers 401 without a session, a generic error for wrong credentials, and throttles failed sign-ins', async () => {
    const s = await setup();
    const anonymous = new ConsoleClient(s.instance.baseUrl);
    expect((await anonymous.request('GET', '/console/api/conversations')).status).toBe(401);
    expect((await anonymous.request('GET', '/console/api/events')).status).toBe(401);
    expect((await anonymous.request('POST', '/console/api/conversations/x/take')).status).toBe(401);

    const wrongPassword = await anonymous.login('anna@bohnenglueck.de', 'not-the-password');
    const unknownUser = await anonymous.login('nobody@bohnenglueck.de', 'not-the-password');
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(await wrongPassword.json()).toEqual(await unknownUser.json());

    for (let i = 0; i < 4; i += 1) await anonymous.login('anna@bohnenglueck.de', 'still-wrong-password');
    // Five failures on the account: even the right password waits now.
    const blocked = await anonymous.login('anna@bohnenglueck.de');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked by Anna's failures (per-IP limit is higher).
    expect((await anonymous.login('ben@bohnenglueck.de')).status).toBe(200);

    const cookie =
      (await new ConsoleClient(s.instance.baseUrl).login('ben@bohnenglueck.de')).headers.get('set-cookie') ??
      '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('refuses state changes without the CSRF token or from a foreign origin', async () => {
    const s = await setup();
    const id = await queuedComplaint(s);
    const anna = await s.client('anna@bohnenglueck.de');
    const noToken = await anna.request('POST', `/console/api/conversations/${id}/take`, undefined, {
      'X-CSRF-Token': '',
    });
    expect(noToken.status).toBe(403);
    const forged = await anna.request('POST', `/console/api/conversations/${id}/take`, undefined, {
      'X-CSRF-Token': 'forged-token-value-forged-token-v',
    });
    expect(forged.status).toBe(403);
    const foreign = await anna.request('POST', `/console/api/conversations/${id}/take`, undefined, {
      Origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    const conversation = await s.store.db
      .selectFrom('conversations')
      .select(['status', 'assigned_agent_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(conversation).toEqual({ status: 'queued', assigned_agent_id: null });
    expect((await anna.request('POST', `/console/api/conversations/${id}/take`)).status).toBe(200);
  });

  it('enforces roles on every route', async () => {
    const s = await setup();
    const id = await queuedComplaint(s);
    const anna = await s.client('anna@bohnenglueck.de');
    const sara = await s.client('sara@bohnenglueck.de');
    const sven = await s.client('sven@bohnenglueck.de');
    const ada = await s.client('ada@bohnenglueck.de');

    expect((await anna.request('GET', '/console/api/metrics')).status).toBe(403);
    expect((await anna.request('GET', '/console/api/users')).status).toBe(403);
    expect(
      (
        await anna.request('POST', '/console/api/canned-replies', {
          shortcut: 'hallo',
          locale: 'de',
          text: 'Hallo!',
        })
      ).status,
    ).toBe(403);
    expect((await sven.request('GET', '/console/api/metrics')).status).toBe(200);
    expect((await sven.request('GET', '/console/api/users')).status).toBe(403);
    expect((await ada.request('GET', '/console/api/users')).status).toBe(200);
    expect(
      (
        await ada.request('POST', '/console/api/users', {
          email: 'neu@bohnenglueck.de',
          displayName: 'Neu',
          role: 'agent',
          password: 'lang-genug-1234',
        })
      ).status,
    ).toBe(201);

    // Sara (team sales) neither sees nor reads the service team's complaint; Anna (service) does.
    expect(
      (await sara.json<{ items: unknown[] }>('GET', '/console/api/conversations?view=waiting')).body.items,
    ).toHaveLength(0);
    expect((await sara.request('GET', `/console/api/conversations/${id}`)).status).toBe(403);
    expect((await sara.request('GET', `/console/api/conversations/${id}/messages`)).status).toBe(403);
    expect(
      (
        await anna.json<{ items: Array<{ id: string }> }>('GET', '/console/api/conversations?view=waiting')
      ).body.items.map((i) => i.id),
    ).toEqual([id]);

    // Once Anna owns it, Ben (same team) may no longer read it or return it; the supervisor may.
    expect((await anna.request('POST', `/console/api/conversations/${id}/take`)).status).toBe(200);
    const ben = await s.client('ben@bohnenglueck.de');
    expect((await ben.request('GET', `/console/api/conversations/${id}`)).status).toBe(403);
    expect((await ben.request('POST', `/console/api/conversations/${id}/close`)).status).toBe(403);
    expect(
      (await anna.request('POST', `/console/api/conversations/${id}/assign`, { agentId: s.staff.ben.id }))
        .status,
    ).toBe(200);
    expect((await sven.request('GET', `/console/api/conversations/${id}`)).status).toBe(200);
  });

  it('lets exactly one of two agents take a conversation over at the same moment', async () => {
    const s = await setup();
    const id = await queuedComplaint(s);
    const anna = await s.client('anna@bohnenglueck.de');
    const ben = await s.client('ben@bohnenglueck.de');
    for (let round = 0; round < 3; round += 1) {
      const results = await Promise.all([
        anna.json<{ ownerName?: string }>('POST', `/console/api/conversations/${id}/take`),
        ben.json<{ ownerName?: string }>('POST', `/console/api/conversations/${id}/take`),
      ]);
      const statuses = results.map((r) => r.status).sort();
      // Round 0 decides the owner; later rounds: the owner's take is a no-op 200, the other gets 409.
      expect(statuses).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      expect(['Anna', 'Ben']).toContain(loser.body.ownerName);
    }
    const sessions = await s.store.db
      .selectFrom('conversations')
      .select(['assigned_agent_id'])
      .where('id', '=', id)
      .execute();
    expect([s.staff.anna.id, s.staff.ben.id]).toContain(sessions[0]!.assigned_agent_id);
  });

  it('sends replies through the outbox, keeps notes internal, hands back to the bot and closes', async () => {
    const s = await setup();
    const { plausch, adapter } = s.instance;
    const id = await queuedComplaint(s, 'c-reply');
    const anna = await s.client('anna@bohnenglueck.de');
    const ben = await s.client('ben@bohnenglueck.de');

    expect(
      (await anna.request('POST', `/console/api/conversations/${id}/reply`, { text: 'Hallo?' })).status,
    ).toBe(409);
    expect(
      (await anna.request('POST', `/console/api/conversations/${id}/reply`, { text: '   ' })).status,
    ).toBe(400);
    expect((await anna.request('POST', `/console/api/conversations/${id}/take`)).status).toBe(200);
    expect(
      (await ben.request('POST', `/console/api/conversations/${id}/reply`, { text: 'Ich auch' })).status,
    ).toBe(403);
    expect(
      (
        await anna.request('POST', `/console/api/conversations/${id}/reply`, {
          text: 'Hallo, hier ist Anna.',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await anna.request('POST', `/console/api/conversations/${id}/note`, {
          text: 'Kundin ist Stammkundin',
        })
      ).status,
    ).toBe(201);
    await waitFor(
      () => adapter.textsTo('c-reply').includes('Hallo, hier ist Anna.'),
      'the reply at the channel',
    );

    const outbox = await s.store.db
      .selectFrom('outbox')
      .select(['purpose', 'message'])
      .where('conversation_id', '=', id)
      .execute();
    // The takeover notice the customer got, then Anna's reply.
    expect(outbox.filter((r) => r.purpose === 'agent').map((r) => JSON.parse(r.message).text)).toEqual([
      'Anna aus dem Team ist jetzt für dich da.',
      'Hallo, hier ist Anna.',
    ]);
    expect(outbox.some((r) => r.message.includes('Stammkundin'))).toBe(false);
    const page = await anna.json<{
      messages: Array<{
        author: string;
        direction: string;
        text: string;
        agentName: string | null;
        delivery: { status: string } | null;
      }>;
    }>('GET', `/console/api/conversations/${id}/messages`);
    const reply = page.body.messages.find((m) => m.text === 'Hallo, hier ist Anna.')!;
    expect(reply).toMatchObject({ author: 'agent', direction: 'out', agentName: 'Anna' });
    expect(page.body.messages.find((m) => m.text === 'Kundin ist Stammkundin')).toMatchObject({
      direction: 'internal',
      author: 'agent',
    });
    const session = (await s.store.db
      .selectFrom('handoff_sessions' as never)
      .selectAll()
      .executeTakeFirstOrThrow()) as { first_response_at: number | null; agent_id: string };
    expect(session.first_response_at).not.toBeNull();
    expect(session.agent_id).toBe(s.staff.anna.id);

    // Return to the bot at a named step: the bot speaks again.
    expect(
      (await anna.request('POST', `/console/api/conversations/${id}/return`, { flow: 'nope' })).status,
    ).toBe(400);
    const sentBefore = adapter.sends.length;
    expect(
      (
        await anna.request('POST', `/console/api/conversations/${id}/return`, {
          flow: 'welcome',
          step: 'menu',
        })
      ).status,
    ).toBe(200);
    await plausch.runtime.whenIdle();
    await waitFor(() => adapter.sends.length > sentBefore, 'the bot starting welcome.menu');
    expect(
      (
        await s.store.db
          .selectFrom('conversations')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('bot');

    // Close: nobody owns it; metrics count it as handled by Anna.
    const sven = await s.client('sven@bohnenglueck.de');
    expect((await sven.request('POST', `/console/api/conversations/${id}/take`)).status).toBe(200);
    expect((await sven.request('POST', `/console/api/conversations/${id}/close`)).status).toBe(200);
    const closed = await sven.json<{ items: Array<{ id: string }> }>(
      'GET',
      '/console/api/conversations?view=closed',
    );
    expect(closed.body.items.map((i) => i.id)).toContain(id);
    const metrics = await sven.json<{
      agents: Array<{ name: string; handled: number; medianFirstResponseMs: number | null }>;
    }>('GET', '/console/api/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body.agents.find((a) => a.name === 'Anna')).toMatchObject({ handled: 1 });
    expect(metrics.body.agents.find((a) => a.name === 'Anna')!.medianFirstResponseMs).toBeGreaterThanOrEqual(
      0,
    );
  });

  it('shows a failed send as failed and sends it again on retry', async () => {
    const s = await setup();
    const { adapter } = s.instance;
    const id = await queuedComplaint(s, 'c-fail');
    const anna = await s.client('anna@bohnenglueck.de');
    await anna.request('POST', `/console/api/conversations/${id}/take`);
    // The customer is told first that Anna took over; only then does the next send (her reply) fail.
    await waitFor(
      () => adapter.textsTo('c-fail').some((text) => text?.includes('für dich da')),
      'the takeover notice',
    );
    adapter.failNext({ kind: 'permanent', message: 'bot was blocked by the user' });
    expect(
      (await anna.request('POST', `/console/api/conversations/${id}/reply`, { text: 'Sind Sie noch da?' }))
        .status,
    ).toBe(201);
    type Page = {
      messages: Array<{
        text: string;
        outboxId: string | null;
        delivery: { status: string; error: string | null } | null;
      }>;
    };
    const failedLine = async () =>
      (await anna.json<Page>('GET', `/console/api/conversations/${id}/messages`)).body.messages.find(
        (m) => m.text === 'Sind Sie noch da?',
      );
    await waitFor(async () => (await failedLine())?.delivery?.status === 'failed', 'the failed status');
    expect((await failedLine())!.delivery!.error).toContain('blocked');
    const outboxId = (await failedLine())!.outboxId!;
    expect((await anna.request('POST', `/console/api/outbox/${outboxId}/retry`)).status).toBe(200);
    await waitFor(() => adapter.textsTo('c-fail').includes('Sind Sie noch da?'), 'the retried send');
    expect((await anna.request('POST', `/console/api/outbox/${outboxId}/retry`)).status).toBe(409);
  });

  it('keeps canned replies with unique shortcuts per locale', async () => {
    const s = await setup();
    const sven = await s.client('sven@bohnenglueck.de');
    const created = await sven.json<{ id: string }>('POST', '/console/api/canned-replies', {
      shortcut: 'ersatz',
      locale: 'de',
      text: 'Wir schicken Ersatz.',
    });
    expect(created.status).toBe(201);
    expect(
      (
        await sven.request('POST', '/console/api/canned-replies', {
          shortcut: 'ersatz',
          locale: 'de',
          text: 'Doppelt',
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await sven.request('POST', '/console/api/canned-replies', {
          shortcut: 'Bad Shortcut',
          locale: 'de',
          text: 'x',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await sven.request('POST', '/console/api/canned-replies', {
          shortcut: 'ersatz',
          locale: 'en',
          text: 'We send a replacement.',
        })
      ).status,
    ).toBe(201);
    const anna = await s.client('anna@bohnenglueck.de');
    const list = await anna.json<{ items: Array<{ shortcut: string; locale: string }> }>(
      'GET',
      '/console/api/canned-replies',
    );
    const keys = list.body.items.map((c) => `${c.shortcut}/${c.locale}`);
    expect(keys.filter((k) => k.startsWith('ersatz/'))).toEqual(['ersatz/de', 'ersatz/en']);
    // Beside the brand's shipped replies (flows/handoff/canned-replies.yaml), in both languages.
    expect(keys).toEqual(expect.arrayContaining(['hallo/de', 'hallo/en', 'tschuess/de', 'tschuess/en']));
    expect((await sven.request('DELETE', `/console/api/canned-replies/${created.body.id}`)).status).toBe(204);
  });

  it('shows supervisors the channels and the WhatsApp Web QR code, and hides both from agents', async () => {
    const s = await setup();
    // A channel that is waiting for its QR scan, as WhatsApp Web does.
    Object.assign(s.instance.adapter, { currentQrCode: () => 'data:image/png;base64,UVJDT0RF' });
    const agent = await s.client('anna@bohnenglueck.de');
    expect((await agent.request('GET', '/console/api/channels')).status).toBe(403);
    const supervisor = await s.client('sven@bohnenglueck.de');
    const response = await supervisor.request('GET', '/console/api/channels');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: Array<{ name: string; qrCode: string | null }> };
    expect(body.items).toEqual([
      expect.objectContaining({ name: 'telegram', qrCode: 'data:image/png;base64,UVJDT0RF' }),
    ]);
  });
});
