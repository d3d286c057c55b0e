import { afterEach, describe, expect, it } from 'vitest';
import { InboundRejectedError } from '../../src/runtime/validate-inbound.js';
import type { Store } from '../../src/store/database.js';
import { findContactByChannelId } from '../../src/store/repositories/contacts.js';
import {
  findConversationOfContact,
  setConversationStatus,
} from '../../src/store/repositories/conversations.js';
import { countInboundEvents } from '../../src/store/repositories/inbound-events.js';
import { listTranscript } from '../../src/store/repositories/transcript.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { createRuntime, FakeEngine, inbound, stopInterceptor } from './helpers.js';

notePostgresSkipped();

async function outboxTexts(store: Store, contactNativeId: string): Promise<string[]> {
  const contact = await findContactByChannelId(store.db, 'telegram', contactNativeId);
  if (!contact) return [];
  const rows = await store.db
    .selectFrom('outbox')
    .select(['message'])
    .where('contact_id', '=', contact.id)
    .orderBy('id')
    .execute();
  return rows.map((r) => (JSON.parse(r.message) as { text?: string }).text ?? '');
}

describe.each(dialectsUnderTest)('ConversationRuntime on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  afterEach(async () => {
    await handle?.dispose();
    handle = undefined;
  });

  async function openStore(): Promise<Store> {
    handle = await createTestDatabase(dialect);
    return handle.open();
  }

  it('records the same event delivered three times, partly in parallel, once and answers once', async () => {
    const store = await openStore();
    const { runtime } = createRuntime(store);
    const message = inbound('4711', 'Hallo');
    const parallel = await Promise.all([runtime.accept(message), runtime.accept({ ...message })]);
    const late = await runtime.accept({ ...message, text: 'changed on redelivery' });
    await runtime.whenIdle();

    expect([...parallel, late].sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    expect(await countInboundEvents(store.db)).toBe(1);
    expect(await outboxTexts(store, '4711')).toEqual(['Echo 1: Hallo']);
    const contacts = await store.db.selectFrom('contacts').select('id').execute();
    expect(contacts).toHaveLength(1);
    const conversation = await findConversationOfContact(store.db, contacts[0]!.id);
    const transcript = await listTranscript(store.db, conversation!.id);
    expect(transcript.messages.map((m) => [m.direction, m.author, m.text])).toEqual([
      ['in', 'contact', 'Hallo'],
      ['out', 'bot', 'Echo 1: Hallo'],
    ]);
    expect(transcript.messages[1]!.outboxId).toBeTruthy();
  });

  it('processes a conversation strictly in order while messages keep arriving', async () => {
    const store = await openStore();
    const engine = new FakeEngine(() => 5 + Math.floor(Math.random() * 15));
    const { runtime } = createRuntime(store, { engine });
    for (let i = 1; i <= 8; i += 1) await runtime.accept(inbound('order', `m${i}`));
    await runtime.whenIdle();
    expect(await outboxTexts(store, 'order')).toEqual(
      Array.from({ length: 8 }, (_, i) => `Echo ${i + 1}: m${i + 1}`),
    );
    expect(engine.maxActivePerConversation).toBe(1);
  });

  it('loses no state update when one contact sends many messages at once', async () => {
    const store = await openStore();
    const engine = new FakeEngine(() => Math.floor(Math.random() * 5));
    const { runtime } = createRuntime(store, { engine });
    await Promise.all(Array.from({ length: 12 }, (_, i) => runtime.accept(inbound('burst', `b${i}`))));
    await runtime.whenIdle();
    const texts = await outboxTexts(store, 'burst');
    expect(texts).toHaveLength(12);
    // Each turn saw the previous turn's state: the counters run 1..12 without gaps or repeats.
    expect(texts.map((t) => Number(t.split(':')[0]!.replace('Echo ', '')))).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(engine.maxActivePerConversation).toBe(1);
  });

  it('processes different conversations in parallel', async () => {
    const store = await openStore();
    const engine = new FakeEngine(() => 60);
    const { runtime } = createRuntime(store, { engine });
    await Promise.all(['a', 'b', 'c', 'd'].map((who) => runtime.accept(inbound(who, 'hi'))));
    await runtime.whenIdle();
    expect(engine.maxActiveOverall).toBeGreaterThan(1);
    for (const who of ['a', 'b', 'c', 'd']) expect(await outboxTexts(store, who)).toEqual(['Echo 1: hi']);
  });

  it('marks a failing turn failed, apologises in the contact locale and answers the next message', async () => {
    const store = await openStore();
    const { runtime, events } = createRuntime(store);
    await runtime.accept(inbound('err', 'boom', { profile: { locale: 'en-GB' } }));
    await runtime.accept(inbound('err', 'still there?'));
    await runtime.whenIdle();

    const failed = await store.db
      .selectFrom('inbound_events')
      .selectAll()
      .where('status', '=', 'failed')
      .execute();
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toContain('engine exploded');
    expect(await outboxTexts(store, 'err')).toEqual([
      'Sorry, something went wrong on our side. Please try again in a moment.',
      'Echo 1: still there?',
    ]);
    expect(events.filter((e) => e.type === 'outbox-changed')).toHaveLength(2);
  });

  it('apologises in German by default', async () => {
    const store = await openStore();
    const { runtime } = createRuntime(store);
    await runtime.accept(inbound('err-de', 'boom'));
    await runtime.whenIdle();
    expect((await outboxTexts(store, 'err-de'))[0]).toMatch(/^Entschuldigung, da ist etwas schiefgelaufen/);
  });

  it('keeps the bot silent while a person owns the conversation, but interceptors still work', async () => {
    const store = await openStore();
    const { runtime, engine } = createRuntime(store, { interceptors: [stopInterceptor] });
    await runtime.accept(inbound('owned', 'mensch'));
    await runtime.whenIdle();
    const contact = await findContactByChannelId(store.db, 'telegram', 'owned');
    const conversation = await findConversationOfContact(store.db, contact!.id);
    expect(conversation!.status).toBe('queued');
    const note = (await listTranscript(store.db, conversation!.id)).messages.find(
      (m) => m.author === 'system',
    );
    expect(note?.text).toContain('asked for a person');

    await setConversationStatus(
      store.db,
      conversation!.id,
      { status: 'agent', assignedAgentId: 'agent-1' },
      new Date(),
    );
    await runtime.accept(inbound('owned', 'Wann kommt meine Bestellung?'));
    await runtime.accept(inbound('owned', 'STOP'));
    await runtime.whenIdle();

    expect(engine.inputs).toHaveLength(1);
    expect(await outboxTexts(store, 'owned')).toEqual(['Echo 1: mensch', 'Abgemeldet.']);
    expect(await countInboundEvents(store.db, { status: 'processed' })).toBe(3);
    const transcript = await listTranscript(store.db, conversation!.id);
    expect(transcript.messages.map((m) => m.text)).toContain('Wann kommt meine Bestellung?');
    expect((await findContactByChannelId(store.db, 'telegram', 'owned'))!.tags).toEqual(['unsubscribed']);
  });

  it('hands a conversation back to the bot with startFlow, in line with its messages', async () => {
    const store = await openStore();
    const { runtime, engine, events } = createRuntime(store);
    await runtime.accept(inbound('back', 'mensch'));
    await runtime.whenIdle();
    const contact = await findContactByChannelId(store.db, 'telegram', 'back');
    const conversation = await findConversationOfContact(store.db, contact!.id);
    await runtime.startFlow(conversation!.id, 'main', 'menu');
    await runtime.whenIdle();
    expect(engine.inputs.at(-1)!.event).toEqual({ kind: 'start-flow', flowId: 'main', stepId: 'menu' });
    expect((await findConversationOfContact(store.db, contact!.id))!.status).toBe('bot');
    expect(await outboxTexts(store, 'back')).toEqual(['Echo 1: mensch', 'Echo 2: flow main']);
    expect(events.some((e) => e.type === 'conversation-changed' && e.status === 'bot')).toBe(true);
  });

  it('recovers events that were recorded but not processed before a crash', async () => {
    const store = await openStore();
    const crashed = createRuntime(store);
    // A stopped runtime still records (the platform gets its ack) but processes nothing: the "crash".
    await crashed.runtime.stop();
    await crashed.runtime.accept(inbound('crash', 'eins'));
    await crashed.runtime.accept(inbound('crash', 'zwei'));
    expect(await countInboundEvents(store.db, { status: 'pending' })).toBe(2);

    const restarted = createRuntime(handle ? await handle.open() : store);
    expect(await restarted.runtime.recoverPending()).toBe(1);
    await restarted.runtime.whenIdle();
    expect(await countInboundEvents(store.db, { status: 'pending' })).toBe(0);
    expect(await outboxTexts(store, 'crash')).toEqual(['Echo 1: eins', 'Echo 2: zwei']);
  });

  it('hands the engine the kind of media a message carries and the question detector', async () => {
    const store = await openStore();
    const engine = new FakeEngine();
    const questions = { isConfidentQuestion: () => false };
    const { runtime } = createRuntime(store, { engine, questions });
    await runtime.accept(inbound('4711', '', { text: undefined, media: { kind: 'audio', ref: 'voice-1' } }));
    await runtime.whenIdle();
    expect(engine.inputs[0]?.event).toEqual({ kind: 'message', media: { kind: 'audio' } });
    expect(engine.inputs[0]?.questions).toBe(questions);
  });

  it('rejects a malformed message with a clear error and records nothing', async () => {
    const store = await openStore();
    const { runtime } = createRuntime(store);
    await expect(runtime.accept({ ...inbound('bad', 'x'), nativeId: '' })).rejects.toThrow(
      InboundRejectedError,
    );
    await expect(runtime.accept({ ...inbound('bad', 'x'), receivedAt: new Date('nope') })).rejects.toThrow(
      /receivedAt/,
    );
    expect(await countInboundEvents(store.db)).toBe(0);
    expect(await store.db.selectFrom('contacts').select('id').execute()).toHaveLength(0);
  });

  it('publishes message-recorded for the inbound line and the reply', async () => {
    const store = await openStore();
    const { runtime, events } = createRuntime(store);
    await runtime.accept(inbound('ev', 'Moin', { buttonPayload: 'menu' }));
    await runtime.whenIdle();
    const recorded = events.filter((e) => e.type === 'message-recorded');
    expect(
      recorded.map((e) => (e.type === 'message-recorded' ? [e.message.direction, e.message.text] : null)),
    ).toEqual([
      ['in', 'Moin'],
      ['out', 'Echo 1: Moin'],
    ]);
    const first = recorded[0];
    expect(first?.type === 'message-recorded' && first.message.details).toEqual({ payload: 'menu' });
  });
});
