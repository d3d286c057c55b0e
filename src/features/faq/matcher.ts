/**
 * Matches a customer's question to a knowledge-base entry by two kinds of evidence (docs/faq.md):
 *   lexical   — idf-weighted overlap of the question's terms with each paraphrase (stems per language,
 *               synonyms, compound parts, translations; see src/understanding/analyzer.ts) plus a character
 *               trigram safety net; penalised when most of a short question's words are unknown to the
 *               knowledge base ("Verkauft ihr auch Tee?")
 *   classifier — a linear model trained at build time on the paraphrases and on out-of-scope examples
 *               (class "none"), with calibrated probabilities (src/understanding/classifier.ts)
 *   combined   = lexicalShare × lexical + (1 − lexicalShare) × probability, reduced by the probability of
 *               "none". Meaning decides, not the rarest shared word: a rare word alone moves the lexical
 *               score but not the classifier, which has seen how each entry is asked.
 * Decisions: `none` below the threshold, `clarify` when the runner-up is within the margin, else `answer`.
 */
import {
  type Analysis,
  Analyzer,
  type Evidence,
  featuresOf,
  isPlaceTerm,
  type Language,
  type TrainingExample,
} from '../../understanding/index.js';
import { trainCached } from '../../understanding/model-cache.js';
import { keyTokens } from '../../understanding/normalize.js';
import type { KnowledgeBase, LocalizedText } from './kb-schema.js';

export interface MatcherConfig {
  /** Below this confidence the decision is `none`. */
  threshold: number;
  /** When the runner-up entry is within this distance of the best, the decision is `clarify`. */
  ambiguityMargin: number;
  /** How many candidates a result lists. */
  maxCandidates: number;
}

export const DEFAULT_MATCHER_CONFIG: MatcherConfig = {
  threshold: 0.35,
  ambiguityMargin: 0.06,
  maxCandidates: 3,
};

export interface MatchOptions {
  /** Only entries carrying at least one of these tags take part. */
  tags?: readonly string[];
  threshold?: number;
  ambiguityMargin?: number;
  /** The contact's locale: the language prior for short messages. */
  locale?: string;
}

export interface ScoredEntry {
  entryId: string;
  score: number;
}

export type MatchDecision = 'answer' | 'clarify' | 'none';

export interface MatchResult {
  best: ScoredEntry | null;
  /** Up to `maxCandidates` distinct entries, best first. */
  candidates: ScoredEntry[];
  decision: MatchDecision;
  /** The language the question was read in. */
  language: Language;
  /** Countries the question names (ISO codes), for country-specific answers. */
  countries: string[];
  /** When the decision is `clarify` for a reason other than two close scores: the entries to offer. */
  choices?: ScoredEntry[];
}

export interface CandidateExplanation {
  entryId: string;
  lexical: number;
  probability: number;
  combined: number;
  /** Which evidence gave this candidate more of its combined score. */
  decidedBy: 'lexical' | 'classifier';
}

export interface Explanation {
  result: MatchResult;
  analysis: Analysis;
  noneProbability: number;
  candidates: CandidateExplanation[];
}

export interface FaqMatcher {
  match(text: string, options?: MatchOptions): MatchResult;
  explain(text: string, options?: MatchOptions): Explanation;
  readonly config: MatcherConfig;
}

/** The weights of the score; the defaults are documented in docs/faq.md and rarely need changing. */
export interface MatcherTuning {
  lexicalShare: number;
  questionCoverageExponent: number;
  termShare: number;
  entryCoverageShare: number;
  answerTermWeight: number;
  unknownTermIdf: number;
  unknownShareTolerance: number;
  unknownSharePenalty: number;
  shortQuestionWords: number;
  longQuestionWords: number;
  noContentEvidenceFactor: number;
  /** How strongly the classifier's "none of our topics" probability lowers every entry. */
  nonePenalty: number;
  /** Fit factor of a paraphrase that names a place for a question that names none. */
  placeMismatchFactor: number;
  /** A one-word question whose word the paraphrases of this many entries use is vague … */
  vagueTermEntries: number;
  /** … and asks back when the runner-up scores at least this share of the best. */
  vagueRunnerUpRatio: number;
}

export const DEFAULT_TUNING: MatcherTuning = {
  lexicalShare: 0.5,
  questionCoverageExponent: 0.3,
  termShare: 0.75,
  entryCoverageShare: 0.3,
  answerTermWeight: 0.6,
  unknownTermIdf: 1.2,
  unknownShareTolerance: 0.1,
  unknownSharePenalty: 1.5,
  shortQuestionWords: 3,
  longQuestionWords: 6,
  noContentEvidenceFactor: 0.5,
  nonePenalty: 1,
  placeMismatchFactor: 0.7,
  vagueTermEntries: 2,
  vagueRunnerUpRatio: 0.7,
};

