import { describe, expect, it } from 'vitest';
import { loadTopicCatalog, parseTopicCatalog } from '../../../src/features/newsletter/topics.js';
import { FLOWS_DIR } from './support.js';

describe('newsletter topics file', () => {
  it('loads the sample topics and unsubscribe words', () => {
    const catalog = loadTopicCatalog(`${FLOWS_DIR}/newsletter/topics.yaml`);
    expect(catalog.list().map((t) => t.id)).toEqual(['roast-news', 'events']);
    expect(catalog.name('events', 'en')).toBe('Events & tastings');
    expect(catalog.description('roast-news', 'de-AT')).toMatch(/^Röst-News: einmal im Monat/);
    for (const word of [
      'STOP',
      'stopp',
      'Abmelden.',
      'ABBESTELLEN',
      'unsubscribe',
      'Kündigen Newsletter',
      'newsletter kuendigen',
    ]) {
      expect(catalog.isUnsubscribeMessage(word), word).toBe(true);
    }
    for (const text of ['kündigen', 'stop the music', 'Abo kündigen', '']) {
      expect(catalog.isUnsubscribeMessage(text), text).toBe(false);
    }
  });

  it('reports problems with file, line and column', () => {
    const text = [
      'topics:',
      '  - id: roast-news',
      '    name: Röstpost',
      '    description: Monatlich',
      '  - id: Roast News',
      '    name: x',
      '  - id: roast-news',
      '    name: y',
      '    description: z',
      'unsubscribe_words: { de: [STOP] }',
      'colour: blue',
    ].join('\n');
    expect(() => parseTopicCatalog(text, 'flows/newsletter/topics.yaml')).toThrow(
      [
        'flows/newsletter/topics.yaml:5:5: topics.1.description: a text, or texts per locale like { de: …, en: … }',
        'flows/newsletter/topics.yaml:5:9: topics.1.id: a topic id is lowercase a-z, 0-9 and -, at most 32 characters',
        'flows/newsletter/topics.yaml:11:1: unknown key "colour"',
      ].join('\n'),
    );
    expect(() => parseTopicCatalog('topics: [\n', 'topics.yaml')).toThrow(/^topics\.yaml:2:1: /);
    expect(() =>
      parseTopicCatalog(
        text.replace('Roast News', 'other').replace('    name: x', '    name: x\n    description: d'),
        't.yaml',
      ),
    ).toThrow('t.yaml:8:9: topics.2.id: topic "roast-news" is defined twice');
  });
});
