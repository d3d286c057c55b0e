import { describe, expect, it } from 'vitest';
import { matchChoiceText, matchTypedNumber } from '../../src/engine/choice-matching.js';

const menu = [
  { names: ['Frage stellen', 'Ask a question'] },
  { names: ['Events'] },
  { names: ['Newsletter'] },
  { names: ['Röst-News (monatlich)', 'Roast news (monthly)'] },
  { names: ['Events & Verkostungen'] },
];

describe('typed numbers', () => {
  it.each([
    ['2', 1],
    ['2.', 1],
    [' 2) ', 1],
    ['Nr. 2', 1],
    ['nr 2', 1],
    ['#3', 2],
  ])('%j picks index %d', (text, index) => expect(matchTypedNumber(text, 5)).toBe(index));
  it.each(['0', '6', '2 oder 3', '22 Euro'])('%j picks nothing', (text) =>
    expect(matchTypedNumber(text, 5)).toBeNull(),
  );
});

describe('labels', () => {
  it('matches labels in any locale, case, umlaut spelling and punctuation', () => {
    expect(matchChoiceText('ask a question', menu)).toBe(0);
    expect(matchChoiceText('frage STELLEN!', menu)).toBe(0);
    expect(matchChoiceText('Roest-News (monatlich)', menu)).toBe(3);
  });
  it('prefers the exact label over labels contained in it', () => {
    expect(matchChoiceText('Events & Verkostungen', menu)).toBe(4);
    expect(matchChoiceText('events', menu)).toBe(1);
  });
  it('finds a label inside a longer message, the longest one winning', () => {
    expect(matchChoiceText('ich hätte gern den Newsletter bitte', menu)).toBe(2);
    expect(matchChoiceText('zeig mir events & verkostungen', menu)).toBe(4);
  });
  it('refuses when two labels of the same length are in the message', () => {
    const options = [{ names: ['Tee'] }, { names: ['Eis'] }];
    expect(matchChoiceText('tee und eis', options)).toBeNull();
  });
  it('takes a part of one label, but not a part shared by several', () => {
    expect(matchChoiceText('Röst-News', menu)).toBe(3);
    expect(matchChoiceText('Verkostungen', menu)).toBe(4);
    expect(matchChoiceText('news', [{ names: ['Röst news'] }, { names: ['Event news'] }])).toBeNull();
  });
  it('matches nothing for unrelated text', () => {
    expect(matchChoiceText('wie spät ist es', menu)).toBeNull();
    expect(matchChoiceText('!!!', menu)).toBeNull();
  });
});