export const NONE_LABEL = '__none__';
const MIN_CANDIDATE_SCORE = 0.05;

// Question words, cues and places say what kind of question it is, not which: "Hauptstadt von Frankreich?" is no
// shipping question. An entry must share some other word to count as having evidence.
/** Evidence that only guesses at a word's meaning: where, a thesaurus relative, a translation. */
const INDIRECT_EVIDENCE: ReadonlySet<Evidence> = new Set(['place', 'thesaurus', 'bridge']);

const isQuestionTerm = (term: string) => term.startsWith('q:') || isPlaceTerm(term);

function texts(value: LocalizedText, fallback: Language): Array<{ text: string; language: Language }> {
  if (typeof value === 'string') return [{ text: value, language: fallback }];
  return Object.entries(value).map(([locale, text]) => ({ text, language: languageKey(locale) }));
}

function languageKey(locale: string): Language {
  return locale.startsWith('en') ? 'en' : 'de';
}

interface Paraphrase {
  entryIndex: number;
  /** Names a place ("… nach Polen"): fits a question that names none less well. */
  namesPlace: boolean;
  terms: Map<string, number>;
  termTotal: number;
  gramNorm: number;
}

function inverseDocumentFrequency(entryCount: number, documentFrequency: number): number {
  return Math.log(1 + (entryCount - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

export function buildMatcher(
  kb: KnowledgeBase,
  config: Partial<MatcherConfig> = {},
  tuning: Partial<MatcherTuning> = {},
): FaqMatcher {
  const settings: MatcherConfig = { ...DEFAULT_MATCHER_CONFIG, ...config };
  const t: MatcherTuning = { ...DEFAULT_TUNING, ...tuning };
  const analyzer = new Analyzer({ synonyms: kb.synonyms });
  const entryIds = kb.entries.map((entry) => entry.id);
  const entryTags = kb.entries.map((entry) => new Set(entry.tags));

  const questionTexts = kb.entries.map((entry) => [
    ...Object.entries(entry.questions).flatMap(([locale, list]) =>
      list.map((text) => ({ text, language: languageKey(locale) })),
    ),
    ...(entry.title ? texts(entry.title, 'de') : []),
  ]);
  const answerTexts = kb.entries.map((entry) => texts(entry.answer, 'de'));

  // Two passes: the vocabulary (terms of all documents) decides which compound parts and expansions count.
  const analyzeAll = () => ({
    questions: questionTexts.map((list) =>
      list.map(({ text, language }) => analyzer.analyzeDocument(text, language)),
    ),
    answers: answerTexts.map((list) =>
      list.map(({ text, language }) => analyzer.analyzeDocument(text, language)),
    ),
  });
  const vocabularyOf = (all: ReturnType<typeof analyzeAll>) => {
    const terms = new Set<string>();
    for (const list of [...all.questions, ...all.answers])
      for (const a of list) for (const term of a.terms.keys()) terms.add(term);
    return terms;
  };
  const words = [...questionTexts.flat(), ...answerTexts.flat()].flatMap(({ text }) => keyTokens(text));
  analyzer.setVocabulary(vocabularyOf(analyzeAll()), words);
  const documents = analyzeAll();
  analyzer.setVocabulary(vocabularyOf(documents), words);

  // ------------------------------------------------------------------ lexical index
  const entryCount = kb.entries.length;
  const documentFrequency = (keysPerEntry: Array<Set<string>>) => {
    const counts = new Map<string, number>();
    for (const keys of keysPerEntry) for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    const idf = new Map<string, number>();
    for (const [key, count] of counts) idf.set(key, inverseDocumentFrequency(entryCount, count));
    return idf;
  };
  const termIdf = documentFrequency(
    kb.entries.map((_, i) => {
      const keys = new Set<string>();
      for (const a of [...documents.questions[i]!, ...documents.answers[i]!])
        for (const k of a.terms.keys()) keys.add(k);
      return keys;
    }),
  );
  const gramIdf = documentFrequency(
    kb.entries.map((_, i) => {
      const keys = new Set<string>();
      for (const a of documents.questions[i]!) for (const k of a.grams.keys()) keys.add(k);
      return keys;
    }),
  );

  const paraphrases: Paraphrase[] = [];
  const termPostings = new Map<string, Array<{ doc: number; weight: number }>>();
  const gramPostings = new Map<string, Array<{ doc: number; weight: number }>>();
  const push = (
    map: Map<string, Array<{ doc: number; weight: number }>>,
    key: string,
    doc: number,
    weight: number,
  ) => {
    const list = map.get(key) ?? [];
    list.push({ doc, weight });
    map.set(key, list);
  };
  documents.questions.forEach((list, entryIndex) => {
    for (const analysis of list) {
      const doc = paraphrases.length;
      let termTotal = 0;
      for (const [term, weight] of analysis.terms) {
        termTotal += termIdf.get(term)! * weight;
        push(termPostings, term, doc, weight);
      }
      let gramSquares = 0;
      for (const [gram, count] of analysis.grams) {
        const weight = count * gramIdf.get(gram)!;
        gramSquares += weight * weight;
        push(gramPostings, gram, doc, weight);
      }
      paraphrases.push({
        entryIndex,
        namesPlace: analysis.countries.length > 0,
        terms: analysis.terms,
        termTotal,
        gramNorm: Math.sqrt(gramSquares) || 1,
      });
    }
  });
  const entryTermPostings = new Map<string, Array<{ doc: number; weight: number }>>();
  kb.entries.forEach((_, entryIndex) => {
    const union = new Map<string, number>();
    for (const a of documents.answers[entryIndex]!)
      for (const [term, weight] of a.terms)
        union.set(term, Math.max(union.get(term) ?? 0, weight * t.answerTermWeight));
    for (const a of documents.questions[entryIndex]!)
      for (const [term, weight] of a.terms) union.set(term, Math.max(union.get(term) ?? 0, weight));
    for (const [term, weight] of union) push(entryTermPostings, term, entryIndex, weight);
  });

  function lexicalScores(question: Analysis): Float64Array {
    const overlap = new Float64Array(paraphrases.length);
    const entryOverlap = new Float64Array(entryCount);
    const gramDot = new Float64Array(paraphrases.length);
    const sharesContentWord = new Uint8Array(entryCount);
    let questionTermTotal = 0;
    for (const [term, weight] of question.terms) {
      const idf = termIdf.get(term);
      if (idf === undefined) continue;
      questionTermTotal += idf * weight;
      for (const posting of termPostings.get(term) ?? [])
        overlap[posting.doc]! += idf * Math.min(weight, posting.weight);
      for (const posting of entryTermPostings.get(term) ?? []) {
        entryOverlap[posting.doc]! += idf * Math.min(weight, posting.weight);
        if (!isQuestionTerm(term)) sharesContentWord[posting.doc] = 1;
      }
    }
    questionTermTotal += t.unknownTermIdf * Math.sqrt(question.unknown.size);
    let questionGramSquares = 0;
    for (const [gram, count] of question.grams) {
      const idf = gramIdf.get(gram);
      if (idf === undefined) {
        questionGramSquares += count * count * t.unknownTermIdf * t.unknownTermIdf;
        continue;
      }
      const weight = count * idf;
      questionGramSquares += weight * weight;
      for (const posting of gramPostings.get(gram) ?? []) gramDot[posting.doc]! += weight * posting.weight;
    }
    const questionGramNorm = Math.sqrt(questionGramSquares) || 1;
    const questionNamesPlace = question.countries.length > 0;
    const bestFit = new Float64Array(entryCount);
    const bestGrams = new Float64Array(entryCount);
    for (let doc = 0; doc < paraphrases.length; doc++) {
      const paraphrase = paraphrases[doc]!;
      const shared = overlap[doc]!;
      if (shared > 0 && questionTermTotal > 0) {
        const fit =
          (shared / questionTermTotal) ** t.questionCoverageExponent *
          (shared / paraphrase.termTotal) ** (1 - t.questionCoverageExponent) *
          (paraphrase.namesPlace && !questionNamesPlace ? t.placeMismatchFactor : 1);
        bestFit[paraphrase.entryIndex] = Math.max(bestFit[paraphrase.entryIndex]!, fit);
      }
      if (gramDot[doc]! > 0) {
        const cosine = gramDot[doc]! / (questionGramNorm * paraphrase.gramNorm);
        bestGrams[paraphrase.entryIndex] = Math.max(bestGrams[paraphrase.entryIndex]!, cosine);
      }
    }
    const unknownFactor = unknownWordFactor(question, t);
    const scores = new Float64Array(entryCount);
    for (let e = 0; e < entryCount; e++) {
      const coverage = questionTermTotal > 0 ? entryOverlap[e]! / questionTermTotal : 0;
      const termScore = (1 - t.entryCoverageShare) * bestFit[e]! + t.entryCoverageShare * coverage;
      const confidence = t.termShare * termScore + (1 - t.termShare) * bestGrams[e]!;
      const evidence = sharesContentWord[e] ? 1 : t.noContentEvidenceFactor;
      scores[e] = Math.min(1, confidence * evidence * unknownFactor);
    }
    return scores;
  }

  // ------------------------------------------------------------------ classifier
  const examples: TrainingExample[] = [];
  kb.entries.forEach((entry, entryIndex) => {
    for (const { text, language } of questionTexts[entryIndex]!)
      examples.push({ features: featuresOf(analyzer.analyzeQuestion(text, language)), label: entry.id });
  });
  for (const [locale, list] of Object.entries(kb.outOfScope ?? {}))
    for (const text of list)
      examples.push({ features: featuresOf(analyzer.analyzeQuestion(text, locale)), label: NONE_LABEL });
  const classifier = trainCached(examples, trainingBudget(examples.length));
  const labelIndex = new Map(classifier.labels.map((label, index) => [label, index]));

  const entriesByTerm = new Map<string, Set<number>>();
  for (const paraphrase of paraphrases)
    for (const term of paraphrase.terms.keys()) {
      const set = entriesByTerm.get(term) ?? new Set<number>();
      set.add(paraphrase.entryIndex);
      entriesByTerm.set(term, set);
    }
  /** A question of one content word that the paraphrases of several entries use names a topic, not a question. */
  function isVague(question: Analysis): boolean {
    if (question.words.length !== 1 || question.unknown.size > 0) return false;
    // "Wo ist euer Café?" asks something about the topic; only the bare topic word is vague.
    if ([...question.terms.keys()].some((term) => term.startsWith('q:'))) return false;
    return question.words[0]!.terms.some(
      (term) => (entriesByTerm.get(term.term)?.size ?? 0) >= t.vagueTermEntries,
    );
  }

  function explain(text: string, options: MatchOptions = {}): Explanation {
    const threshold = options.threshold ?? settings.threshold;
    const margin = options.ambiguityMargin ?? settings.ambiguityMargin;
    const wantedTags = options.tags && options.tags.length > 0 ? options.tags : null;
    const analysis = analyzer.analyzeQuestion(text, options.locale);
    const hasContent = analysis.terms.size > 0 || analysis.unknown.size > 0;
    const lexical = lexicalScores(analysis);
    const predictions = new Float64Array(classifier.labels.length);
    if (hasContent)
      for (const p of classifier.predict(featuresOf(analysis)))
        predictions[labelIndex.get(p.label)!] = p.probability;
    const noneIndex = labelIndex.get(NONE_LABEL);
    const noneProbability = noneIndex === undefined ? 0 : predictions[noneIndex]!;
    // The classifier spreads its probability over the entries it knows even for words it never saw; it
    // speaks only for the share of the question's words the knowledge base knows.
    const contentWords = analysis.words.length;
    const knownWords = analysis.words.filter((word) => !word.unknown);
    // A place alone ("… von Frankreich?") says where, not what, and a word reached only through a thesaurus or a
    // translation ("capital" → groß) is a guess: with nothing else the classifier does not speak for them.
    const indirectOnly =
      knownWords.length > 0 &&
      knownWords.every((word) => word.terms.every((term) => INDIRECT_EVIDENCE.has(term.via)));
    const knownShare =
      contentWords === 0 || indirectOnly ? 0 : (contentWords - analysis.unknown.size) / contentWords;
    const explained: CandidateExplanation[] = [];
    for (let e = 0; e < entryCount; e++) {
      if (wantedTags && !wantedTags.some((tag) => entryTags[e]!.has(tag))) continue;
      // Read among our entries only: "none" lowers every entry once, below, not twice.
      const raw = predictions[labelIndex.get(entryIds[e]!)!] ?? 0;
      const probability = Math.min(1, raw / Math.max(1e-6, 1 - noneProbability));
      const lexicalPart = t.lexicalShare * lexical[e]!;
      const classifierPart = (1 - t.lexicalShare) * probability * knownShare;
      const combined = (lexicalPart + classifierPart) * Math.max(0, 1 - t.nonePenalty * noneProbability);
      explained.push({
        entryId: entryIds[e]!,
        lexical: round(lexical[e]!),
        probability: round(probability),
        combined: round(Math.min(1, combined)),
        decidedBy: lexicalPart >= classifierPart ? 'lexical' : 'classifier',
      });
    }
    explained.sort((a, b) => b.combined - a.combined);
    const candidates = explained
      .filter((c) => c.combined >= MIN_CANDIDATE_SCORE)
      .slice(0, settings.maxCandidates)
      .map((c) => ({ entryId: c.entryId, score: c.combined }));
    let decision = hasContent ? decide(candidates, threshold, margin) : 'none';
    let choices: ScoredEntry[] | undefined;
    if (decision === 'answer') {
      // Two kinds of evidence pointing at different entries: ask "did you mean …?" rather than guess.
      const top = (key: 'lexical' | 'probability') =>
        explained.reduce((best, c) => (c[key] > best[key] ? c : best), explained[0]!).entryId;
      const lexicalBest = top('lexical');
      const classifierBest = top('probability');
      const shown = candidates.map((c) => c.entryId);
      if (lexicalBest !== classifierBest && shown.includes(lexicalBest) && shown.includes(classifierBest)) {
        decision = 'clarify';
        choices = candidates.filter((c) => c.entryId === lexicalBest || c.entryId === classifierBest);
      }
    }
    if (decision === 'answer' && isVague(analysis)) {
      // One topic word several entries share ("Abo?", "parcel"): ask back rather than guess. The words decide
      // here, not the classifier, which is sure of itself on one word for no good reason.
      const byLexical = [...explained].sort((a, b) => b.lexical - a.lexical);
      const [best, second] = byLexical;
      if (
        best &&
        second &&
        second.lexical >= MIN_CANDIDATE_SCORE * 2 &&
        second.lexical >= best.lexical * t.vagueRunnerUpRatio
      ) {
        decision = 'clarify';
        choices = byLexical
          .filter((c) => c.lexical >= best.lexical * t.vagueRunnerUpRatio)
          .slice(0, settings.maxCandidates)
          .map((c) => ({ entryId: c.entryId, score: c.combined }));
      }
    }
    const result: MatchResult = {
      best: candidates[0] ?? null,
      candidates,
      decision,
      language: analysis.language.language,
      countries: analysis.countries,
      ...(choices && { choices }),
    };
    return { result, analysis, noneProbability: round(noneProbability), candidates: explained.slice(0, 5) };
  }

  return { match: (text, options) => explain(text, options).result, explain, config: settings };
}

/**
 * Epochs and calibration folds for a training set of this size. Training runs at every knowledge-base load, so
 * large knowledge bases get fewer passes (each pass sees more examples per entry anyway) and a cheaper
 * calibration; small ones get the full schedule.
 */
export function trainingBudget(examples: number): { epochs: number; calibrationFolds: number } {
  const epochs = Math.max(4, Math.min(12, Math.round((12 * 3000) / Math.max(1, examples))));
  return { epochs, calibrationFolds: examples > 6000 ? 2 : 4 };
}

/** `none` below the threshold, `clarify` when the runner-up is within the margin, otherwise `answer`. */
export function decide(candidates: readonly ScoredEntry[], threshold: number, margin: number): MatchDecision {
  const [best, second] = candidates;
  if (!best || best.score < threshold) return 'none';
  if (second && best.score - second.score < margin && second.score >= threshold) return 'clarify';
  return 'answer';
}

/**
 * Confidence factor for the words of a question the knowledge base does not know at all. When half of a
 * short question is foreign ("Verkauft ihr auch Tee?", "Fahrrad reparieren lassen"), the words we do know only
 * say the customer talks to a shop, not which of our answers fits. Long messages are spared.
 */
export function unknownWordFactor(
  question: Pick<Analysis, 'terms' | 'unknown' | 'words'>,
  tuning: Pick<
    MatcherTuning,
    'unknownShareTolerance' | 'unknownSharePenalty' | 'shortQuestionWords' | 'longQuestionWords'
  >,
): number {
  const unknownWeight = question.unknown.size;
  const contentWords = question.words.length;
  if (unknownWeight === 0 || contentWords === 0) return 1;
  const excess = Math.max(0, unknownWeight / contentWords - tuning.unknownShareTolerance);
  const span = Math.max(1e-9, tuning.longQuestionWords - tuning.shortQuestionWords);
  const fade = Math.min(1, Math.max(0, (tuning.longQuestionWords - contentWords) / span));
  return Math.max(0, 1 - tuning.unknownSharePenalty * fade * excess);
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
