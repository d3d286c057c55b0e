/**
 * Turns a text into weighted terms in one language-tagged space (`de:versand`, `en:ship`, `syn:rueckgabe`,
 * `place:abroad`), so German and English questions meet the same knowledge-base paraphrases:
 *   - the message's language decides the stemmer (Snowball German or English); a word unknown in that
 *     language may still be known in the other one ("cancel abo")
 *   - the knowledge base's own synonym groups map members onto their head
 *   - OpenThesaurus / WordNet groups add synonyms, the Ding bridge adds translations (questions only, weaker)
 *   - German compounds split against a real word list; the last part is the head ("Kaffeemaschine" is a
 *     machine, so an unknown head makes the word unknown even though "Kaffee" is known)
 *   - place names become `place:abroad` / `place:home` plus the country code
 *   - a word that is no real word in either language and unknown to the knowledge base is repaired as a typo;
 *     a real word is never "repaired" into another one ("gramm" is not "programm")
 * Documents (knowledge-base texts) get stems, synonym heads and compound parts only; expansion happens on
 * the question side, once.
 */
import { splitCompound } from './compounds.js';
import { editDistance, typoAllowance } from './edit-distance.js';
import { detectLanguage, type Language, type LanguageGuess, languageOfLocale } from './language.js';
import { lexiconData } from './lexicon-data.js';
import { keyTokens } from './normalize.js';
import { stemWord } from './stemmer.js';
import { cueOf, isQuestionWord, isStopWord } from './stopwords.js';

export const HOME_COUNTRY = 'DE';

/** Terms for places the text names: `place:abroad`, `place:home`, `place:AT`. */
export const isPlaceTerm = (term: string) => term.startsWith('place:');
const WEIGHTS = {
  otherLanguage: 0.9,
  synonymHead: 1,
  thesaurus: 0.5,
  bridge: 0.7,
  compoundHead: 0.8,
  compoundModifier: 0.5,
  typo: 0.8,
  questionWord: 0.5,
};
const MIN_COMPOUND_LENGTH = 9;
/** Shorter pieces ("pro", "gab") split ordinary words into nonsense: "Programm" is no "pro" + "gramm". */
const MIN_PART_LENGTH = 4;
const MIN_WORD_LENGTH = 3;
const SHORT_WORD_LENGTH = 3;
const GRAM_SIZE = 3;
const CACHE_LIMIT = 20_000;

export type Evidence =
  | 'stem'
  | 'other-language'
  | 'kb-synonym'
  | 'thesaurus'
  | 'bridge'
  | 'compound'
  | 'typo'
  | 'place';

export interface WordTrace {
  word: string;
  stem: string;
  /** What the word contributed, by kind of evidence. */
  terms: Array<{ term: string; weight: number; via: Evidence }>;
  unknown: boolean;
  parts?: string[];
  repairedTo?: string;
}

export interface Analysis {
  language: LanguageGuess;
  /** Term → weight in (0, 1]. */
  terms: Map<string, number>;
  /** Character trigram → count over the content words. */
  grams: Map<string, number>;
  /** Content words the knowledge base does not know at all, with their weight. */
  unknown: Map<string, number>;
  /** ISO codes of the countries the text names (cities count for their country). */
  countries: string[];
  words: WordTrace[];
}

export interface SynonymGroupSource {
  head: string;
  members: readonly string[];
}

export interface AnalyzerSource {
  synonyms: readonly SynonymGroupSource[];
}

function addMax(map: Map<string, number>, key: string, weight: number): void {
  if (weight > (map.get(key) ?? 0)) map.set(key, weight);
}

