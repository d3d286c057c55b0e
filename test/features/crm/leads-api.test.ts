import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../../src/features/crm/csv.js';
import { type CrmFeature, createCrmFeature } from '../../../src/features/crm/index.js';
import type { CrmTables } from '../../../src/features/crm/tables.js';
import { silentLogger } from '../../../src/logger.js';
import type { Store } from '../../../src/store/database.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import { authHeaders, insertContact, serveFeature, testConfig } from '../referrals/support.js';

notePostgresSkipped();

describe('CSV cells', () => {
  it('quotes separators, quotes and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvRow(['a', 'b,c'])).toBe('a,"b,c"\r\n');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell('+49 151 1234')).toBe("'+49 151 1234");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('a=b')).toBe('a=b');
  });
});

describe.each(dialectsUnderTest)('leads API (%s)', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let feature: CrmFeature;
  let server: { url: string; close: () => Promise<void> };
  const now = new Date('2025-03-10T12:00:00Z');

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    feature = await createCrmFeature({ store, config: testConfig(), logger: silentLogger, now: () => now });
    server = await serveFeature([feature]);
    const action = feature.actions?.find((a) => a.name === 'crm.lead');
    if (!action) throw new Error('crm.lead missing');
    const contact = await insertContact(store, {
      displayName: '=cmd|"/c calc"!A1',
      firstName: 'Jörg',
      lastName: 'Müller, Röster',
      phone: '+4934112345',
    });
    for (const [i, email] of ['joerg@example.org', '@evil', 'a"b@example.org'].entries()) {
      await action.run(
        action.args.parse({ fields: ['email', 'note'], campaign: i === 0 ? 'b2b' : 'messe' }),
        {
          contact,
          conversationId: 'c',
          channel: 'telegram',
          locale: 'de',
          vars: { email, note: 'Zeile 1\nZeile 2' },
          flowId: 'lead',
          stepId: 'send',
          now: new Date(now.getTime() + i * 1000),
        },
      );
    }
  });
  afterAll(async () => {
    await server.close();
    await handle.dispose();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v1${path}`, { ...init, headers: { ...authHeaders, ...(init.headers ?? {}) } });

  it('lists leads newest first, paged and filtered', async () => {
    const page = await (await api('/leads?limit=2')).json();
    expect(page.total).toBe(3);
    expect(page.leads).toHaveLength(2);
    expect(page.leads[0].lead.fields.email).toBe('a"b@example.org');
    expect(page.leads[0].status).toBe('not_sent');
    const b2b = await (await api('/leads?campaign=b2b')).json();
    expect(b2b.leads.map((l: { lead: { fields: { email: string } } }) => l.lead.fields.email)).toEqual([
      'joerg@example.org',
    ]);
    expect((await api('/leads?limit=9999')).status).toBe(400);
    expect((await api('/leads?status=lost')).status).toBe(400);
    expect((await fetch(`${server.url}/api/v1/leads`)).status).toBe(401);
  });

  it('exports CSV with a BOM, proper quoting and defused formulas', async () => {
    const response = await api('/leads.csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 3).toString('hex')).toBe('efbbbf');
    const text = bytes.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'lead_id,created_at,status,campaign,channel,contact_id,display_name,first_name,last_name,phone,locale,referral_campaign,referrer_contact_id,consent,email,note',
    );
    expect(text).toContain(`"'=cmd|""/c calc""!A1",Jörg,"Müller, Röster",'+4934112345,de`);
    expect(text).toContain(",'@evil,");
    expect(text).toContain(',"a""b@example.org",');
    expect(text).toContain('"Zeile 1\nZeile 2"');
    expect(text).not.toMatch(/,=|,\+|,@/);
  });

  it('retries only failed deliveries', async () => {
    const [row] = await store.db.withTables<CrmTables>().selectFrom('crm_deliveries').selectAll().execute();
    expect((await api(`/leads/${row?.id}/retry`, { method: 'POST' })).status).toBe(409);
    expect((await api('/leads/unknown/retry', { method: 'POST' })).status).toBe(404);
    await store.db
      .withTables<CrmTables>()
      .updateTable('crm_deliveries')
      .set({ status: 'failed' })
      .where('id', '=', row?.id ?? '')
      .execute();
    const retried = await api(`/leads/${row?.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    expect((await retried.json()).status).toBe('queued');
  });
});
