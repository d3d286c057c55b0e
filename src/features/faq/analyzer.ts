/**
 * Turns a text into what the matcher compares: weighted terms (stems, synonym heads, compound parts,
 * typo repairs) and character trigrams. Built once from the knowledge base, whose words are the
 * dictionary for splitting compounds and repairing typos.
 */
import { knownWordsInside, splitCompound } from './compounds.js';
import { editDistance, typoAllowance } from './edit-distance.js';
import type { KnowledgeBase } from './kb-schema.js';
import { GENERAL_LEXICON } from './lexicon.js';
import { keyTokens } from './normalize.js';
import { stem } from './stem.js';
import { isQuestionWord, isStopWord } from './stopwords.js';

/** A compound's parts count less than the compound: they repeat what the whole word says. */
const PART_WEIGHT = 0.7;
/** A repaired typo is probably, not certainly, the word we think it is. */
const TYPO_WEIGHT = 0.8;
/** A known word that starts or sits inside an unknown one is the weakest evidence. */
const RELATED_WEIGHT = 0.5;
const MIN_PREFIX_LENGTH = 4;
/** Question words hint at the kind of answer (a place, a time, a price) but never decide it. */
const QUESTION_WORD_WEIGHT = 0.5;
const MIN_INSIDE_WORD_LENGTH = 5;
const MIN_DICTIONARY_WORD_LENGTH = 3;
const GRAM_SIZE = 3;

export interface AnalyzedText {
  /** Term → weight in (0, 1]. */
  terms: Map<string, number>;
  /** Character trigram → count, over the content words (padded with `_` at word edges). */
  grams: Map<string, number>;
  /** Terms of a question that the knowledge base does not know at all. */
  unknownTerms: Map<string, number>;
}

interface Phrase {
  stems: string[];
  term: string;
  headWords: string[];
}

const CACHE_LIMIT = 20_000;

