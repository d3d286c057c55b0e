/**
 * Comparing flows/whatsapp/templates.yaml with Meta's template list, read from the fake Graph API: paging,
 * the bearer token, and every verdict (approved, pending, unknown, differing body, approved but not in the file).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareTemplates,
  createTemplateFetcher,
} from '../../../src/channels/whatsapp-cloud/template-sync.js';
import { parseTemplateRegistry } from '../../../src/channels/whatsapp-cloud/templates.js';
import { loadConfig } from '../../../src/config.js';
import { SourceError } from '../../../src/yaml/validated-yaml.js';
import { FakeGraphApi, type FakeTemplate } from '../../fakes/graph-api.js';

const OURS = `templates:
  - name: roast_news_update
    language: de
    body: "Hallo {{1}}, neu aus der Rösterei."
    parameters:
      - { from: contact.firstName, fallback: "du" }
  - name: roast_news_update
    language: en
    body: "Hi {{1}}, news from the roastery."
    parameters:
      - { from: contact.firstName, fallback: "friend" }
  - name: event_notice
    language: de
    body: "Neues zu unseren Veranstaltungen."
  - name: typo_templat
    language: de
    body: "Hallo"
`;

const approved = (name: string, language: string, text: string): FakeTemplate => ({
  name,
  language,
  status: 'APPROVED',
  category: 'MARKETING',
  components: [
    { type: 'HEADER', text: 'Bohnenglück' },
    { type: 'BODY', text },
    { type: 'FOOTER', text: 'STOP' },
  ],
});

describe('WhatsApp templates against WhatsApp Manager', () => {
  let graph: FakeGraphApi;
  beforeAll(async () => {
    graph = await FakeGraphApi.start();
  });
  afterAll(async () => {
    await graph.close();
  });

  const config = (env: Record<string, string> = {}) =>
    loadConfig({
      META_APP_SECRET: 'secret',
      META_VERIFY_TOKEN: 'verify',
      META_GRAPH_API_ROOT: graph.root,
      META_GRAPH_API_VERSION: 'v21.0',
      WHATSAPP_CLOUD_TOKEN: 'wa-test-token',
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: '106540352242922',
      WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398',
      ...env,
    });

  it('is off without a business account id', () => {
    expect(createTemplateFetcher(config({ WHATSAPP_BUSINESS_ACCOUNT_ID: '' }))).toBeNull();
  });

  it('reads every page and says what is approved, pending, unknown, different or missing', async () => {
    const filler = Array.from({ length: 130 }, (_, i) => ({
      ...approved(`old_${String(i).padStart(3, '0')}`, 'de', 'Alt'),
      status: 'DISABLED',
    }));
    graph.templates = [
      approved('roast_news_update', 'de', 'Hallo  {{1}}, neu aus der Rösterei.'),
      approved('roast_news_update', 'en', 'Hi {{1}}, fresh news from the roastery!'),
      { ...approved('event_notice', 'de', 'Neues zu unseren Veranstaltungen.'), status: 'PENDING' },
      ...filler,
      approved('winter_sale', 'de', 'Hallo {{1}}, ab {{2}} ist Winterverkauf.'),
    ];
    const fetcher = createTemplateFetcher(config())!;
    const meta = await fetcher();
    expect(meta).toHaveLength(graph.templates.length);
    expect(graph.templateListCalls.map((q) => q.after ?? '')).toEqual(['', '100']);
    expect(graph.templateListCalls[0]?.fields).toBe('name,language,status,category,components');

    const check = compareTemplates(parseTemplateRegistry(OURS), meta);
    const row = (name: string, language = 'de') =>
      check.rows.find((r) => r.name === name && r.language === language);
    // Whitespace differences do not count; wording does.
    expect(row('roast_news_update')).toMatchObject({
      inFile: true,
      status: 'APPROVED',
      bodyMatches: true,
      problem: null,
    });
    expect(row('roast_news_update', 'en')).toMatchObject({ bodyMatches: false, problem: 'body-differs' });
    expect(row('event_notice')).toMatchObject({ status: 'PENDING', problem: 'not-approved' });
    expect(row('typo_templat')).toMatchObject({ status: null, problem: 'unknown-at-meta' });
    expect(row('winter_sale')).toMatchObject({
      inFile: false,
      status: 'APPROVED',
      problem: 'missing-in-file',
    });
    // Disabled templates are not offered.
    expect(check.rows.some((r) => r.name.startsWith('old_'))).toBe(false);

    // The suggested entry is refused until its two placeholders are mapped, then it loads.
    const suggestion = check.suggestedYaml!;
    expect(suggestion).toContain('name: winter_sale');
    const withSuggestion = `${OURS}${suggestion}\n`;
    expect(() => parseTemplateRegistry(withSuggestion)).toThrow(SourceError);
    const mapped = `${withSuggestion}      - { from: contact.firstName, fallback: "du" }\n      - { text: "Montag" }\n`;
    expect(parseTemplateRegistry(mapped).has('winter_sale')).toBe(true);
  });

  it('passes Meta’s refusal on as an error', async () => {
    const fetcher = createTemplateFetcher(config({ WHATSAPP_CLOUD_TOKEN: 'wrong-token' }))!;
    await expect(fetcher()).rejects.toThrow(/code 190/);
  });
});
