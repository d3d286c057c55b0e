import { describe, expect, it } from 'vitest';
import { splitCompound } from '../../src/understanding/compounds.js';
import { editDistance } from '../../src/understanding/edit-distance.js';
import { foldText, keyTokens, spellingKey, tokenize } from '../../src/understanding/normalize.js';
import { stemWord } from '../../src/understanding/stemmer.js';

describe('foldText', () => {
  it('folds umlauts, ß, case, accents and punctuation', () => {
    expect(foldText('Rückgabe für GRÖßERE Tüten?!')).toBe('rueckgabe fuer groessere tueten');
    expect(foldText('Café-Besuch, bitte…')).toBe('cafe besuch bitte');
  });

  it('gives ü, ue and u the same spelling key', () => {
    const keys = ['Rückgabe', 'Rueckgabe', 'Ruckgabe'].map((word) => spellingKey(foldText(word)));
    expect(new Set(keys).size).toBe(1);
    expect(spellingKey(foldText('Straße'))).toBe(spellingKey(foldText('Strasse')));
  });

  it('drops single letters and bare numbers', () => {
    expect(tokenize('Bestellung 10482 – E-Mail?')).toEqual(['bestellung', 'mail']);
  });
});

describe('stemWord (Snowball per language)', () => {
  it('maps German inflected forms onto one stem', () => {
    const forms = ['Gutschein', 'Gutscheine', 'Gutscheinen'].map((w) => stemWord(keyTokens(w)[0]!, 'de'));
    expect(new Set(forms).size).toBe(1);
    expect(stemWord('bestellungen', 'de')).toBe(stemWord('bestellung', 'de'));
    expect(stemWord('adresse', 'de')).toBe(stemWord('adressen', 'de'));
  });

  it('uses the English algorithm for English words', () => {
    expect(stemWord('deliveries', 'en')).toBe(stemWord('delivery', 'en'));
    expect(stemWord('cancelled', 'en')).toBe('cancel');
    expect(stemWord('shipping', 'en')).toBe('ship');
  });

  it('keeps "Daten" and "Datum" apart, and English "date" is neither', () => {
    expect(stemWord('daten', 'de')).not.toBe(stemWord('datum', 'de'));
    expect(`en:${stemWord('date', 'en')}`).not.toBe(`de:${stemWord('daten', 'de')}`);
  });
});

describe('splitCompound', () => {
  const words = new Set(['versand', 'kosten', 'kost', 'frei', 'etikett', 'liefer']);
  const known = (piece: string) => words.has(piece);

  it('splits a compound into known words, with linking elements', () => {
    expect(splitCompound('versandkostenfrei', known)).toEqual(['versand', 'kosten', 'frei']);
  });

  it('keeps known parts when the rest is unknown, but only from the start of the word', () => {
    expect(splitCompound('lieferanschrift', known)).toEqual(['liefer']);
    expect(splitCompound('ruecksendeetikett', known)).toBeNull();
  });

  it('does not split short words', () => {
    expect(splitCompound('kosten', known)).toBeNull();
  });
});

describe('editDistance', () => {
  it('counts typos, with adjacent swaps as one', () => {
    expect(editDistance('versandkosen', 'versandkosten', 2)).toBe(1);
    expect(editDistance('passwrot', 'passwort', 2)).toBe(1);
    expect(editDistance('abc', 'xyz', 1)).toBe(2);
  });
});
