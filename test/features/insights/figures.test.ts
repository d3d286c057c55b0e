/**
 * Every dashboard figure over the REST API against seeded data, on SQLite and PostgreSQL. The expected numbers
 * are counted here from the seed arrays, independently of the SQL; the CSV must hold the same rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPlausch, startPlausch, TEST_API_TOKEN } from '../../support/plausch-instance.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import { BASE, buildSeed, DAY, dayKey, type Seed, writeSeed } from './seed.js';

notePostgresSkipped();

const FROM = '2026-11-02';
const TO = '2026-11-08';
const inWeek = (ms: number) => ms >= BASE && ms < BASE + 7 * DAY;

type Row = Record<string, string | number | null>;
interface Figure {
  columns: string[];
  rows: Row[];
  summary?: Record<string, number | null>;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Parses our CSV (BOM, CRLF, quoted cells) back into rows of strings. */
function parseCsv(text: string): string[][] {
  const body = text.replace(/^\uFEFF/, '');
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r') {
      // part of CRLF
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  return rows;
}

describe.each(dialectsUnderTest)('dashboard figures on %s', (dialect) => {
  let handle: TestStoreHandle;
  let running: RunningPlausch;
  let seed: Seed;

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    seed = buildSeed();
    await writeSeed(store, seed);
    running = await startPlausch({ store, now: () => new Date(BASE + 3 * DAY) });
  });
  afterAll(async () => {
    await running?.stop();
    await handle?.dispose();
  });

  async function figure(name: string, query = ''): Promise<Figure> {
    const response = await fetch(`${running.baseUrl}/api/v1/insights/${name}?from=${FROM}&to=${TO}${query}`, {
      headers: { Authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Figure;
  }

  async function csvMatches(name: string, shown: Figure, query = ''): Promise<void> {
    const response = await fetch(
      `${running.baseUrl}/api/v1/insights/${name}?from=${FROM}&to=${TO}${query}&format=csv`,
      { headers: { Authorization: `Bearer ${TEST_API_TOKEN}` } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual(shown.columns);
    expect(rows).toEqual(
      shown.rows.map((r) => shown.columns.map((c) => (r[c] === null ? '' : String(r[c])))),
    );
  }

  it('counts conversations per day and channel, for one channel too, and the CSV holds the same rows', async () => {
    const expected = new Map<string, Set<string>>();
    for (const c of seed.contacts) {
      for (const m of c.inbound.filter((i) => inWeek(i.at))) {
        const key = `${dayKey(m.at)}|${c.channel}`;
        expected.set(key, (expected.get(key) ?? new Set()).add(c.id));
      }
    }
    const all = await figure('conversations');
    expect(new Map(all.rows.map((r) => [`${r.day}|${r.channel}`, r.conversations]))).toEqual(
      new Map([...expected].map(([k, v]) => [k, v.size])),
    );
    await csvMatches('conversations', all);
    const whatsapp = await figure('conversations', '&channel=whatsapp-cloud');
    expect(whatsapp.rows.every((r) => r.channel === 'whatsapp-cloud')).toBe(true);
    expect(whatsapp.rows.length).toBe(
      [...expected.keys()].filter((k) => k.endsWith('|whatsapp-cloud')).length,
    );
  });

  it('splits contacts who wrote into new and returning per day', async () => {
    const expected = new Map<string, { n: number; r: number }>();
    for (const c of seed.contacts) {
      const days = new Set(c.inbound.filter((i) => inWeek(i.at)).map((i) => dayKey(i.at)));
      for (const d of days) {
        const entry = expected.get(d) ?? { n: 0, r: 0 };
        if (dayKey(c.createdAt) === d) entry.n++;
        else entry.r++;
        expected.set(d, entry);
      }
    }
    const shown = await figure('contacts');
    expect(new Map(shown.rows.map((r) => [r.day, { n: r.new_contacts, r: r.returning_contacts }]))).toEqual(
      expected,
    );
    await csvMatches('contacts', shown);
  });

  it('counts service questions per day with the answer rate and the "did that help?" answers', async () => {
    const answers = seed.outcomes.filter((o) => o.action === 'faq.answer' && inWeek(o.at));
    const shown = await figure('service');
    const handoffs = countBy(seed.handoffs, (h) => dayKey(h.queuedAt));
    const days = new Set([...answers.map((o) => dayKey(o.at)), ...handoffs.keys()]);
    const expected = [...days].sort().map((d) => ({
      day: d,
      answered: answers.filter((o) => dayKey(o.at) === d && o.outcome === 'answered').length,
      asked_back: answers.filter((o) => dayKey(o.at) === d && o.outcome === 'clarify').length,
      declined: answers.filter((o) => dayKey(o.at) === d && o.outcome === 'unknown').length,
      handed_over: handoffs.get(d) ?? 0,
    }));
    expect(shown.rows).toEqual(expected);
    const answered = answers.filter((o) => o.outcome === 'answered').length;
    expect(shown.summary?.answer_rate).toBeCloseTo(answered / answers.length, 3);
    await csvMatches('service', shown);

    const feedback = seed.outcomes.filter((o) => o.action === 'faq.feedback' && inWeek(o.at));
    const helped = await figure('service-feedback', '&channel=telegram');
    const telegram = feedback.filter((o) => o.channel === 'telegram');
    expect(helped.rows.reduce((t, r) => t + Number(r.yes), 0)).toBe(
      telegram.filter((o) => o.outcome === 'yes').length,
    );
    expect(helped.rows.reduce((t, r) => t + Number(r.no), 0)).toBe(
      telegram.filter((o) => o.outcome === 'no').length,
    );
    await csvMatches('service-feedback', helped, '&channel=telegram');
  });

  it("lists the most frequent unanswered questions with a link to the latest asker's conversation", async () => {
    const shown = await figure('unanswered');
    expect(shown.rows.map((r) => r.asks)).toEqual([3, 2, 1]);
    expect(shown.rows[0]?.conversation_id).toBe('conv-c03');
    await csvMatches('unanswered', shown);
  });

  it('counts opt-ins, unsubscribes, net growth and cumulative subscribers per day and topic', async () => {
    const counted = seed.ledger.filter((l) => l.action === 'confirmed' || l.action === 'unsubscribed');
    const entries = counted.filter((l) => inWeek(l.at));
    const topics = [...new Set(counted.map((l) => l.topic))].sort();
    const shown = await figure('newsletter');
    // Every day of the range has a row per topic: the growth chart draws exactly these points.
    expect(shown.rows.length).toBe(7 * topics.length);
    expect(shown.columns).toEqual([
      'day',
      'topic',
      'confirmed',
      'unsubscribed',
      'erased',
      'net',
      'subscribers',
    ]);
    for (const row of shown.rows) {
      const here = entries.filter((l) => `${dayKey(l.at)}|${l.topic}` === `${row.day}|${row.topic}`);
      const confirmed = here.filter((l) => l.action === 'confirmed').length;
      const unsubscribed = here.filter((l) => l.action === 'unsubscribed').length;
      const endOfDay = new Date(`${row.day}T00:00:00Z`).getTime() + DAY;
      const subscribers = counted
        .filter((l) => l.topic === row.topic && l.at < endOfDay)
        .reduce((n, l) => n + (l.action === 'confirmed' ? 1 : -1), 0);
      expect(row).toMatchObject({
        confirmed,
        unsubscribed,
        erased: 0,
        net: confirmed - unsubscribed,
        subscribers,
      });
    }
    await csvMatches('newsletter', shown);
    // A range that starts later carries everything before it: the first day starts from the earlier total.
    const later = await fetch(`${running.baseUrl}/api/v1/insights/newsletter?from=2026-11-05&to=${TO}`, {
      headers: { Authorization: `Bearer ${TEST_API_TOKEN}` },
    }).then((r) => r.json() as Promise<Figure>);
    const lastDay = (f: Figure, topic: string) => f.rows.filter((r) => r.topic === topic).at(-1)?.subscribers;
    for (const topic of topics) expect(lastDay(later, topic)).toBe(lastDay(shown, topic));
  });

  it("shows each broadcast's funnel sent → delivered → read → replied → unsubscribed within 48 h", async () => {
    const b = seed.broadcast;
    const sent = b.rows.filter((r) => r.sentAt !== null);
    const replied = sent.filter((r) =>
      seed.contacts
        .find((c) => c.id === r.contactId)!
        .inbound.some((m) => m.at >= r.sentAt! && m.at < r.sentAt! + 48 * 3_600_000),
    ).length;
    const unsubscribed = sent.filter((r) =>
      seed.ledger.some(
        (l) =>
          l.contactId === r.contactId &&
          l.action === 'unsubscribed' &&
          l.topic === b.topic &&
          l.at >= r.sentAt! &&
          l.at < r.sentAt! + 48 * 3_600_000,
      ),
    ).length;
    const shown = await figure('broadcasts');
    expect(shown.rows).toHaveLength(1);
    expect(shown.rows[0]).toMatchObject({
      broadcast_id: b.id,
      sent: sent.length,
      delivered: b.rows.filter((r) => r.deliveredAt !== null || r.readAt !== null).length,
      read: b.rows.filter((r) => r.readAt !== null).length,
      replied,
      unsubscribed,
    });
    expect(unsubscribed).toBe(1);
    await csvMatches('broadcasts', shown);
  });

  it('shows the referral funnel per campaign and visitors and buyers per country and region', async () => {
    const codeOf = new Map(seed.codes.map((c) => [c.id, c]));
    const human = seed.clicks.filter((c) => !c.bot && inWeek(c.at));
    const shown = await figure('referrals');
    for (const campaign of ['freunde', 'sommer']) {
      const codes = seed.codes.filter((c) => c.campaign === campaign);
      const ids = new Set(codes.map((c) => c.id));
      const clicks = human.filter((c) => ids.has(c.codeId));
      const buyers = new Set(
        seed.conversions
          .filter((c) => c.codeId && ids.has(c.codeId))
          .map((c) => c.contactId ?? c.visitor ?? c.orderId),
      );
      expect(shown.rows.find((r) => r.campaign === campaign)).toEqual({
        campaign,
        links: codes.length,
        shared: new Set(clicks.map((c) => c.codeId)).size,
        visitors: new Set(clicks.map((c) => c.visitor)).size,
        new_contacts: seed.attributions.filter((a) => ids.has(a.codeId) && a.status === 'joined').length,
        buyers: buyers.size,
      });
    }
    await csvMatches('referrals', shown);

    const geo = await figure('referrals-geo');
    const byRegion = new Map<string, Set<string>>();
    for (const c of human) {
      const key = `${c.country ?? 'unknown'}|${c.region ?? 'unknown'}`;
      byRegion.set(key, (byRegion.get(key) ?? new Set()).add(c.visitor));
    }
    for (const [key, visitors] of byRegion) {
      expect(geo.rows.find((r) => `${r.country}|${r.region}` === key)?.visitors, key).toBe(visitors.size);
    }
    const bavaria = geo.rows.find((r) => r.region === 'DE-BY');
    const bavarianBuyers = seed.conversions.filter((c) => {
      if (!c.codeId || !c.visitor) return false;
      return seed.clicks.find((k) => k.visitor === c.visitor && !k.bot)?.region === 'DE-BY';
    });
    expect(bavaria?.buyers).toBe(bavarianBuyers.length);
    await csvMatches('referrals-geo', geo);

    const sommer = await figure('referrals-geo', '&campaign=sommer');
    const sommerVisitors = new Set(
      human.filter((c) => codeOf.get(c.codeId)?.campaign === 'sommer').map((c) => c.visitor),
    );
    expect(sommer.rows.reduce((t, r) => t + Number(r.visitors), 0)).toBe(sommerVisitors.size);

    const top = await figure('top-referrers');
    expect(top.rows[0]).toMatchObject({ referrer: 'Vornamec00', new_contacts: 2 });
    await csvMatches('top-referrers', top);
    const board = await figure('leaderboard');
    expect(board.rows.map((r) => r.joined)).toEqual([2, 1, 1]);
  });

  it('counts reminders asked for, sent and .ics downloads per event', async () => {
    const shown = await figure('events');
    for (const event of seed.events) {
      const reminders = seed.reminders.filter((r) => r.eventId === event.id);
      expect(shown.rows.find((r) => r.event_id === event.id)).toMatchObject({
        title: event.title,
        reminders_requested: new Set(reminders.filter((r) => inWeek(r.at)).map((r) => r.contactId)).size,
        reminders_sent: reminders.filter((r) => r.sentAt !== null && inWeek(r.sentAt)).length,
        ics_downloads: seed.icsDownloads.filter((d) => d.eventId === event.id && inWeek(d.at)).length,
      });
    }
    await csvMatches('events', shown);
  });

  it('shows handoff volume, waiting and first response time per team', async () => {
    const shown = await figure('handoff');
    const service = seed.handoffs.filter((h) => h.team === 'service');
    const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length / 1000;
    expect(shown.rows.find((r) => r.team === 'service')).toEqual({
      team: 'service',
      handoffs: service.length,
      taken: service.length,
      avg_wait_s: avg(service.map((h) => h.assignedAt! - h.queuedAt)),
      avg_first_response_s: avg(service.map((h) => h.firstResponseAt! - h.queuedAt)),
    });
    expect(shown.rows.find((r) => r.team === 'sales')).toMatchObject({
      handoffs: 1,
      taken: 0,
      avg_wait_s: null,
    });
    await csvMatches('handoff', shown);
  });

  it('refuses a bad range, an unknown channel, an unknown format and an unknown figure with 400', async () => {
    const get = (path: string) =>
      fetch(`${running.baseUrl}/api/v1/insights/${path}`, {
        headers: { Authorization: `Bearer ${TEST_API_TOKEN}` },
      });
    expect((await get('conversations?from=2026-11-08&to=2026-11-01')).status).toBe(400);
    expect((await get('conversations?channel=fax')).status).toBe(400);
    expect((await get('conversations?format=xlsx')).status).toBe(400);
    expect((await get('nonsense')).status).toBe(400);
    expect((await fetch(`${running.baseUrl}/api/v1/insights/conversations`)).status).toBe(401);
  });

  it('answers the referral report as CSV with format=csv and refuses an unknown format', async () => {
    const get = (query: string) =>
      fetch(`${running.baseUrl}/api/v1/referrals/report?from=${FROM}&to=2026-11-09${query}`, {
        headers: { Authorization: `Bearer ${TEST_API_TOKEN}` },
      });
    const json = (await (await get('&group_by=region')).json()) as {
      rows: Array<{ key: string; clicks: number }>;
    };
    const csv = await get('&group_by=region&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(await csv.text());
    expect(header?.slice(0, 3)).toEqual(['key', 'label', 'clicks']);
    expect(rows.map((r) => [r[0], Number(r[2])])).toEqual(json.rows.map((r) => [r.key, r.clicks]));
    expect((await get('&format=pdf')).status).toBe(400);
  });

  it('documents every figure in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${running.baseUrl}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const name of ['conversations', 'referrals-geo', 'broadcasts', 'handoff']) {
      expect(doc.paths[`/insights/${name}`]).toBeDefined();
    }
  });
});
