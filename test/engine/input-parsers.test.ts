import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PARSE_CONTEXT,
  parseDate,
  parseEmail,
  parseExpectedInput,
  parseLocaleNumber,
  parsePhone,
  parseYesNo,
} from '../../src/engine/input-parsers.js';

// 23:30 in Berlin on 31 Dec is already 1 Jan nowhere but still 31 Dec there: "heute" follows Berlin.
const context = { ...DEFAULT_PARSE_CONTEXT, now: new Date('2026-12-31T22:30:00Z') };

describe('e-mail answers', () => {
  it('trims, lowercases and finds the address inside a sentence', () => {
    expect(parseEmail('  Anna.Schmidt@Beispiel.DE ')).toEqual({
      ok: true,
      value: 'anna.schmidt@beispiel.de',
    });
    expect(parseEmail('meine mail ist anna@beispiel.de.')).toEqual({ ok: true, value: 'anna@beispiel.de' });
  });
  it.each(['anna', 'anna@', 'anna@beispiel', 'a@b.c', 'anna..x@beispiel.de', 'a@b.de oder c@d.de', ''])(
    'rejects %j',
    (text) => expect(parseEmail(text).ok).toBe(false),
  );
});

describe('numbers the German way', () => {
  it.each([
    ['12', 12],
    ['12,5', 12.5],
    ['1.000', 1000],
    ['1.000,50', 1000.5],
    ['12.5', 12.5],
    ['ca. 3 Stück', 3],
    ['-2', -2],
    ['1,000,000', 1000000],
  ])('%j is %d', (text, value) => expect(parseLocaleNumber(text)).toBe(value));
  it.each(['zwölf', '1 oder 2', '', '1.2.3'])('%j is no number', (text) =>
    expect(parseLocaleNumber(text)).toBeNull(),
  );
  it('applies min and max', () => {
    expect(parseExpectedInput('number', '0,4', { min: 0.5 }, context)).toEqual({ ok: false });
    expect(parseExpectedInput('number', '5001', { max: 5000 }, context)).toEqual({ ok: false });
    expect(parseExpectedInput('number', '5000', { max: 5000 }, context)).toEqual({ ok: true, value: 5000 });
  });
});

describe('phone numbers', () => {
  it.each([
    ['+49 341 1234567', '+493411234567'],
    ['0341/1234567', '+493411234567'],
    ['(0341) 12 34 567', '+493411234567'],
    ['0049 170 1234567', '+491701234567'],
    ['+43 1 234567', '+431234567'],
  ])('%j → %s', (text, value) => expect(parsePhone(text, '49')).toEqual({ ok: true, value }));
  it.each(['12345', '341 1234567', '+49 12', '+49 1234 5678 9012 345', 'ruf mich an', '0341-ABC'])(
    'rejects %j',
    (text) => expect(parsePhone(text, '49').ok).toBe(false),
  );
});

describe('dates', () => {
  it.each([
    ['24.12.2026', '2026-12-24'],
    ['24.12.26', '2026-12-24'],
    ['2027-03-15', '2027-03-15'],
    ['heute', '2026-12-31'],
    ['Morgen', '2027-01-01'],
    ['tomorrow', '2027-01-01'],
    ['übermorgen', '2027-01-02'],
    ['31.12.', '2026-12-31'],
    ['24.12.', '2027-12-24'],
    ['1.3.', '2027-03-01'],
  ])('%j → %s', (text, value) => expect(parseDate(text, context)).toEqual({ ok: true, value }));
  it.each(['31.02.2027', '2027-13-01', 'nächste Woche', '24/12/2026', ''])('rejects %j', (text) =>
    expect(parseDate(text, context).ok).toBe(false),
  );
});

describe('yes or no', () => {
  it.each(['ja', 'Jo', 'jap', 'klar', 'gerne', 'OK', 'yes', 'y', 'sure', 'Ja, gerne!', 'na klar', '👍'])(
    '%j is yes',
    (text) => expect(parseYesNo(text)).toEqual({ ok: true, value: true }),
  );
  it.each(['nein', 'nö', 'Nee', 'no', 'n', 'nope', 'nein danke', 'No thanks'])('%j is no', (text) =>
    expect(parseYesNo(text)).toEqual({ ok: true, value: false }),
  );
  it.each(['vielleicht', 'ja nein', 'jaein', 'ich weiß nicht', ''])('%j is neither', (text) =>
    expect(parseYesNo(text).ok).toBe(false),
  );
});

describe('free text', () => {
  it('checks lengths and pattern', () => {
    expect(parseExpectedInput('text', '  hi  ', { min_length: 2 }, context)).toEqual({
      ok: true,
      value: 'hi',
    });
    expect(parseExpectedInput('text', 'h', { min_length: 2 }, context).ok).toBe(false);
    expect(parseExpectedInput('text', 'abcdef', { max_length: 5 }, context).ok).toBe(false);
    expect(parseExpectedInput('text', 'AB-123', { pattern: '^[A-Z]{2}-\\d+$' }, context).ok).toBe(true);
    expect(parseExpectedInput('text', 'ab123', { pattern: '^[A-Z]{2}-\\d+$' }, context).ok).toBe(false);
    expect(parseExpectedInput('text', '   ', undefined, context).ok).toBe(false);
  });
});
