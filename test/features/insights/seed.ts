/**
 * Seeded data for the dashboard tests: a week of conversations, FAQ outcomes, handoffs, consent changes, one
 * broadcast, referral clicks in several regions, events. The seed is plain data (arrays) the tests count
 * themselves, then it is written into the store's real tables.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../../src/store/database.js';

export const DAY = 86_400_000;
export const BASE = Date.UTC(2026, 10, 2); // Monday 2 November 2026, 00:00 UTC
export const at = (day: number, hour = 10, minute = 0) =>
  BASE + day * DAY + hour * 3_600_000 + minute * 60_000;
export const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface SeedContact {
  id: string;
  channel: 'telegram' | 'whatsapp-cloud';
  createdAt: number;
  /** Days (0–6) on which the contact wrote, with how many messages. */
  inbound: Array<{ at: number }>;
}

export interface Seed {
  contacts: SeedContact[];
  outcomes: Array<{ action: string; outcome: string; channel: string; at: number }>;
  handoffs: Array<{
    team: string | null;
    channel: string;
    queuedAt: number;
    assignedAt: number | null;
    firstResponseAt: number | null;
  }>;
  ledger: Array<{ contactId: string; channel: string; topic: string; action: string; at: number }>;
  broadcast: {
    id: string;
    topic: string;
    startedAt: number;
    rows: Array<{
      contactId: string;
      channel: string;
      sentAt: number | null;
      deliveredAt: number | null;
      readAt: number | null;
    }>;
  };
  codes: Array<{
    id: string;
    code: string;
    contactId: string;
    campaign: string;
    channel: string;
    at: number;
  }>;
  clicks: Array<{
    codeId: string;
    visitor: string;
    bot: boolean;
    country: string | null;
    region: string | null;
    at: number;
  }>;
  attributions: Array<{ referred: string; codeId: string; status: 'joined' | 'existing'; at: number }>;
  conversions: Array<{
    orderId: string;
    codeId: string | null;
    contactId: string | null;
    visitor: string | null;
    at: number;
  }>;
  events: Array<{ id: string; title: string; startsAt: number }>;
  reminders: Array<{
    eventId: string;
    contactId: string;
    offset: string;
    status: string;
    at: number;
    sentAt: number | null;
  }>;
  icsDownloads: Array<{ eventId: string; at: number }>;
  unanswered: Array<{ text: string; normalized: string; contactId: string; channel: string; at: number }>;
}