/** Stores in a bounded cache: questions are unbounded input, the caches must not grow with them. */
function remember<Value>(cache: Map<string, Value>, key: string, value: Value): Value {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function addMax(map: Map<string, number>, key: string, weight: number): void {
  map.set(key, Math.max(map.get(key) ?? 0, weight));
}

export function addGrams(grams: Map<string, number>, word: string): void {
  const padded = `_${word}_`;
  for (let i = 0; i + GRAM_SIZE <= padded.length; i++) {
    const gram = padded.slice(i, i + GRAM_SIZE);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
}

export class TextAnalyzer {
  /** Stem of any synonym (single word) → the term of its group's head. */
  readonly #termByStem = new Map<string, string>();
  /** Head words (key form) per synonym term, so trigrams see "retoure" as "rueckgabe" too. */
  readonly #headWordsByTerm = new Map<string, string[]>();
  /** Multi-word synonyms by their first stem, longest first. */
  readonly #phrasesByFirstStem = new Map<string, Phrase[]>();
  /** Every content word of the knowledge base and its stem: the dictionary for compounds. */
  readonly #knownWords = new Set<string>();
  /** Content words by length: candidates for typo repair. */
  readonly #wordsByLength = new Map<number, string[]>();
  // Caches: questions repeat words, and the knowledge base repeats them even more. All bounded.
  readonly #repairCache = new Map<string, string[]>();
  readonly #relatedCache = new Map<string, string[]>();
  readonly #splitCache = new Map<string, string[] | null>();
  readonly #knownPieceCache = new Map<string, boolean>();
  readonly #isKnownPiece = (piece: string): boolean => {
    let known = this.#knownPieceCache.get(piece);
    if (known === undefined) {
      // Inflected parts count as known when their stem is ("verkostungen" in "kaffeeverkostungen").
      known = this.#knownWords.has(piece) || this.#knownWords.has(stem(piece));
      remember(this.#knownPieceCache, piece, known);
    }
    return known;
  };

  constructor(kb: KnowledgeBase) {
    for (const group of kb.synonyms) this.#addSynonymGroup(group.head, group.members, false);
    for (const group of GENERAL_LEXICON) this.#addSynonymGroup(group.head, group.members, true);
    for (const entry of kb.entries) {
      const texts = [...Object.values(entry.questions).flat()];
      if (entry.title)
        texts.push(...(typeof entry.title === 'string' ? [entry.title] : Object.values(entry.title)));
      // Answer words help split and repair ("hafermilch" → "hafer"), though they weigh little in scoring.
      texts.push(...(typeof entry.answer === 'string' ? [entry.answer] : Object.values(entry.answer)));
      for (const text of texts) for (const word of keyTokens(text)) this.#addKnownWord(word);
    }
    for (const group of [...kb.synonyms, ...GENERAL_LEXICON]) {
      for (const phrase of [group.head, ...group.members])
        for (const word of keyTokens(phrase)) this.#addKnownWord(word);
    }
  }

  #addKnownWord(word: string): void {
    if (word.length < MIN_DICTIONARY_WORD_LENGTH || isStopWord(word) || isQuestionWord(word)) return;
    if (this.#knownWords.has(word)) return;
    this.#knownWords.add(word);
    this.#knownWords.add(stem(word));
    const sameLength = this.#wordsByLength.get(word.length) ?? [];
    sameLength.push(word);
    this.#wordsByLength.set(word.length, sameLength);
  }

  /**
   * Registers a synonym group. Knowledge-base groups come first and win; a general-lexicon group joins the
   * knowledge-base group that already claims one of its words, and never takes a word away from it.
   */
  #addSynonymGroup(head: string, members: readonly string[], fromLexicon: boolean): void {
    const phrases = [head, ...members].map((synonym) => keyTokens(synonym));
    let headWords = phrases[0] ?? [];
    let term = headWords.map(stem).join('_');
    if (fromLexicon) {
      const claimed = phrases.find((words) => words.length === 1 && this.#termByStem.has(stem(words[0]!)));
      if (claimed) {
        term = this.#termByStem.get(stem(claimed[0]!))!;
        headWords = this.#headWordsByTerm.get(term) ?? claimed;
      }
    }
    if (!this.#headWordsByTerm.has(term)) this.#headWordsByTerm.set(term, headWords);
    for (const words of phrases) {
      const stems = words.map(stem);
      if (stems.length === 1) {
        if (!fromLexicon || !this.#termByStem.has(stems[0]!)) this.#termByStem.set(stems[0]!, term);
      } else if (stems.length > 1) {
        const known = this.#phrasesByFirstStem.get(stems[0]!) ?? [];
        if (fromLexicon && known.some((phrase) => phrase.stems.join(' ') === stems.join(' '))) continue;
        known.push({ stems, term, headWords });
        known.sort((a, b) => b.stems.length - a.stems.length);
        this.#phrasesByFirstStem.set(stems[0]!, known);
      }
    }
  }

  /** The term a word stands for: its stem, or its synonym group's head. */
  termOf(word: string): string {
    const stemmed = stem(word);
    return this.#termByStem.get(stemmed) ?? stemmed;
  }

  #phraseAt(stems: readonly string[], index: number): Phrase | undefined {
    const phrases = this.#phrasesByFirstStem.get(stems[index]!);
    return phrases?.find((phrase) => phrase.stems.every((s, offset) => stems[index + offset] === s));
  }

  /** Analyses a knowledge-base text: every word counts, compounds add their parts. */
  analyzeDocument(text: string): AnalyzedText {
    return this.#analyze(text, undefined);
  }

  /**
   * Analyses a customer's question against the terms the documents use (`vocabulary`):
   * unknown words are split as compounds, repaired as typos, or searched for known words inside.
   */
  analyzeQuestion(text: string, vocabulary: ReadonlySet<string>): AnalyzedText {
    return this.#analyze(text, vocabulary);
  }

  #analyze(text: string, vocabulary: ReadonlySet<string> | undefined): AnalyzedText {
    const result: AnalyzedText = { terms: new Map(), grams: new Map(), unknownTerms: new Map() };
    const tokens = keyTokens(text);
    const stems = tokens.map(stem);
    for (let index = 0; index < tokens.length; ) {
      const phrase = this.#phraseAt(stems, index);
      if (phrase) {
        addMax(result.terms, phrase.term, 1);
        for (const word of phrase.headWords) addGrams(result.grams, word);
        index += phrase.stems.length;
        continue;
      }
      const token = tokens[index++]!;
      if (isStopWord(token)) continue;
      if (isQuestionWord(token)) {
        if (!vocabulary || vocabulary.has(token)) addMax(result.terms, token, QUESTION_WORD_WEIGHT);
        continue;
      }
      addGrams(result.grams, token);
      const headWords = this.#headWordsByTerm.get(this.termOf(token));
      if (headWords && !headWords.includes(token)) for (const word of headWords) addGrams(result.grams, word);
      this.#addWord(token, 1, vocabulary, result, true);
    }
    return result;
  }

  #addWord(
    word: string,
    weight: number,
    vocabulary: ReadonlySet<string> | undefined,
    result: AnalyzedText,
    mayRepair: boolean,
  ): void {
    const isKnown = (term: string) => !vocabulary || vocabulary.has(term);
    const term = this.termOf(word);
    const known = isKnown(term);
    if (known) addMax(result.terms, term, weight);
    const parts = this.#partTerms(word, term).filter((partTerm) => partTerm !== term && isKnown(partTerm));
    for (const partTerm of parts) addMax(result.terms, partTerm, weight * PART_WEIGHT);
    if (known || parts.length > 0) return;

    if (mayRepair) {
      const repairs = this.#closestKnownWords(word);
      if (repairs.length > 0) {
        for (const repair of repairs) this.#addWord(repair, weight * TYPO_WEIGHT, vocabulary, result, false);
        return;
      }
      const related = this.#relatedKnownWords(word)
        .map((known) => this.termOf(known))
        .filter(isKnown);
      if (related.length > 0) {
        for (const relatedTerm of related) addMax(result.terms, relatedTerm, weight * RELATED_WEIGHT);
        return;
      }
    }
    addMax(result.unknownTerms, term, weight);
  }

  /** Terms of a compound's parts; a synonym's head contributes its parts too ("porto" → versand + kosten). */
  #partTerms(word: string, term: string): string[] {
    const parts = (this.#split(word) ?? []).map((part) => this.termOf(part));
    for (const headWord of this.#headWordsByTerm.get(term) ?? []) {
      if (headWord === word) continue;
      for (const part of this.#split(headWord) ?? []) parts.push(this.termOf(part));
    }
    return parts;
  }

  #split(word: string): string[] | null {
    const cached = this.#splitCache.get(word);
    if (cached !== undefined) return cached;
    return remember(this.#splitCache, word, splitCompound(word, this.#isKnownPiece));
  }

  /**
   * Known words an unknown word is probably related to: it starts them ("stop" → "stoppen"), it ends a
   * known compound ("bauern" → "kaffeebauern"), or they sit inside it ("mindesthaltbarkeitsdatum" → "haltbarkeit").
   */
  #relatedKnownWords(word: string): string[] {
    const cached = this.#relatedCache.get(word);
    if (cached) return cached;
    return remember(this.#relatedCache, word, this.#findRelatedKnownWords(word));
  }

  #findRelatedKnownWords(word: string): string[] {
    const related: string[] = [];
    if (word.length >= MIN_PREFIX_LENGTH) {
      for (const known of this.#knownWords) {
        if (known.length <= word.length) continue;
        const startsKnown = known.length <= word.length + 4 && known.startsWith(word);
        const endsKnown = word.length >= MIN_INSIDE_WORD_LENGTH && known.endsWith(word);
        if (startsKnown || endsKnown) related.push(known);
      }
    }
    if (related.length > 0) return related;
    return knownWordsInside(word, this.#knownWords, MIN_INSIDE_WORD_LENGTH);
  }

  /** Known words within the typo allowance of `word`, all at the smallest distance found. */
  #closestKnownWords(word: string): string[] {
    const cached = this.#repairCache.get(word);
    if (cached) return cached;
    const allowance = typoAllowance(word.length);
    let best: string[] = [];
    let bestDistance = allowance + 1;
    for (let length = word.length - allowance; length <= word.length + allowance; length++) {
      for (const candidate of this.#wordsByLength.get(length) ?? []) {
        const distance = editDistance(word, candidate, Math.min(allowance, bestDistance));
        if (distance < bestDistance) {
          bestDistance = distance;
          best = [candidate];
        } else if (distance === bestDistance && distance <= allowance) best.push(candidate);
      }
    }
    return remember(this.#repairCache, word, best);
  }
}
