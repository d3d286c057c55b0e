/**
 * Inbox media and speaker notices over real HTTP on SQLite and PostgreSQL: upload limits and type checks by
 * magic bytes, who may upload and view, the reply with an attachment through the outbox, the public token URL
 * the channels fetch from, the "Anna is here now" / "back to the bot" notices, complaint-first ordering with the
 * SLA due time, and breaches in the figures.
 */
import QRCode from 'qrcode';
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

const LIMIT = 8 * 1024;

describe.each(dialectsUnderTest)('inbox media and notices on %s', (dialect) => {
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
    instance = await startConsoleInstance(store, { env: { MEDIA_MAX_BYTES: String(LIMIT) } });
    await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna Berger');
    await addStaff(store, 'ben@bohnenglueck.de', 'agent', 'service', 'Ben Roth');
    await addStaff(store, 'sara@bohnenglueck.de', 'agent', 'sales', 'Sara');
    await addStaff(store, 'mia@bohnenglueck.de', 'marketer', null, 'Mia');
    await addStaff(store, 'sven@bohnenglueck.de', 'supervisor', null, 'Sven');
    const client = async (email: string) => {
      const c = new ConsoleClient(instance!.baseUrl);
      expect((await c.login(email)).status).toBe(200);
      return c;
    };
    return { store, client, instance };
  }

  async function queued(customer: string, text: string): Promise<string> {
    const { plausch } = instance!;
    await plausch.runtime.accept(inbound(customer, text));
    await plausch.runtime.whenIdle();
    const row = await plausch.store.db
      .selectFrom('conversations as c')
      .innerJoin('contacts as k', 'k.id', 'c.contact_id')
      .select(['c.id', 'c.status'])
      .where('k.channel_contact_id', '=', customer)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('queued');
    return row.id;
  }

  function upload(c: ConsoleClient, conversationId: string, bytes: Buffer, type: string, name: string) {
    return fetch(`${c.baseUrl}/console/api/conversations/${conversationId}/attachments`, {
      method: 'POST',
      headers: {
        Cookie: c.cookie,
        'X-CSRF-Token': c.csrf,
        'Content-Type': type,
        'X-File-Name': encodeURIComponent(name),
      },
      body: new Uint8Array(bytes),
    });
  }

  it('checks uploads by size, type and owner, sends them through the outbox and serves them by token', async () => {
    const s = await setup();
    const id = await queued('tg-1', 'Ich habe eine Beschwerde');
    const anna = await s.client('anna@bohnenglueck.de');
    const ben = await s.client('ben@bohnenglueck.de');
    const sara = await s.client('sara@bohnenglueck.de');
    const mia = await s.client('mia@bohnenglueck.de');
    const png = await QRCode.toBuffer('ok', { width: 60 });
    expect(png.length).toBeLessThan(LIMIT);

    // Before taking over: no uploads.
    expect((await upload(anna, id, png, 'image/png', 'a.png')).status).toBe(409);
    expect((await anna.json('POST', `/console/api/conversations/${id}/take`)).status).toBe(200);

    // The customer is told who is there now.
    await waitFor(
      () => s.instance.adapter.textsTo('tg-1').includes('Anna aus dem Team ist jetzt für dich da.'),
      'the takeover notice at the channel',
    );
    const notice = s.instance.adapter.sends.find((x) => x.message.text?.startsWith('Anna aus dem Team'));
    expect(notice?.message.sender).toEqual({ role: 'agent', name: 'Anna' });

    // Others may not upload into Anna's conversation; a marketer has no inbox at all.
    expect((await upload(ben, id, png, 'image/png', 'a.png')).status).toBe(403);
    expect((await upload(sara, id, png, 'image/png', 'a.png')).status).toBe(403);
    expect((await upload(mia, id, png, 'image/png', 'a.png')).status).toBe(403);

    // Too large, empty, or not what it claims to be.
    const big = Buffer.concat([png, Buffer.alloc(LIMIT)]);
    const tooLarge = await upload(anna, id, big, 'image/png', 'big.png');
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: string }).error).toMatch(/larger than/);
    expect((await upload(anna, id, Buffer.alloc(0), 'image/png', 'empty.png')).status).toBe(400);
    const fake = await upload(anna, id, Buffer.from('<script>alert(1)</script>'), 'image/png', 'x.png');
    expect(fake.status).toBe(415);
    const html = await upload(anna, id, Buffer.from('<html><body>hi</body></html>'), 'text/html', 'x.html');
    expect(html.status).toBe(415);

    // A real PNG, whatever the browser says its type is.
    const ok = await upload(anna, id, png, 'application/octet-stream', '../../etc/ersatz.png');
    expect(ok.status).toBe(201);
    const stored = (await ok.json()) as { id: string; kind: string; mimeType: string; fileName: string };
    expect(stored).toMatchObject({ kind: 'image', mimeType: 'image/png', fileName: 'ersatz.png' });

    // Sent with a caption; the outbox hands the channel a public URL with the file's token.
    const reply = await anna.json('POST', `/console/api/conversations/${id}/reply`, {
      text: 'Hier ist das Foto',
      attachmentId: stored.id,
    });
    expect(reply.status).toBe(201);
    await waitFor(
      () => s.instance.adapter.sends.some((x) => x.message.media?.kind === 'image'),
      'the image at the channel',
    );
    const sent = s.instance.adapter.sends.find((x) => x.message.media)!;
    expect(sent.message.text).toBe('Hier ist das Foto');
    expect(sent.message.sender?.name).toBe('Anna');
    const ref = sent.message.media!.ref;
    expect(ref).toMatch(new RegExp(`^http://127\\.0\\.0\\.1/console/files/${stored.id}/[A-Za-z0-9_-]{20,}$`));
    const publicPath = new URL(ref).pathname;
    const served = await fetch(`${s.instance.baseUrl}${publicPath}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    expect((await fetch(`${s.instance.baseUrl}/console/files/${stored.id}/wrong-token`)).status).toBe(404);

    // Colleagues with access see the upload in the console; another team's agent does not.
    expect((await anna.request('GET', `/console/api/media/${stored.id}`)).status).toBe(200);
    expect((await sara.request('GET', `/console/api/media/${stored.id}`)).status).toBe(403);
    // An upload of another conversation cannot be attached here.
    const other = await queued('tg-2', 'Ich möchte mit einem Mitarbeiter sprechen');
    expect((await anna.json('POST', `/console/api/conversations/${other}/take`)).status).toBe(200);
    const wrong = await anna.json('POST', `/console/api/conversations/${other}/reply`, {
      attachmentId: stored.id,
    });
    expect(wrong.status).toBe(400);

    // Back to the bot: the customer hears so.
    expect((await anna.json('POST', `/console/api/conversations/${id}/return`, {})).status).toBe(200);
    await waitFor(
      () => s.instance.adapter.textsTo('tg-1').some((t) => t?.startsWith('Du schreibst jetzt wieder')),
      'the back-to-the-bot notice',
    );
  }, 60_000);

  it('lists complaints first with their SLA due time and counts breaches', async () => {
    const s = await setup();
    const request = await queued('tg-10', 'Ich möchte mit einem Mitarbeiter sprechen');
    const complaint = await queued('tg-11', 'Ich habe eine Beschwerde');
    const anna = await s.client('anna@bohnenglueck.de');
    const list = await anna.json<{
      items: Array<{ id: string; priority: number; slaDueAt: number; queuedAt: number }>;
    }>('GET', '/console/api/conversations?view=waiting');
    expect(list.body.items.map((i) => i.id)).toEqual([complaint, request]);
    const [first, second] = list.body.items;
    expect(first!.priority).toBe(1);
    // Sample brand: complaints 5 minutes, others 10.
    expect(first!.slaDueAt - first!.queuedAt).toBe(5 * 60_000);
    expect(second!.slaDueAt - second!.queuedAt).toBe(10 * 60_000);

    // Anna takes the complaint 6 minutes late: one breach; the other is still within its target.
    const db = s.store.db.withTables<{ handoff_sessions: { conversation_id: string; queued_at: number } }>();
    const now = s.instance.now().getTime();
    await db
      .updateTable('handoff_sessions')
      .set({ queued_at: now - 11 * 60_000 })
      .where('conversation_id', '=', complaint)
      .execute();
    expect((await anna.json('POST', `/console/api/conversations/${complaint}/take`)).status).toBe(200);
    const sven = await s.client('sven@bohnenglueck.de');
    const metrics = await sven.json<{
      slaBreaches: number;
      agents: Array<{ name: string; slaBreaches: number }>;
    }>('GET', `/console/api/metrics?from=${now - 86_400_000}`);
    expect(metrics.body.slaBreaches).toBe(1);
    expect(metrics.body.agents.find((a) => a.name === 'Anna Berger')?.slaBreaches).toBe(1);
  }, 60_000);
});