/** A small deterministic pseudo-random sequence, so the seed is varied but the same on every run. */
function lcg(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

export function buildSeed(): Seed {
  const random = lcg(42);
  const contacts: SeedContact[] = [];
  for (let i = 0; i < 14; i++) {
    const channel = i % 3 === 0 ? 'whatsapp-cloud' : 'telegram';
    // Some contacts were first seen before the week (returning), others during it.
    const createdAt = i < 4 ? at(-10, 9) : at(i % 7, 8);
    const inbound: SeedContact['inbound'] = [];
    for (let d = 0; d < 7; d++) {
      if (d * DAY + BASE < createdAt - DAY) continue;
      if (random() < 0.45 || at(d, 8) === createdAt) {
        const count = 1 + Math.floor(random() * 3);
        for (let n = 0; n < count; n++) inbound.push({ at: at(d, 9 + n, Math.floor(random() * 59)) });
      }
    }
    contacts.push({ id: `c${String(i).padStart(2, '0')}`, channel, createdAt, inbound });
  }
  const outcomes: Seed['outcomes'] = [];
  for (let i = 0; i < 40; i++) {
    const r = random();
    outcomes.push({
      action: 'faq.answer',
      outcome: r < 0.55 ? 'answered' : r < 0.75 ? 'clarify' : 'unknown',
      channel: i % 4 === 0 ? 'whatsapp-cloud' : 'telegram',
      at: at(Math.floor(random() * 7), 11, i),
    });
  }
  for (let i = 0; i < 12; i++) {
    outcomes.push({
      action: 'faq.feedback',
      outcome: random() < 0.7 ? 'yes' : 'no',
      channel: i % 3 === 0 ? 'whatsapp-cloud' : 'telegram',
      at: at(Math.floor(random() * 7), 12, i),
    });
  }
  // Outside the week: must not be counted.
  outcomes.push({ action: 'faq.answer', outcome: 'answered', channel: 'telegram', at: at(9) });

  const handoffs: Seed['handoffs'] = [
    {
      team: 'service',
      channel: 'telegram',
      queuedAt: at(0, 10),
      assignedAt: at(0, 10, 4),
      firstResponseAt: at(0, 10, 6),
    },
    {
      team: 'service',
      channel: 'whatsapp-cloud',
      queuedAt: at(1, 10),
      assignedAt: at(1, 10, 10),
      firstResponseAt: at(1, 10, 20),
    },
    { team: 'sales', channel: 'telegram', queuedAt: at(2, 14), assignedAt: null, firstResponseAt: null },
    {
      team: null,
      channel: 'telegram',
      queuedAt: at(3, 9),
      assignedAt: at(3, 9, 1),
      firstResponseAt: at(3, 9, 3),
    },
  ];

  const ledger: Seed['ledger'] = [];
  for (const [index, contact] of contacts.entries()) {
    const topic = index % 2 === 0 ? 'roast-news' : 'events';
    const day = index % 7;
    ledger.push({
      contactId: contact.id,
      channel: contact.channel,
      topic,
      action: 'requested',
      at: at(day, 9),
    });
    if (index % 5 !== 4) {
      ledger.push({
        contactId: contact.id,
        channel: contact.channel,
        topic,
        action: 'confirmed',
        at: at(day, 9, 2),
      });
    }
  }

  const broadcastStart = at(2, 9);
  const recipients = contacts.slice(0, 7);
  const broadcast: Seed['broadcast'] = {
    id: 'b-roast-1',
    topic: 'roast-news',
    startedAt: broadcastStart,
    rows: recipients.map((c, i) => ({
      contactId: c.id,
      channel: c.channel,
      sentAt: i < 6 ? broadcastStart + i * 1000 : null,
      deliveredAt: i < 5 ? broadcastStart + i * 1000 + 500 : null,
      readAt: i < 3 ? broadcastStart + i * 1000 + 900 : i === 5 ? broadcastStart + 7000 : null,
    })),
  };
  // Unsubscribes: c00 within 48 h of the broadcast, c01 after it (not counted), c03 from another topic.
  ledger.push({
    contactId: 'c00',
    channel: contacts[0]!.channel,
    topic: 'roast-news',
    action: 'unsubscribed',
    at: broadcastStart + 3_600_000,
  });
  ledger.push({
    contactId: 'c01',
    channel: contacts[1]!.channel,
    topic: 'roast-news',
    action: 'unsubscribed',
    at: broadcastStart + 50 * 3_600_000,
  });
  ledger.push({
    contactId: 'c03',
    channel: contacts[3]!.channel,
    topic: 'events',
    action: 'unsubscribed',
    at: broadcastStart + 3_600_000,
  });

  const codes: Seed['codes'] = [
    {
      id: 'k1',
      code: 'ANNA01',
      contactId: 'c00',
      campaign: 'freunde',
      channel: 'whatsapp-cloud',
      at: at(0, 8),
    },
    { id: 'k2', code: 'BERT02', contactId: 'c01', campaign: 'freunde', channel: 'telegram', at: at(1, 8) },
    { id: 'k3', code: 'CARL03', contactId: 'c02', campaign: 'freunde', channel: 'telegram', at: at(1, 9) },
    { id: 'k4', code: 'DORA04', contactId: 'c04', campaign: 'sommer', channel: 'telegram', at: at(2, 8) },
  ];
  const regions: Array<[string | null, string | null]> = [
    ['DE', 'DE-BY'],
    ['DE', 'DE-BE'],
    ['AT', 'AT-9'],
    ['DE', 'DE-BY'],
    [null, null],
  ];
  const clicks: Seed['clicks'] = [];
  for (let i = 0; i < 30; i++) {
    const code = codes[i % 3 === 0 ? 0 : i % 5 === 0 ? 3 : 1]!;
    const [country, region] = regions[i % regions.length]!;
    clicks.push({
      codeId: code.id,
      visitor: `v${String(i % 17).padStart(18, '0')}`,
      bot: i % 7 === 6,
      country,
      region,
      at: at(Math.max(0, Math.floor(i / 5)), 15, i),
    });
  }
  const attributions: Seed['attributions'] = [
    { referred: 'c05', codeId: 'k1', status: 'joined', at: at(1, 16) },
    { referred: 'c06', codeId: 'k1', status: 'joined', at: at(2, 16) },
    { referred: 'c07', codeId: 'k2', status: 'joined', at: at(3, 16) },
    { referred: 'c08', codeId: 'k2', status: 'existing', at: at(3, 17) },
    { referred: 'c09', codeId: 'k4', status: 'joined', at: at(4, 16) },
  ];
  const conversions: Seed['conversions'] = [
    { orderId: 'o1', codeId: 'k1', contactId: 'c05', visitor: null, at: at(2, 18) },
    { orderId: 'o2', codeId: 'k1', contactId: null, visitor: `v${'0'.repeat(17)}3`, at: at(3, 18) },
    { orderId: 'o3', codeId: 'k1', contactId: 'c05', visitor: null, at: at(4, 18) },
    { orderId: 'o4', codeId: 'k2', contactId: null, visitor: `v${'0'.repeat(17)}1`, at: at(4, 19) },
    { orderId: 'o5', codeId: null, contactId: null, visitor: null, at: at(4, 20) },
  ];
  const events: Seed['events'] = [
    { id: 'cupping-dez', title: 'Cupping im Dezember', startsAt: at(20, 18) },
    { id: 'roestkurs', title: 'Röstkurs', startsAt: at(25, 18) },
  ];
  const reminders: Seed['reminders'] = [
    { eventId: 'cupping-dez', contactId: 'c01', offset: 'P1D', status: 'pending', at: at(1), sentAt: null },
    { eventId: 'cupping-dez', contactId: 'c01', offset: 'PT1H', status: 'pending', at: at(1), sentAt: null },
    { eventId: 'cupping-dez', contactId: 'c03', offset: 'P1D', status: 'sent', at: at(2), sentAt: at(5) },
    { eventId: 'roestkurs', contactId: 'c02', offset: 'P1D', status: 'sent', at: at(2), sentAt: at(6) },
    { eventId: 'roestkurs', contactId: 'c06', offset: 'P1D', status: 'pending', at: at(3), sentAt: null },
  ];
  const icsDownloads: Seed['icsDownloads'] = [
    { eventId: 'cupping-dez', at: at(1) },
    { eventId: 'cupping-dez', at: at(2) },
    { eventId: 'roestkurs', at: at(4) },
    { eventId: 'roestkurs', at: at(12) },
  ];
  const unanswered: Seed['unanswered'] = [
    {
      text: 'Habt ihr Hafermilch?',
      normalized: 'hafermilch',
      contactId: 'c01',
      channel: 'telegram',
      at: at(1),
    },
    {
      text: 'habt ihr hafermilch',
      normalized: 'hafermilch',
      contactId: 'c02',
      channel: 'telegram',
      at: at(3),
    },
    {
      text: 'Hafermilch???',
      normalized: 'hafermilch',
      contactId: 'c03',
      channel: 'whatsapp-cloud',
      at: at(4),
    },
    {
      text: 'Kann ich mit Bitcoin zahlen?',
      normalized: 'bitcoin zahlen',
      contactId: 'c04',
      channel: 'telegram',
      at: at(2),
    },
    { text: 'Bitcoin?', normalized: 'bitcoin zahlen', contactId: 'c05', channel: 'telegram', at: at(5) },
    {
      text: 'Liefert ihr nach Mars?',
      normalized: 'liefert mars',
      contactId: 'c06',
      channel: 'whatsapp-cloud',
      at: at(6),
    },
  ];
  return {
    contacts,
    outcomes,
    handoffs,
    ledger,
    broadcast,
    codes,
    clicks,
    attributions,
    conversions,
    events,
    reminders,
    icsDownloads,
    unanswered,
  };
}

export async function writeSeed(store: Store, seed: Seed): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: the seed writes into every feature's tables at once
  const db = store.db as unknown as Kysely<any>;
  let n = 0;
  const id = (prefix: string) => `${prefix}-${String(++n).padStart(5, '0')}`;
  for (const c of seed.contacts) {
    await db
      .insertInto('contacts')
      .values({
        id: c.id,
        channel: c.channel,
        channel_contact_id: `native-${c.id}`,
        display_name: `Kunde ${c.id}`,
        first_name: `Vorname${c.id}`,
        last_name: null,
        username: null,
        phone: null,
        locale: 'de',
        tags: '[]',
        attributes: '{}',
        reply_address: null,
        created_at: c.createdAt,
        last_inbound_at: c.inbound.at(-1)?.at ?? null,
      })
      .execute();
    await db
      .insertInto('conversations')
      .values({
        id: `conv-${c.id}`,
        contact_id: c.id,
        channel: c.channel,
        status: 'bot',
        state: '{"flowId":null,"stepId":null,"awaiting":null,"vars":{},"misses":0}',
        assigned_agent_id: null,
        window_expires_at: null,
        created_at: c.createdAt,
        updated_at: c.createdAt,
      })
      .execute();
    for (const m of c.inbound) {
      await db
        .insertInto('messages')
        .values({
          id: id('m'),
          conversation_id: `conv-${c.id}`,
          contact_id: c.id,
          direction: 'in',
          author: 'contact',
          agent_id: null,
          text: 'Hallo',
          details: null,
          inbound_event_id: null,
          outbox_id: null,
          created_at: m.at,
        })
        .execute();
      // A bot reply: never counted as a conversation of its own.
      await db
        .insertInto('messages')
        .values({
          id: id('m'),
          conversation_id: `conv-${c.id}`,
          contact_id: c.id,
          direction: 'out',
          author: 'bot',
          agent_id: null,
          text: 'Hallo zurück',
          details: null,
          inbound_event_id: null,
          outbox_id: null,
          created_at: m.at + 1000,
        })
        .execute();
    }
  }
  for (const o of seed.outcomes) {
    await db
      .insertInto('insight_action_outcomes')
      .values({ id: id('o'), action: o.action, outcome: o.outcome, channel: o.channel, created_at: o.at })
      .execute();
  }
  for (const [index, h] of seed.handoffs.entries()) {
    await db
      .insertInto('handoff_sessions')
      .values({
        id: id('h'),
        conversation_id: `conv-c0${index}`,
        contact_id: `c0${index}`,
        channel: h.channel,
        reason: 'customer_request',
        team: h.team,
        state: h.assignedAt ? 'closed' : 'open',
        agent_id: h.assignedAt ? 'agent-1' : null,
        queued_at: h.queuedAt,
        assigned_at: h.assignedAt,
        first_response_at: h.firstResponseAt,
        closed_at: null,
        after_hours: 0,
        waiting_notice_sent: 0,
      })
      .execute();
  }
  for (const l of seed.ledger) {
    await db
      .insertInto('newsletter_consent_ledger')
      .values({
        id: id('l'),
        contact_id: l.contactId,
        channel: l.channel,
        topic: l.topic,
        action: l.action,
        text: 'Möchtest du die Röst-News?',
        source: 'flow:newsletter.request',
        created_at: l.at,
      })
      .execute();
  }
  const b = seed.broadcast;
  await db
    .insertInto('newsletter_broadcasts')
    .values({
      id: b.id,
      name: 'Röst-News November',
      topic: b.topic,
      status: 'sent',
      content: '{"text":"Neue Röstung!"}',
      segment: '{}',
      source: 'api',
      scheduled_at: b.startedAt,
      started_at: b.startedAt,
      finished_at: b.startedAt,
      cancelled_at: null,
      fanout_cursor: null,
      recipient_count: b.rows.length,
      created_at: b.startedAt - DAY,
      updated_at: b.startedAt,
    })
    .execute();
  for (const r of b.rows) {
    await db
      .insertInto('outbox')
      .values({
        id: id('ob'),
        conversation_id: `conv-${r.contactId}`,
        contact_id: r.contactId,
        channel: r.channel,
        message: '{"text":"Neue Röstung!"}',
        purpose: 'broadcast',
        topic: b.topic,
        source_id: b.id,
        status: r.readAt ? 'read' : r.deliveredAt ? 'delivered' : r.sentAt ? 'sent' : 'failed',
        attempts: 1,
        next_attempt_at: b.startedAt,
        locked_by: null,
        locked_until: null,
        last_error: null,
        native_message_id: null,
        created_at: b.startedAt,
        sent_at: r.sentAt,
        delivered_at: r.deliveredAt,
        read_at: r.readAt,
        failed_at: r.sentAt ? null : b.startedAt,
      })
      .execute();
  }
  for (const c of seed.codes) {
    await db
      .insertInto('referral_codes')
      .values({
        id: c.id,
        code: c.code,
        contact_id: c.contactId,
        campaign_id: c.campaign,
        channel: c.channel,
        joined_count: 0,
        created_at: c.at,
      })
      .execute();
  }
  const codeOf = new Map(seed.codes.map((c) => [c.id, c]));
  for (const c of seed.clicks) {
    const code = codeOf.get(c.codeId)!;
    await db
      .insertInto('referral_clicks')
      .values({
        id: id('k'),
        code_id: c.codeId,
        campaign_id: code.campaign,
        referrer_contact_id: code.contactId,
        referrer_channel: code.channel,
        visitor_id: c.bot ? null : c.visitor,
        visitor_hash: `hash-${c.visitor}`,
        day: dayKey(c.at),
        country: c.country,
        region: c.region,
        referer: null,
        agent_class: c.bot ? 'bot' : 'mobile',
        is_bot: c.bot ? 1 : 0,
        is_unique: c.bot ? 0 : 1,
        created_at: c.at,
      })
      .execute();
  }
  for (const a of seed.attributions) {
    const code = codeOf.get(a.codeId)!;
    await db
      .insertInto('referral_attributions')
      .values({
        id: id('a'),
        referred_contact_id: a.referred,
        code_id: a.codeId,
        campaign_id: code.campaign,
        referrer_contact_id: code.contactId,
        referrer_channel: code.channel,
        referred_channel: 'telegram',
        status: a.status,
        via: 'start_payload',
        created_at: a.at,
      })
      .execute();
  }
  for (const c of seed.conversions) {
    const code = c.codeId ? codeOf.get(c.codeId)! : null;
    const click = c.visitor ? seed.clicks.find((k) => k.visitor === c.visitor && !k.bot) : undefined;
    await db
      .insertInto('referral_conversions')
      .values({
        id: id('cv'),
        order_id: c.orderId,
        code_id: code?.id ?? null,
        campaign_id: code?.campaign ?? null,
        referrer_contact_id: code?.contactId ?? null,
        referrer_channel: code?.channel ?? null,
        visitor_id: c.visitor,
        contact_id: c.contactId,
        country: click?.country ?? null,
        region: click?.region ?? null,
        value_minor: 1999,
        currency: 'EUR',
        request_hash: `h-${c.orderId}`,
        source: 'api',
        created_at: c.at,
      })
      .execute();
  }
  for (const e of seed.events) {
    await db
      .insertInto('events')
      .values({
        id: e.id,
        source: 'api',
        title: JSON.stringify({ de: e.title }),
        description: null,
        start_local: new Date(e.startsAt).toISOString().slice(0, 16),
        end_local: null,
        time_zone: 'UTC',
        starts_at: e.startsAt,
        ends_at: null,
        place: null,
        online_url: null,
        topic: 'events',
        reminders: '["P1D"]',
        status: 'scheduled',
        created_at: BASE,
        updated_at: BASE,
        deleted_at: null,
      })
      .execute();
  }
  for (const r of seed.reminders) {
    await db
      .insertInto('event_reminders')
      .values({
        id: id('r'),
        event_id: r.eventId,
        contact_id: r.contactId,
        offset: r.offset,
        due_at: r.at + 10 * DAY,
        status: r.status,
        reason: null,
        outbox_id: null,
        created_at: r.at,
        updated_at: r.at,
        sent_at: r.sentAt,
      })
      .execute();
  }
  for (const d of seed.icsDownloads) {
    await db
      .insertInto('event_ics_downloads')
      .values({ id: id('d'), event_id: d.eventId, created_at: d.at })
      .execute();
  }
  for (const u of seed.unanswered) {
    await db
      .insertInto('faq_unanswered')
      .values({
        id: id('u'),
        text: u.text,
        normalized: u.normalized,
        locale: 'de',
        channel: u.channel,
        contact_id: u.contactId,
        best_score: 0.1,
        asked_at: u.at,
      })
      .execute();
  }
  // Replies after the broadcast: c01 within 48 h, c02 after 50 h (not counted in the funnel).
  for (const [contactId, delay] of [
    ['c01', 5 * 3_600_000],
    ['c02', 50 * 3_600_000],
  ] as const) {
    await db
      .insertInto('messages')
      .values({
        id: id('m'),
        conversation_id: `conv-${contactId}`,
        contact_id: contactId,
        direction: 'in',
        author: 'contact',
        agent_id: null,
        text: 'Lecker!',
        details: null,
        inbound_event_id: null,
        outbox_id: null,
        created_at: b.startedAt + delay,
      })
      .execute();
    seed.contacts.find((c) => c.id === contactId)!.inbound.push({ at: b.startedAt + delay });
  }
}