export function addGrams(grams: Map<string, number>, word: string): void {
  const padded = `_${word}_`;
  for (let i = 0; i + GRAM_SIZE <= padded.length; i++) {
    const gram = padded.slice(i, i + GRAM_SIZE);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
}

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

interface SharedIndexes {
  thesaurusByStem: Record<Language, Map<string, number[]>>;
  germanToEnglish: Map<string, string[]>;
  englishToGermanByStem: Map<string, string[]>;
}
let sharedIndexCache: SharedIndexes | undefined;

/** Thesaurus and bridge indexed by stem: the same for every knowledge base, so built once per process. */
function sharedIndexes(): SharedIndexes {
  if (sharedIndexCache) return sharedIndexCache;
  const data = lexiconData();
  const indexes: SharedIndexes = {
    thesaurusByStem: { de: new Map(), en: new Map() },
    germanToEnglish: new Map(),
    englishToGermanByStem: new Map(),
  };
  for (const language of ['de', 'en'] as const) {
    data.synonyms[language].forEach((group, index) => {
      for (const stem of group) {
        const list = indexes.thesaurusByStem[language].get(stem) ?? [];
        list.push(index);
        indexes.thesaurusByStem[language].set(stem, list);
      }
    });
  }
  for (const [english, germans] of data.englishToGerman) {
    indexes.englishToGermanByStem.set(english, [...germans]);
    for (const german of germans)
      indexes.germanToEnglish.set(german, [...(indexes.germanToEnglish.get(german) ?? []), english]);
  }
  sharedIndexCache = indexes;
  return indexes;
}

const other = (language: Language): Language => (language === 'de' ? 'en' : 'de');
const stemTerm = (word: string, language: Language) => `${language}:${stemWord(word, language)}`;

export class Analyzer {
  readonly #synonymHeadByStem = { de: new Map<string, string>(), en: new Map<string, string>() };
  readonly #synonymPhrases = new Map<string, Array<{ words: string[]; head: string }>>();
  readonly #thesaurusByStem: SharedIndexes['thesaurusByStem'];
  readonly #germanToEnglish: SharedIndexes['germanToEnglish'];
  readonly #englishToGermanByStem: SharedIndexes['englishToGermanByStem'];
  #vocabulary: ReadonlySet<string> = new Set();
  #vocabularyWords: Map<number, string[]> = new Map();
  #surfaceWords: ReadonlySet<string> = new Set();

  readonly #wordCache = new Map<string, WordTrace>();
  readonly #pieceCache = new Map<string, boolean>();

  constructor(source: AnalyzerSource) {
    for (const group of source.synonyms) {
      const head = `syn:${keyTokens(group.head).join('_')}`;
      for (const phrase of [group.head, ...group.members]) {
        const words = keyTokens(phrase);
        if (words.length === 1) {
          for (const language of ['de', 'en'] as const) {
            const stem = stemWord(words[0]!, language);
            if (!this.#synonymHeadByStem[language].has(stem))
              this.#synonymHeadByStem[language].set(stem, head);
          }
        } else if (words.length > 1) {
          const list = this.#synonymPhrases.get(words[0]!) ?? [];
          list.push({ words, head });
          list.sort((a, b) => b.words.length - a.words.length);
          this.#synonymPhrases.set(words[0]!, list);
        }
      }
    }
    const shared = sharedIndexes();
    this.#thesaurusByStem = shared.thesaurusByStem;
    this.#germanToEnglish = shared.germanToEnglish;
    this.#englishToGermanByStem = shared.englishToGermanByStem;
  }

  /** The terms the knowledge base uses: expansions into other terms are of no use and are dropped. */
  setVocabulary(vocabulary: ReadonlySet<string>, words: Iterable<string>): void {
    this.#vocabulary = vocabulary;
    this.#surfaceWords = new Set(words);
    this.#vocabularyWords = new Map();
    for (const word of new Set(words)) {
      if (word.length < MIN_WORD_LENGTH || isStopWord(word)) continue;
      const list = this.#vocabularyWords.get(word.length) ?? [];
      list.push(word);
      this.#vocabularyWords.set(word.length, list);
    }
    this.#wordCache.clear();
    this.#pieceCache.clear();
  }

  /** A knowledge-base text in a known language: stems, synonym heads, compound parts, places. */
  analyzeDocument(text: string, language: Language): Analysis {
    return this.#analyze(text, { language, scores: { de: 0, en: 0 }, decidedBy: 'locale' }, false);
  }

  /** A customer's message: its language is detected (the locale breaks ties), then it is expanded. */
  analyzeQuestion(text: string, locale?: string): Analysis {
    return this.#analyze(text, detectLanguage(text, locale), true);
  }

  #analyze(text: string, language: LanguageGuess, isQuestion: boolean): Analysis {
    const result: Analysis = {
      language,
      terms: new Map(),
      grams: new Map(),
      unknown: new Map(),
      countries: [],
      words: [],
    };
    const tokens = keyTokens(text);
    const { places } = lexiconData();
    for (let index = 0; index < tokens.length; ) {
      let consumed = 0;
      for (let length = Math.min(3, tokens.length - index); length >= 1 && consumed === 0; length--) {
        const phrase = tokens.slice(index, index + length).join(' ');
        const code = places.get(phrase);
        if (code && !(length === 1 && (isStopWord(phrase) || phrase.length < 4))) {
          const term = code === HOME_COUNTRY ? 'place:home' : 'place:abroad';
          addMax(result.terms, term, 1);
          addMax(result.terms, `place:${code}`, 0.5);
          if (!result.countries.includes(code)) result.countries.push(code);
          result.words.push({
            word: phrase,
            stem: phrase,
            terms: [{ term, weight: 1, via: 'place' }],
            unknown: false,
          });
          consumed = length;
        }
      }
      if (consumed === 0) {
        const phrase = this.#synonymPhrases
          .get(tokens[index]!)
          ?.find((candidate) => candidate.words.every((word, offset) => tokens[index + offset] === word));
        if (phrase) {
          addMax(result.terms, phrase.head, WEIGHTS.synonymHead);
          addGrams(result.grams, phrase.head.slice(4));
          result.words.push({
            word: phrase.words.join(' '),
            stem: phrase.words.join(' '),
            terms: [{ term: phrase.head, weight: 1, via: 'kb-synonym' }],
            unknown: false,
          });
          consumed = phrase.words.length;
        }
      }
      if (consumed > 0) {
        index += consumed;
        continue;
      }
      const token = tokens[index++]!;
      const cue = cueOf(token);
      if (cue) {
        addMax(result.terms, `q:${cue}`, WEIGHTS.questionWord);
        continue;
      }
      if (/^\d+$/.test(token) || isStopWord(token)) continue;
      if (isQuestionWord(token)) {
        addMax(result.terms, `q:${token}`, WEIGHTS.questionWord);
        continue;
      }
      addGrams(result.grams, token);
      const trace = isQuestion
        ? this.#questionWord(token, language.language)
        : this.#documentWord(token, language.language);
      result.words.push(trace);
      for (const { term, weight } of trace.terms) addMax(result.terms, term, weight);
      if (trace.unknown) addMax(result.unknown, trace.stem, 1);
    }
    return result;
  }

  #documentWord(word: string, language: Language): WordTrace {
    const stem = stemWord(word, language);
    const trace: WordTrace = {
      word,
      stem,
      terms: [{ term: `${language}:${stem}`, weight: 1, via: 'stem' }],
      unknown: false,
    };
    const head = this.#synonymHeadByStem[language].get(stem);
    if (head) trace.terms.push({ term: head, weight: WEIGHTS.synonymHead, via: 'kb-synonym' });
    if (language === 'de' && word.length >= MIN_COMPOUND_LENGTH) {
      const parts = splitCompound(word, (piece) => this.#isGermanPiece(piece, false));
      if (parts) {
        trace.parts = parts;
        parts.forEach((part, i) => {
          const weight = i === parts.length - 1 ? WEIGHTS.compoundHead : WEIGHTS.compoundModifier;
          trace.terms.push({ term: stemTerm(part, 'de'), weight, via: 'compound' });
          const partHead = this.#synonymHeadByStem.de.get(stemWord(part, 'de'));
          if (partHead) trace.terms.push({ term: partHead, weight, via: 'compound' });
        });
      }
    }
    return trace;
  }

  #questionWord(word: string, language: Language): WordTrace {
    const key = `${language}|${word}`;
    const cached = this.#wordCache.get(key);
    if (cached) return cached;
    return remember(this.#wordCache, key, this.#expandQuestionWord(word, language, true));
  }

  #expandQuestionWord(word: string, language: Language, mayRepair: boolean): WordTrace {
    const known = (term: string) => this.#vocabulary.has(term);
    const stem = stemWord(word, language);
    const trace: WordTrace = { word, stem, terms: [], unknown: false };
    // A stem says little about a word of three letters: "dat" (Low German "das") is not "Daten". Short words
    // count only when the knowledge base itself uses them.
    if (word.length <= SHORT_WORD_LENGTH && this.#surfaceWords.size > 0 && !this.#surfaceWords.has(word)) {
      trace.unknown = true;
      return trace;
    }
    const add = (term: string, weight: number, via: Evidence) => {
      if (known(term) && !trace.terms.some((t) => t.term === term && t.weight >= weight))
        trace.terms.push({ term, weight, via });
    };
    const otherLanguage = other(language);
    const otherStem = stemWord(word, otherLanguage);
    // A real word of the message's language is read in that language only: English "date" is not "Daten".
    const mayBeOther = !lexiconData().realStems[language].has(stem);
    const readAs = { de: language === 'de' || mayBeOther, en: language === 'en' || mayBeOther };
    add(`${language}:${stem}`, 1, 'stem');
    if (mayBeOther) add(`${otherLanguage}:${otherStem}`, WEIGHTS.otherLanguage, 'other-language');
    const head =
      this.#synonymHeadByStem[language].get(stem) ??
      (mayBeOther ? this.#synonymHeadByStem[otherLanguage].get(otherStem) : undefined);
    if (head) add(head, WEIGHTS.synonymHead, 'kb-synonym');
    const direct = trace.terms.length > 0;

    // A word the knowledge base uses is read as it is: its thesaurus relatives and translations only add noise
    // ("lange" → genug, weit, bereit). Expansion is for the words we do not know.
    if (direct) return trace;
    // Thesaurus groups of the word, in its language (and the other one for mixed messages).
    const readings: Array<readonly [Language, string]> = [[language, stem]];
    if (mayBeOther) readings.push([otherLanguage, otherStem]);
    for (const [lang, s] of readings) {
      for (const groupIndex of this.#thesaurusByStem[lang].get(s) ?? []) {
        for (const memberStem of lexiconData().synonyms[lang][groupIndex]!) {
          if (memberStem === s) continue;
          add(`${lang}:${memberStem}`, WEIGHTS.thesaurus, 'thesaurus');
          const memberHead = this.#synonymHeadByStem[lang].get(memberStem);
          if (memberHead) add(memberHead, WEIGHTS.thesaurus, 'thesaurus');
        }
      }
    }
    // Translations: English words reach German paraphrases and German words English ones.
    for (const germanStem of readAs.en ? (this.#englishToGermanByStem.get(stemWord(word, 'en')) ?? []) : []) {
      add(`de:${germanStem}`, WEIGHTS.bridge, 'bridge');
      const germanHead = this.#synonymHeadByStem.de.get(germanStem);
      if (germanHead) add(germanHead, WEIGHTS.bridge, 'bridge');
    }
    for (const englishStem of readAs.de ? (this.#germanToEnglish.get(stemWord(word, 'de')) ?? []) : [])
      add(`en:${englishStem}`, WEIGHTS.bridge, 'bridge');

    if (!direct && word.length >= MIN_COMPOUND_LENGTH) {
      const parts = splitCompound(word, (piece) => this.#isGermanPiece(piece, true));
      if (parts) {
        trace.parts = parts;
        const headPart = parts[parts.length - 1]!;
        const headKnown = this.#partTerms(headPart).length > 0;
        parts.forEach((part, i) => {
          const isHead = i === parts.length - 1;
          const weight = isHead
            ? WEIGHTS.compoundHead
            : headKnown
              ? WEIGHTS.compoundModifier
              : WEIGHTS.compoundModifier / 2;
          for (const term of this.#partTerms(part)) add(term, weight, 'compound');
        });
        // German compounds are right-headed: "Kaffeemaschine" is a machine, whatever "Kaffee" says.
        if (!headKnown) trace.unknown = true;
        if (trace.terms.length > 0) return trace;
      }
    }
    if (trace.terms.length === 0 && mayRepair && !this.#isRealWord(word)) {
      const repairs = this.#closestVocabularyWords(word);
      for (const repair of repairs) {
        const repaired = this.#expandQuestionWord(repair, language, false);
        for (const t of repaired.terms) add(t.term, t.weight * WEIGHTS.typo, 'typo');
      }
      if (repairs.length > 0) trace.repairedTo = repairs.join('|');
    }
    if (trace.terms.length === 0) trace.unknown = true;
    return trace;
  }

  #partTerms(part: string): string[] {
    const terms = [`de:${stemWord(part, 'de')}`];
    const head = this.#synonymHeadByStem.de.get(stemWord(part, 'de'));
    if (head) terms.push(head);
    return terms.filter((term) => this.#vocabulary.has(term));
  }

  #isGermanPiece(piece: string, question: boolean): boolean {
    const key = `${question ? 'q' : 'd'}${piece}`;
    const cached = this.#pieceCache.get(key);
    if (cached !== undefined) return cached;
    if (piece.length < MIN_PART_LENGTH) return false;
    // Pieces are looked up as they are: every substring is tried, so "kost" + "en" meets the stem "kost".
    const known = lexiconData().realStems.de.has(piece) || this.#vocabulary.has(`de:${piece}`);
    return remember(this.#pieceCache, key, known);
  }

  #isRealWord(word: string): boolean {
    const { realStems } = lexiconData();
    return realStems.de.has(stemWord(word, 'de')) || realStems.en.has(stemWord(word, 'en'));
  }

  /** Vocabulary words within the typo allowance, all at the smallest distance found. */
  #closestVocabularyWords(word: string): string[] {
    const allowance = typoAllowance(word.length);
    let best: string[] = [];
    let bestDistance = allowance + 1;
    for (let length = word.length - allowance; length <= word.length + allowance; length++) {
      for (const candidate of this.#vocabularyWords.get(length) ?? []) {
        const distance = editDistance(word, candidate, Math.min(allowance, bestDistance));
        if (distance < bestDistance) {
          bestDistance = distance;
          best = [candidate];
        } else if (distance === bestDistance && distance <= allowance) best.push(candidate);
      }
    }
    return best;
  }
}

export { languageOfLocale };
