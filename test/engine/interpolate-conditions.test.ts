import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '../../src/engine/conditions.js';
import { interpolateText, interpolateValue } from '../../src/engine/interpolate.js';

const scope = (vars: Record<string, unknown> = {}, firstName: string | null = 'Anna') => ({
  contact: {
    firstName,
    lastName: null,
    displayName: firstName ? `${firstName} Schmidt` : null,
    username: null,
    locale: 'de',
    channel: 'telegram' as const,
    attributes: { email: 'a@b.de' },
  },
  vars: vars as Record<string, never>,
});

describe('interpolation', () => {
  it('fills contact fields and nested variables', () => {
    expect(
      interpolateText(
        '{{contact.firstName}} / {{contact.displayName}} / {{contact.locale}} / {{contact.channel}} / {{vars.event.title}} / {{contact.attributes.email}}',
        scope({ event: { title: 'Cupping' } }),
      ),
    ).toBe('Anna / Anna Schmidt / de / telegram / Cupping / a@b.de');
  });
  it('uses the fallback for missing values', () => {
    expect(interpolateText('Hallo {{contact.firstName | "du"}}!', scope({}, null))).toBe('Hallo du!');
    expect(interpolateText("Hi {{ vars.name | 'there' }}", scope())).toBe('Hi there');
  });
  it('heals the spacing around empty values', () => {
    expect(interpolateText('Hallo {{contact.firstName}}!', scope({}, null))).toBe('Hallo!');
    expect(interpolateText('Hallo {{contact.firstName}}, schön', scope({}, null))).toBe('Hallo, schön');
    expect(interpolateText('Du {{vars.x}} bist {{vars.y}} da', scope())).toBe('Du bist da');
    expect(interpolateText('{{vars.x}} Start', scope())).toBe('Start');
    expect(interpolateText('Kein  Eingriff  {{vars.ok}}', scope({ ok: 'hier' }))).toBe(
      'Kein  Eingriff  hier',
    );
  });
  it('leaves no stray comma, dash or double space where a value is missing', () => {
    const none = scope({}, null);
    expect(interpolateText('Beide richtig, {{contact.firstName}}! 🎉', none)).toBe('Beide richtig! 🎉');
    expect(interpolateText('Super, {{contact.firstName}}.', none)).toBe('Super.');
    expect(interpolateText('Bis bald, {{contact.firstName}}', none)).toBe('Bis bald');
    expect(interpolateText('Danke – {{contact.firstName}}!', none)).toBe('Danke!');
    expect(interpolateText('Hallo, {{contact.firstName}}, schön, dass du da bist.', none)).toBe(
      'Hallo, schön, dass du da bist.',
    );
    expect(interpolateText('{{contact.firstName}}, schön, dass du da bist.', none)).toBe(
      'Schön, dass du da bist.',
    );
    expect(interpolateText('Hallo {{contact.firstName}} {{contact.lastName}}!', none)).toBe('Hallo!');
    expect(interpolateText('Für {{vars.a}} {{vars.b}} dich', none)).toBe('Für dich');
    expect(interpolateText('Zeile eins, {{vars.a}}\nZeile zwei', none)).toBe('Zeile eins\nZeile zwei');
    // With a value nothing changes, the marketer's own punctuation included.
    expect(interpolateText('Beide richtig, {{contact.firstName}}! 🎉', scope())).toBe(
      'Beide richtig, Anna! 🎉',
    );
    expect(interpolateText('Ja, – genau {{vars.ok}}', scope({ ok: 'so' }))).toBe('Ja, – genau so');
  });
  it('renders numbers, booleans and lists', () => {
    expect(
      interpolateText('{{vars.n}} {{vars.b}} {{vars.list}}', scope({ n: 7, b: true, list: ['a', 'b'] })),
    ).toBe('7 true a, b');
  });
  it('keeps the type of a value that is a whole placeholder', () => {
    expect(
      interpolateValue(
        { limit: '{{vars.n}}', tags: ['{{vars.t}}', 'x'], text: 'n={{vars.n}}' },
        scope({ n: 3, t: 'vip' }),
      ),
    ).toEqual({
      limit: 3,
      tags: ['vip', 'x'],
      text: 'n=3',
    });
    expect(interpolateValue('{{vars.missing | "fallback"}}', scope())).toBe('fallback');
  });
});

describe('conditions', () => {
  const vars = scope({ age: 21, name: 'Anna', topics: ['events'], flag: true, age_text: '17', empty: '' });
  it('compares values', () => {
    expect(evaluateCondition({ var: 'vars.age', gte: 18 }, vars)).toBe(true);
    expect(evaluateCondition({ var: 'vars.age_text', gte: 18 }, vars)).toBe(false);
    expect(evaluateCondition({ var: 'vars.age', gt: 18, lt: 21 }, vars)).toBe(false);
    expect(evaluateCondition({ var: 'vars.name', equals: 'anna' }, vars)).toBe(true);
    expect(evaluateCondition({ var: 'vars.flag', equals: 'true' }, vars)).toBe(true);
    expect(evaluateCondition({ var: 'vars.name', not_equals: 'Ben' }, vars)).toBe(true);
    expect(evaluateCondition({ var: 'vars.name', in: ['Ben', 'Anna'] }, vars)).toBe(true);
    expect(evaluateCondition({ var: 'vars.topics', contains: 'events' }, vars)).toBe(true);
    expect(evaluateCondition({ var: 'vars.name', matches: '^an' }, vars)).toBe(true);
    expect(evaluateCondition({ var: 'vars.name', matches: '([' }, vars)).toBe(false);
    expect(evaluateCondition({ var: 'contact.locale', equals: 'de' }, vars)).toBe(true);
  });
  it('tests presence', () => {
    expect(evaluateCondition({ var: 'vars.name', exists: true }, vars)).toBe(true);
    expect(evaluateCondition({ var: 'vars.empty', exists: true }, vars)).toBe(false);
    expect(evaluateCondition({ var: 'vars.nope', exists: false }, vars)).toBe(true);
    expect(evaluateCondition({ var: 'vars.nope', gt: 1 }, vars)).toBe(false);
  });
  it('combines with all, any and not', () => {
    expect(
      evaluateCondition(
        {
          all: [
            { var: 'vars.age', gte: 18 },
            { var: 'vars.flag', equals: true },
          ],
        },
        vars,
      ),
    ).toBe(true);
    expect(
      evaluateCondition(
        {
          any: [
            { var: 'vars.age', lt: 18 },
            { var: 'vars.flag', equals: false },
          ],
        },
        vars,
      ),
    ).toBe(false);
    expect(evaluateCondition({ not: { var: 'vars.age', lt: 18 } }, vars)).toBe(true);
  });
});
