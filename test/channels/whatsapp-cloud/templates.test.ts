/** The WhatsApp template registry: the file's rules with positioned errors, picking a language, filling parameters. */
import { describe, expect, it } from 'vitest';
import { renderWhatsAppTemplate } from '../../../src/channels/whatsapp-cloud/outbound.js';
import {
  fillTemplate,
  loadTemplateRegistry,
  parseTemplateRegistry,
  templateText,
} from '../../../src/channels/whatsapp-cloud/templates.js';
import { SourceError } from '../../../src/yaml/validated-yaml.js';

const FILE = `templates:
  - name: roast_news_update
    language: de
    body: "Hallo {{1}}, neu aus {{2}}."
    parameters:
      - { from: contact.firstName, fallback: "Kaffeefreund:in" }
      - { text: "der Rösterei" }
  - name: roast_news_update
    language: en_US
    body: "Hi {{1}}, news from {{2}}."
    parameters:
      - { from: contact.attributes.nickname, fallback: "coffee friend" }
      - { text: "the roastery" }
`;

const contact = (over: Partial<Parameters<typeof fillTemplate>[1]> = {}) => ({
  firstName: null,
  lastName: null,
  displayName: null,
  username: null,
  attributes: {},
  ...over,
});

function problemsOf(text: string): string[] {
  try {
    parseTemplateRegistry(text, 'whatsapp/templates.yaml');
  } catch (error) {
    if (error instanceof SourceError) return error.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    throw error;
  }
  return [];
}

describe('WhatsApp template registry', () => {
  it('loads the shipped sample file', () => {
    const registry = loadTemplateRegistry(
      new URL('../../../flows/whatsapp/templates.yaml', import.meta.url).pathname,
    );
    expect(registry.names()).toContain('roast_news_update');
    expect(
      registry
        .list()
        .find((t) => t.name === 'roast_news_update')
        ?.languages.map((l) => l.language),
    ).toEqual(['de', 'en']);
  });

  it('treats a missing file as no templates', () => {
    expect(loadTemplateRegistry('/nonexistent/whatsapp/templates.yaml').names()).toEqual([]);
  });

  it('picks the exact language, then the base language, then the default, then any', () => {
    const registry = parseTemplateRegistry(FILE);
    expect(registry.variantFor('roast_news_update', 'en-US', 'de')?.language).toBe('en_US');
    expect(registry.variantFor('roast_news_update', 'en', 'de')?.language).toBe('en_US');
    expect(registry.variantFor('roast_news_update', 'fr', 'de')?.language).toBe('de');
    expect(registry.variantFor('roast_news_update', 'fr', 'it')?.language).toBe('de');
    expect(registry.variantFor('nope', 'de', 'de')).toBeNull();
  });

  it('fills parameters from contact fields with fallbacks and fixed texts, cleaned for WhatsApp', () => {
    const registry = parseTemplateRegistry(FILE);
    const de = registry.variantFor('roast_news_update', 'de', 'de')!;
    expect(fillTemplate(de, contact({ firstName: 'Anna' })).parameters).toEqual(['Anna', 'der Rösterei']);
    expect(fillTemplate(de, contact({ firstName: '   ' })).parameters).toEqual([
      'Kaffeefreund:in',
      'der Rösterei',
    ]);
    expect(fillTemplate(de, contact({ firstName: 'Anna\nMaria' })).parameters?.[0]).toBe('Anna Maria');
    const en = registry.variantFor('roast_news_update', 'en', 'de')!;
    const filled = fillTemplate(en, contact({ attributes: { nickname: 'Bo' } }));
    expect(filled).toEqual({
      name: 'roast_news_update',
      language: 'en_US',
      parameters: ['Bo', 'the roastery'],
    });
    expect(templateText(en, filled)).toBe('Hi Bo, news from the roastery.');
    // What the adapter posts to the Graph API.
    expect(renderWhatsAppTemplate(filled)).toEqual({
      type: 'template',
      template: {
        name: 'roast_news_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Bo' },
              { type: 'text', text: 'the roastery' },
            ],
          },
        ],
      },
    });
  });

  it('reports every problem with its line: names, languages, parameter sources, counts, duplicates', () => {
    const problems = problemsOf(`templates:
  - name: Roast-News
    language: german
    body: "Hallo {{1}}"
    parameters:
      - { from: contact.phone, fallback: "x" }
  - name: ok_one
    language: de
    body: "Hallo {{1}}"
    parameters:
      - { from: contact.firstName }
`);
    expect(problems.join('\n')).toMatch(/^2:\d+ templates\.0\.name: a template name is lowercase/m);
    expect(problems.join('\n')).toMatch(/^3:\d+ templates\.0\.language: language is Meta/m);
    expect(problems.join('\n')).toMatch(/^6:\d+ templates\.0\.parameters\.0/m);
    expect(problems.join('\n')).toMatch(/^11:\d+ templates\.1\.parameters\.0: a parameter is \{ from/m);
    // Once every template has its shape: placeholders against parameters, and duplicates.
    const counts = problemsOf(`templates:
  - name: ok_one
    language: de
    body: "Hallo {{1}} und {{2}}"
    parameters:
      - { from: contact.firstName, fallback: "du" }
  - name: ok_two
    language: de
    body: "Hi"
  - name: ok_two
    language: de
    body: "Hi again"
`);
    expect(counts.join('\n')).toMatch(
      /templates\.0\.parameters: the body uses \{\{1\}\}, \{\{2\}\} but 1 parameter/,
    );
    expect(counts.join('\n')).toMatch(/^11:\d+ templates\.2\.language: template "ok_two" is defined twice/m);
  });
});
