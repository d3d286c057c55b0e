import { describe, expect, it } from 'vitest';
import {
  appendLink,
  appendNumberedOptions,
  chunkButtonRows,
  renderNumberedOptions,
  splitText,
  truncateLabel,
  truncateUtf8,
  utf8Length,
} from '../../../src/channels/render/index.js';

describe('splitText', () => {
  it('returns a fitting text as one trimmed part and an empty text as none', () => {
    expect(splitText('  Hallo Welt  ', 20)).toEqual(['Hallo Welt']);
    expect(splitText('   ', 20)).toEqual([]);
  });

  it('prefers paragraph breaks, then sentences, then words', () => {
    const paragraphs = 'Erster Absatz mit Text.\n\nZweiter Absatz mit mehr Text.';
    expect(splitText(paragraphs, 40)).toEqual(['Erster Absatz mit Text.', 'Zweiter Absatz mit mehr Text.']);

    const sentences = 'Unser Kaffee ist frisch geröstet. Wir versenden montags. Abholung ist möglich.';
    const parts = splitText(sentences, 50);
    expect(parts[0]).toBe('Unser Kaffee ist frisch geröstet.');
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(50);

    const sentenceParts = splitText(sentences, 60);
    expect(sentenceParts).toEqual([
      'Unser Kaffee ist frisch geröstet. Wir versenden montags.',
      'Abholung ist möglich.',
    ]);
  });

  it('never loses or reorders words and keeps every part within the limit', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `wort${i}${i % 17 === 0 ? '.' : ''}`);
    const text = words.join(' ');
    const parts = splitText(text, 4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join(' ').split(/\s+/)).toEqual(words);
  });

  it('cuts a single over-long word without splitting a surrogate pair', () => {
    const text = `${'a'.repeat(9)}😀${'b'.repeat(10)}`;
    const parts = splitText(text, 10);
    expect(parts[0]).toBe('a'.repeat(9));
    expect(parts.join('')).toBe(text);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(10);
  });

  it('rejects a nonsensical limit', () => {
    expect(() => splitText('x', 0)).toThrow(RangeError);
  });
});

describe('labels', () => {
  it('leaves short labels alone and shortens long ones with an ellipsis', () => {
    expect(truncateLabel('  Öffnungszeiten ', 20)).toBe('Öffnungszeiten');
    const cut = truncateLabel('Wann öffnet die Rösterei am Wochenende', 20);
    expect([...cut].length).toBeLessThanOrEqual(20);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).toBe('Wann öffnet die…');
  });

  it('does not cut an emoji with a skin tone or a flag in half', () => {
    const cut = truncateLabel('👍🏽👍🏽👍🏽👍🏽', 3);
    expect(cut).toBe('👍🏽👍🏽…');
    expect(truncateLabel('🇩🇪🇩🇪🇩🇪', 2)).toBe('🇩🇪…');
  });

  it('cuts payloads to a byte budget at code point boundaries', () => {
    expect(utf8Length('ä')).toBe(2);
    expect(truncateUtf8('ääää', 5)).toBe('ää');
    expect(truncateUtf8('abc', 64)).toBe('abc');
  });
});

describe('numbered options', () => {
  const buttons = [
    { label: 'Bestellung', payload: 'order' },
    { label: 'Öffnungszeiten', payload: 'hours' },
    { label: 'Shop', url: 'https://example.com/shop' },
  ];

  it('renders one numbered line per button, link buttons with their URL', () => {
    expect(renderNumberedOptions(buttons)).toBe(
      '1) Bestellung\n2) Öffnungszeiten\n3) Shop: https://example.com/shop',
    );
  });

  it('appends the options after a blank line and shortens labels on request', () => {
    expect(appendNumberedOptions('Wobei kann ich helfen?', buttons.slice(0, 2), { maxLabelLength: 8 })).toBe(
      'Wobei kann ich helfen?\n\n1) Bestell…\n2) Öffnung…',
    );
    expect(appendNumberedOptions(undefined, buttons.slice(0, 1))).toBe('1) Bestellung');
    expect(appendNumberedOptions('Nur Text', [])).toBe('Nur Text');
  });

  it('appends links on their own line', () => {
    expect(appendLink('Hier entlang', { url: 'https://x.test', label: 'Shop' })).toBe(
      'Hier entlang\nShop: https://x.test',
    );
    expect(appendLink(undefined, { url: 'https://x.test' })).toBe('https://x.test');
  });
});

describe('chunkButtonRows', () => {
  it('pairs short labels and gives long ones their own row', () => {
    const rows = chunkButtonRows([
      { label: 'Ja' },
      { label: 'Nein' },
      { label: 'Vielleicht später noch einmal' },
      { label: 'A' },
      { label: 'B' },
      { label: 'C' },
    ]);
    expect(rows.map((r) => r.map((b) => b.label))).toEqual([
      ['Ja', 'Nein'],
      ['Vielleicht später noch einmal'],
      ['A', 'B'],
      ['C'],
    ]);
  });
});
