import { describe, expect, it } from 'vitest';
import { splitCompound } from '../../../src/features/faq/compounds.js';
import { editDistance } from '../../../src/features/faq/edit-distance.js';
import { foldText, keyTokens, spellingKey, tokenize } from '../../../src/features/faq/normalize.js';
import { stem } from '../../../src/features/faq/stem.js';

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

describe('stem', () => {
  it('maps inflected forms onto one stem', () => {
    expect(new Set(['Gutschein', 'Gutscheine', 'Gutscheinen'].map((w) => stem(keyTokens(w)[0]!))).size).toBe(
      1,
    );
    expect(stem('bestellt')).toBe(stem('bestellen'));
    expect(stem('kostet')).toBe(stem('kosten'));
    expect(stem('adresse')).toBe(stem('adressen'));
  });

  it('keeps short words apart across languages', () => {
    expect(stem('offer')).not.toBe(stem('offen'));
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
