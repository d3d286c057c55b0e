import { describe, expect, it } from 'vitest';
import { pickLocalized } from '../../src/text/localized.js';

describe('pickLocalized', () => {
  const text = { de: 'Hallo', en: 'Hello' };
  it('picks the exact locale, then its language, then the default, then any', () => {
    expect(pickLocalized(text, 'en')).toBe('Hello');
    expect(pickLocalized(text, 'en-GB')).toBe('Hello');
    expect(pickLocalized(text, 'de_AT')).toBe('Hallo');
    expect(pickLocalized(text, 'fr')).toBe('Hallo');
    expect(pickLocalized(text, 'fr', 'en')).toBe('Hello');
    expect(pickLocalized({ it: 'Ciao' }, 'fr')).toBe('Ciao');
    expect(pickLocalized('Newsletter', 'en')).toBe('Newsletter');
  });
});
