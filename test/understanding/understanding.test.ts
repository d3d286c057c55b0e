import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/understanding/analyzer.js';
import { bestTemperature, LinearClassifier, softmax } from '../../src/understanding/classifier.js';
import { detectLanguage } from '../../src/understanding/language.js';

describe('detectLanguage', () => {
  it('reads longer texts by their words', () => {
    expect(detectLanguage('Wann kommt mein Paket endlich an?', 'en').language).toBe('de');
    expect(detectLanguage('When will my parcel finally arrive?', 'de').language).toBe('en');
  });

  it('falls back to the contact locale when a short text says nothing', () => {
    const guess = detectLanguage('hotel', 'en');
    expect(guess.language).toBe('en');
    expect(guess.decidedBy).toBe('locale');
    expect(detectLanguage('hotel', 'de-AT').language).toBe('de');
    expect(detectLanguage('hotel').language).toBe('de');
  });

  it('lets distinctive words beat the locale in short texts', () => {
    expect(detectLanguage('where is the order', 'de').language).toBe('en');
    expect(detectLanguage('wo ist die bestellung', 'en').language).toBe('de');
  });
});

describe('Analyzer', () => {
  const analyzer = new Analyzer({ synonyms: [{ head: 'rueckgabe', members: ['retoure', 'return'] }] });
  const documents = ['Versand', 'Kosten', 'Maschine', 'Paket', 'Rückgabe', 'Programm'];
  const vocabulary = new Set(
    documents.flatMap((word) => [...analyzer.analyzeDocument(word, 'de').terms.keys()]),
  );
  analyzer.setVocabulary(vocabulary, ['versand', 'kosten', 'paket', 'rueckgabe', 'programm']);

  it('splits compounds against the real word list and keeps the head', () => {
    const analysis = analyzer.analyzeQuestion('Paketrückgabe', 'de');
    expect(analysis.words[0]!.parts).toEqual(['paket', 'ruckgab']);
    expect(analysis.terms.has('de:paket')).toBe(true);
    expect(analysis.unknown.size).toBe(0);
  });

  it('counts a compound with an unknown head as unknown ("Kaffeemaschine" is a machine)', () => {
    const fresh = new Analyzer({ synonyms: [] });
    fresh.setVocabulary(new Set(['de:kaffe']), ['kaffee']);
    expect(fresh.analyzeQuestion('kaffeemaschine', 'de').unknown.size).toBe(1);
  });

  it('maps knowledge-base synonyms onto their head, in both languages', () => {
    expect(analyzer.analyzeQuestion('retoure', 'de').terms.has('syn:ruckgabe')).toBe(true);
    expect(analyzer.analyzeQuestion('return', 'en').terms.has('syn:ruckgabe')).toBe(true);
  });

  it('repairs typos but never turns a real word into another one', () => {
    expect(analyzer.analyzeQuestion('versandd', 'de').terms.has('de:versand')).toBe(true);
    const gramm = analyzer.analyzeQuestion('gramm', 'de');
    expect(gramm.terms.has('de:programm')).toBe(false);
    expect(gramm.unknown.size).toBe(1);
  });

  it('bridges English words to German terms', () => {
    expect(analyzer.analyzeQuestion('parcel', 'en').terms.has('de:paket')).toBe(true);
  });

  it('recognises countries and cities', () => {
    expect(analyzer.analyzeQuestion('Liefert ihr nach Österreich?', 'de').countries).toEqual(['AT']);
    expect(analyzer.analyzeQuestion('Ich wohne in Wien', 'de').countries).toEqual(['AT']);
    expect(analyzer.analyzeQuestion("I'm in Czechia", 'en').terms.has('place:abroad')).toBe(true);
    expect(analyzer.analyzeQuestion('Lieferzeit nach Hamburg', 'de').terms.has('place:home')).toBe(true);
  });
});

describe('LinearClassifier', () => {
  const vector = (...keys: string[]) => new Map(keys.map((key) => [key, 1]));
  const examples = [
    ...['a b', 'a c', 'a d', 'a b c', 'a e'].map((t) => ({ features: vector(...t.split(' ')), label: 'A' })),
    ...['x y', 'x z', 'x w', 'x y z', 'x v'].map((t) => ({ features: vector(...t.split(' ')), label: 'X' })),
  ];

  it('learns which features point to which class', () => {
    const model = LinearClassifier.train(examples);
    expect(model.predict(vector('a'))[0]!.label).toBe('A');
    expect(model.predict(vector('x', 'q'))[0]!.label).toBe('X');
    const probabilities = model.predict(vector('a')).map((p) => p.probability);
    expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 6);
  });

  it('is deterministic', () => {
    const one = LinearClassifier.train(examples).predict(vector('a', 'x', 'b'));
    const two = LinearClassifier.train(examples).predict(vector('a', 'x', 'b'));
    expect(one).toEqual(two);
  });

  it('is unsure about features it never saw', () => {
    const [best] = LinearClassifier.train(examples).predict(vector('nothing'));
    expect(best!.probability).toBeCloseTo(0.5, 6);
  });

  it('fits a temperature: overconfident scores get a higher one, underconfident a lower one', () => {
    const right = Array.from({ length: 20 }, () => ({ scores: [2, 0], label: 0 }));
    const wrong = Array.from({ length: 10 }, () => ({ scores: [2, 0], label: 1 }));
    const mixed = bestTemperature([...right, ...wrong]);
    expect(mixed).toBeGreaterThan(1);
    expect(bestTemperature(right)).toBeLessThan(1);
    expect(softmax([1, 0], 0.1)[0]).toBeGreaterThan(softmax([1, 0], 1)[0]!);
  });
});
