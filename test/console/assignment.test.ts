/**
 * Assignment rules and away status over real HTTP on SQLite and PostgreSQL: round-robin among the signed-in,
 * available agents of the chat's team with a cap per agent, away agents and strangers to the team skipped, freed
 * capacity and coming back from a break assign the waiting chats; who may reassign and who sees the inbox at all.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe.each(dialectsUnderTest)('assignment rules on %s', (dialect) => {
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

  async function setup(mode: 'manual' | 'round_robin') {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    flowsDir = join(mkdtempSync(join(tmpdir(), 'plausch-assign-')), 'flows');
    cpSync('flows', flowsDir, { recursive: true });
    const file = join(flowsDir, 'handoff', 'settings.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(/^ {2}mode: manual$/m, `  mode: ${mode}`)
        .replace(/^ {2}max_chats_per_agent: 3$/m, '  max_chats_per_agent: 2'),
    );
    instance = await startConsoleInstance(store, { flowsDir });
    const staff = {
      anna: await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna Berger'),
      ben: await addStaff(store, 'ben@bohnenglueck.de', 'agent', 'service', 'Ben Roth'),
      tom: await addStaff(store, 'tom@bohnenglueck.de', 'agent', 'service', 'Tom'),
      sara: await addStaff(store, 'sara@bohnenglueck.de', 'agent', 'sales', 'Sara'),
      sven: await addStaff(store, 'sven@bohnenglueck.de', 'supervisor', null, 'Sven'),
      mia: await addStaff(store, 'mia@bohnenglueck.de', 'marketer', null, 'Mia'),
    };
    const client = async (email: string) => {
      const c = new ConsoleClient(instance!.baseUrl);
      expect((await c.login(email)).status).toBe(200);
      return c;
    };
    return { store, client, instance, staff };
  }

  async function asksForPerson(customer: string): Promise<string> {
    await instance!.plausch.runtime.accept(inbound(customer, 'Ich möchte mit einem Mitarbeiter sprechen'));
    await instance!.plausch.runtime.whenIdle();
    const row = await instance!.plausch.store.db
      .selectFrom('conversations as c')
      .innerJoin('contacts as k', 'k.id', 'c.contact_id')
      .select(['c.id'])
      .where('k.channel_contact_id', '=', customer)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function ownerOf(id: string): Promise<{ status: string; assigned_agent_id: string | null }> {
    return instance!.plausch.store.db
      .selectFrom('conversations')
      .select(['status', 'assigned_agent_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  const ownedBy = async (id: string, agentId: string | null) =>
    (await ownerOf(id)).assigned_agent_id === agentId;

  it('assigns round-robin within the team up to the cap, skips away and signed-out agents, and refills freed places', async () => {
    const s = await setup('round_robin');
    const { anna, ben, tom, sven } = s.staff;
    // Signed in: Anna, Ben (service), Sara (sales), Sven (supervisor without a team). Tom never signs in.
    const annaC = await s.client('anna@bohnenglueck.de');
    const benC = await s.client('ben@bohnenglueck.de');
    await s.client('sara@bohnenglueck.de');
    const svenC = await s.client('sven@bohnenglueck.de');

    const chats: string[] = [];
    for (const customer of ['r-1', 'r-2', 'r-3', 'r-4', 'r-5']) {
      chats.push(await asksForPerson(customer));
      // Each one is placed before the next customer writes, so the order is the round-robin's.
      await s.instance.plausch.runtime.whenIdle();
      await waitFor(
        async () => (await ownerOf(chats.at(-1)!)).status === 'agent' || chats.length === 5,
        `an agent for ${customer}`,
      );
    }
    const [c1, c2, c3, c4, c5] = chats as [string, string, string, string, string];
    expect(await ownedBy(c1, anna.id)).toBe(true);
    expect(await ownedBy(c2, ben.id)).toBe(true);
    expect(await ownedBy(c3, anna.id)).toBe(true);
    expect(await ownedBy(c4, ben.id)).toBe(true);
    // Both at the cap of 2; Sara is not in the team, Sven has none, Tom is not signed in: c5 waits.
    expect(await ownerOf(c5)).toEqual({ status: 'queued', assigned_agent_id: null });
    for (const agent of [tom, sven, s.staff.sara]) {
      const owned = await s.store.db
        .selectFrom('conversations')
        .select('id')
        .where('assigned_agent_id', '=', agent.id)
        .execute();
      expect(owned).toEqual([]);
    }
    // The customer is told who is there, as with a take-over.
    await waitFor(
      () => s.instance.adapter.textsTo('r-1').includes('Anna aus dem Team ist jetzt für dich da.'),
      'the notice to r-1',
    );
    const line = await s.store.db
      .selectFrom('messages')
      .select('text')
      .where('conversation_id', '=', c2)
      .where('direction', '=', 'internal')
      .execute();
    expect(line.map((l) => l.text)).toContain('Assigned to Ben Roth (round-robin)');

    // Anna takes a break: her closed chat frees a place, but she gets nothing while away.
    expect((await annaC.json('PUT', '/console/api/me/availability', { status: 'away' })).status).toBe(200);
    const team = await benC.json<{
      items: Array<{ id: string; availability: string; openChats: number; online: boolean }>;
    }>('GET', '/console/api/colleagues');
    expect(team.body.items.find((i) => i.id === anna.id)).toMatchObject({
      availability: 'away',
      openChats: 2,
      online: true,
    });
    expect(team.body.items.find((i) => i.id === tom.id)).toMatchObject({ online: false });
    expect((await annaC.request('POST', `/console/api/conversations/${c1}/close`)).status).toBe(200);
    await s.instance.plausch.runtime.whenIdle();
    expect(await ownerOf(c5)).toEqual({ status: 'queued', assigned_agent_id: null });

    // Ben closes one: c5 goes to him (the only available member with a free place).
    expect((await benC.request('POST', `/console/api/conversations/${c2}/close`)).status).toBe(200);
    await waitFor(() => ownedBy(c5, ben.id), 'c5 assigned to Ben after his close');

    // Anna is back; the next new chat is hers (Ben is at the cap again).
    expect((await annaC.json('PUT', '/console/api/me/availability', { status: 'available' })).status).toBe(
      200,
    );
    const c6 = await asksForPerson('r-6');
    await waitFor(() => ownedBy(c6, anna.id), 'c6 assigned to Anna');

    // A supervisor reassigns beyond the cap by hand; Anna's customer hears who is there now.
    expect(
      (await svenC.request('POST', `/console/api/conversations/${c3}/assign`, { agentId: ben.id })).status,
    ).toBe(200);
    expect(await ownedBy(c3, ben.id)).toBe(true);
    await waitFor(
      () => s.instance.adapter.textsTo('r-3').includes('Ben aus dem Team ist jetzt für dich da.'),
      'the notice after the reassignment',
    );
  });

  it('counts only agents whose console is open: a quiet session gets nothing until its heartbeat', async () => {
    const s = await setup('round_robin');
    const annaC = await s.client('anna@bohnenglueck.de');
    await s.client('ben@bohnenglueck.de');
    // Both closed the tab ten minutes ago (their sessions are still valid for hours).
    await s.store.db
      .updateTable('console_sessions' as never)
      .set({ last_seen_at: s.instance.now().getTime() - 10 * 60_000 } as never)
      .execute();
    const id = await asksForPerson('h-1');
    await s.instance.plausch.runtime.whenIdle();
    expect(await ownerOf(id)).toEqual({ status: 'queued', assigned_agent_id: null });
    const team = await annaC.json<{ items: Array<{ id: string; online: boolean }> }>(
      'GET',
      '/console/api/colleagues',
    );
    // Anna's own request just now counts; Ben is still away from the console.
    expect(team.body.items.find((i) => i.id === s.staff.ben.id)?.online).toBe(false);
    // Anna's console comes back: its next heartbeat hands her the waiting chat.
    expect((await annaC.request('GET', '/console/api/availability')).status).toBe(200);
    await waitFor(() => ownedBy(id, s.staff.anna.id), 'the waiting chat assigned on the heartbeat');
  });

  it('keeps permissions: agents reassign only their own chats, marketers see no inbox, bad statuses are refused', async () => {
    const s = await setup('manual');
    const { anna, ben } = s.staff;
    const annaC = await s.client('anna@bohnenglueck.de');
    const benC = await s.client('ben@bohnenglueck.de');
    const miaC = await s.client('mia@bohnenglueck.de');
    const svenC = await s.client('sven@bohnenglueck.de');

    // Manual mode: the chat waits although Anna and Ben are signed in and available.
    const id = await asksForPerson('p-1');
    await s.instance.plausch.runtime.whenIdle();
    expect(await ownerOf(id)).toEqual({ status: 'queued', assigned_agent_id: null });

    expect((await annaC.request('POST', `/console/api/conversations/${id}/take`)).status).toBe(200);
    // Ben may neither pass on Anna's chat nor take it from her.
    expect(
      (await benC.request('POST', `/console/api/conversations/${id}/assign`, { agentId: ben.id })).status,
    ).toBe(403);
    expect((await benC.request('POST', `/console/api/conversations/${id}/take`)).status).toBe(409);
    expect(await ownedBy(id, anna.id)).toBe(true);
    // Anna may pass on her own; the supervisor may move it again.
    expect(
      (await annaC.request('POST', `/console/api/conversations/${id}/assign`, { agentId: ben.id })).status,
    ).toBe(200);
    expect(await ownedBy(id, ben.id)).toBe(true);
    expect(
      (await svenC.request('POST', `/console/api/conversations/${id}/assign`, { agentId: anna.id })).status,
    ).toBe(200);
    expect(await ownedBy(id, anna.id)).toBe(true);
    expect(
      (await svenC.request('POST', `/console/api/conversations/${id}/assign`, { agentId: 'nobody' })).status,
    ).toBe(400);

    // The marketer has no inbox and no availability.
    expect((await miaC.request('GET', '/console/api/conversations?view=waiting')).status).toBe(403);
    expect((await miaC.request('GET', `/console/api/conversations/${id}`)).status).toBe(403);
    expect((await miaC.request('GET', '/console/api/availability')).status).toBe(403);
    expect((await miaC.request('PUT', '/console/api/me/availability', { status: 'away' })).status).toBe(403);

    const bad = await annaC.json<{ error: string }>('PUT', '/console/api/me/availability', {
      status: 'asleep',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/available, away/);
    const mine = await annaC.json<{ me: string; items: Array<{ id: string; openChats: number }> }>(
      'GET',
      '/console/api/availability',
    );
    expect(mine.body.me).toBe('available');
    expect(mine.body.items.find((i) => i.id === anna.id)?.openChats).toBe(1);
    expect(mine.body.items.some((i) => i.id === s.staff.mia.id)).toBe(false);
  });
});
