/**
 * The contact in the inbox over real HTTP on SQLite and PostgreSQL: the platform's name, the name and tags agents
 * give, the contact's earlier conversations with their ratings, reply variables, and the brand's shipped canned
 * replies (seeded once; a deleted one stays deleted after a restart).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fillReplyVariables } from '../../src/console/api/reply-variables.js';
import { inbound, waitFor } from '../runtime/helpers.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from './support.js';

notePostgresSkipped();

describe('reply variables', () => {
  const vars = {
    contact: { firstName: 'Clara', name: 'Clara Weber' },
    agent: { name: 'Anna', fullName: 'Anna Berger' },
  };
  it('fills known variables and leaves no gap for an unknown name', () => {
    expect(fillReplyVariables('Hallo {{contact.firstName}}, hier ist {{ agent.name }}.', vars)).toBe(
      'Hallo Clara, hier ist Anna.',
    );
    expect(fillReplyVariables('{{agent.fullName}} / {{contact.name}}', vars)).toBe(
      'Anna Berger / Clara Weber',
    );
    const anonymous = { ...vars, contact: { firstName: '', name: '' } };
    expect(fillReplyVariables('Hallo {{contact.firstName}}, wie geht’s?', anonymous)).toBe(
      'Hallo, wie geht’s?',
    );
    expect(fillReplyVariables('Hi {{contact.age}} {{order.id}}', vars)).toBe(
      'Hi {{contact.age}} {{order.id}}',
    );
  });
});

describe.each(dialectsUnderTest)('the contact panel on %s', (dialect) => {
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
    await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna Berger');
    await addStaff(store, 'ben@bohnenglueck.de', 'agent', 'service', 'Ben Roth');
    await addStaff(store, 'mia@bohnenglueck.de', 'marketer', null, 'Mia');
    await addStaff(store, 'sven@bohnenglueck.de', 'supervisor', null, 'Sven');
    const client = async (email: string) => {
      const c = new ConsoleClient(instance!.baseUrl);
      expect((await c.login(email)).status).toBe(200);
      return c;
    };
    return { store, client };
  }

  async function say(customer: string, text: string, extra = {}) {
    await instance!.plausch.runtime.accept(inbound(customer, text, extra));
    await instance!.plausch.runtime.whenIdle();
  }

  async function conversationOf(customer: string): Promise<string> {
    const row = await instance!.plausch.store.db
      .selectFrom('conversations as c')
      .innerJoin('contacts as k', 'k.id', 'c.contact_id')
      .select('c.id')
      .where('k.channel_contact_id', '=', customer)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  interface Detail {
    contact: {
      name: string;
      profileName: string;
      agentName: string | null;
      firstName: string;
      channel: string;
      locale: string;
      tags: string[];
    };
    history: Array<{ state: string; reason: string; agentName: string | null; rating: number | null }>;
  }

  it('shows the profile, keeps the name and tags agents give, lists earlier conversations and fills variables', async () => {
    const s = await setup();
    const profile = { firstName: 'Clara', lastName: 'Weber', locale: 'de-DE' };
    await say('k-1', 'Ich möchte mit einem Mitarbeiter sprechen', { profile });
    const id = await conversationOf('k-1');
    const anna = await s.client('anna@bohnenglueck.de');
    const ben = await s.client('ben@bohnenglueck.de');
    const mia = await s.client('mia@bohnenglueck.de');
    expect((await anna.request('POST', `/console/api/conversations/${id}/take`)).status).toBe(200);

    const before = await anna.json<Detail>('GET', `/console/api/conversations/${id}`);
    expect(before.body.contact).toMatchObject({
      name: 'Clara Weber',
      profileName: 'Clara Weber',
      agentName: null,
      firstName: 'Clara',
      channel: 'telegram',
      locale: 'de',
      tags: [],
    });
    expect(before.body.history).toEqual([
      expect.objectContaining({
        state: 'open',
        reason: 'customer_request',
        agentName: 'Anna Berger',
        rating: null,
      }),
    ]);

    // Name and tags: the owner may set them; others (and bad input) are refused.
    const path = `/console/api/conversations/${id}/contact`;
    expect((await anna.request('PATCH', path, { tags: ['<script>'] })).status).toBe(400);
    expect((await anna.request('PATCH', path, {})).status).toBe(400);
    expect((await anna.request('PATCH', path, { name: 'x'.repeat(81) })).status).toBe(400);
    expect((await ben.request('PATCH', path, { name: 'Hacker' })).status).toBe(403);
    expect((await mia.request('PATCH', path, { name: 'Hacker' })).status).toBe(403);
    const saved = await anna.json<Detail['contact']>('PATCH', path, {
      name: 'Clara W. (Café Mitte)',
      tags: ['Stammkundin', 'b2b', 'b2b'],
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      name: 'Clara W. (Café Mitte)',
      profileName: 'Clara Weber',
      tags: ['Stammkundin', 'b2b'],
    });
    // The platform's next profile does not overwrite the agent's name.
    await say('k-1', 'Hallo?', { profile: { firstName: 'Clarissa', locale: 'de' } });
    const list = await anna.json<{ items: Array<{ id: string; contactName: string }> }>(
      'GET',
      '/console/api/conversations?view=mine&q=caf%C3%A9%20mitte',
    );
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.items.map((i) => [i.id, i.contactName])).toEqual([[id, 'Clara W. (Café Mitte)']]);

    // Variables in a reply: the contact's first name and the agent's, as customers see them.
    expect(
      (
        await anna.request('POST', `/console/api/conversations/${id}/reply`, {
          text: 'Hallo {{contact.firstName}}, hier ist {{agent.name}}.',
        })
      ).status,
    ).toBe(201);
    await waitFor(
      () => instance!.adapter.textsTo('k-1').includes('Hallo Clara, hier ist Anna.'),
      'the filled reply at the channel',
    );

    // Closed and rated, then a second conversation: both in the history, newest first.
    expect((await anna.request('POST', `/console/api/conversations/${id}/close`)).status).toBe(200);
    await say('k-1', '5');
    await say('k-1', 'Mitarbeiter bitte');
    const later = await anna.json<Detail>('GET', `/console/api/conversations/${id}`);
    expect(later.body.history).toEqual([
      expect.objectContaining({ state: 'open', rating: null }),
      expect.objectContaining({ state: 'closed', agentName: 'Anna Berger', rating: 5 }),
    ]);

    // An anonymous visitor: no name, so the greeting closes up.
    await say('k-2', 'Mitarbeiter');
    const anonymous = await conversationOf('k-2');
    expect((await anna.request('POST', `/console/api/conversations/${anonymous}/take`)).status).toBe(200);
    expect(
      (
        await anna.request('POST', `/console/api/conversations/${anonymous}/reply`, {
          text: 'Hallo {{contact.firstName}}, was kann ich tun?',
        })
      ).status,
    ).toBe(201);
    await waitFor(
      () => instance!.adapter.textsTo('k-2').includes('Hallo, was kann ich tun?'),
      'the greeting without a name',
    );
  });

  it('ships canned replies in both languages and keeps a deleted one deleted after a restart', async () => {
    const s = await setup();
    const sven = await s.client('sven@bohnenglueck.de');
    const list = async () =>
      (
        await sven.json<{ items: Array<{ id: string; shortcut: string; locale: string; text: string }> }>(
          'GET',
          '/console/api/canned-replies',
        )
      ).body.items;
    const shipped = await list();
    const hallo = shipped.find((c) => c.shortcut === 'hallo' && c.locale === 'de')!;
    expect(hallo.text).toContain('{{contact.firstName}}');
    expect(shipped.find((c) => c.shortcut === 'hallo' && c.locale === 'en')?.text).toMatch(/^Hi /);
    expect(new Set(shipped.map((c) => c.locale))).toEqual(new Set(['de', 'en']));
    expect((await sven.request('DELETE', `/console/api/canned-replies/${hallo.id}`)).status).toBe(204);

    // A restart seeds again: nothing comes back, nothing doubles.
    await instance!.stop();
    instance = await startConsoleInstance(await handle!.open());
    const again = new ConsoleClient(instance.baseUrl);
    expect((await again.login('sven@bohnenglueck.de')).status).toBe(200);
    const after = (
      await again.json<{ items: Array<{ shortcut: string; locale: string }> }>(
        'GET',
        '/console/api/canned-replies',
      )
    ).body.items;
    expect(after.some((c) => c.shortcut === 'hallo' && c.locale === 'de')).toBe(false);
    expect(after).toHaveLength(shipped.length - 1);
  });
});
