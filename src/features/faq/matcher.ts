/**
 * Matches a customer's question to a knowledge-base entry. Built once from the knowledge base; matching
 * is pure and allocation-light. Each paraphrase is a document; an entry scores as its best paraphrase.
 *
 * Confidence of an entry, in [0, 1]:
 *   paraphrase fit = (share of the question's term weight the paraphrase covers)^0.3
 *                  × (share of the paraphrase's term weight the question covers)^0.7, weights = idf × term weight
 *   entry coverage = share of the question's term weight that any paraphrase of the entry covers, or its
 *                    answer at 0.6 (a question may combine words of two paraphrases, or use the answer's words)
 *   term score     = 0.7 × best paraphrase fit + 0.3 × entry coverage
 *   trigram score  = best cosine of idf-weighted character-trigram vectors (catches typos and compounds
 *                    the term analysis missed)
 *   confidence     = 0.75 × term score + 0.25 × trigram score
 *                  × unknown-word factor (short questions whose content words the knowledge base mostly does
 *                    not know are probably not ours: "Verkauft ihr auch Tee?")
 *                  × content evidence (half when the entry shares only question words or trigrams)
 * A one-word question about a term many entries use ("Kaffee?") asks back instead of guessing.
 * idf is counted over entries, not paraphrases: a word every paraphrase of one entry uses is specific, not common.
 */
import { type AnalyzedText, TextAnalyzer } from './analyzer.js';
import type { KnowledgeBase } from './kb-schema.js';
import { isQuestionWord } from './stopwords.js';

export interface MatcherConfig {
  /** Below this confidence the decision is `none`. */
  threshold: number;
  /** When the runner-up entry is within this distance of the best, the decision is `clarify`. */
  ambiguityMargin: number;
  /** How many candidates a result lists. */
  maxCandidates: number;
}

export const DEFAULT_MATCHER_CONFIG: MatcherConfig = {
  threshold: 0.3,
  ambiguityMargin: 0.04,
  maxCandidates: 3,
};

export interface MatchOptions {
  /** Only entries carrying at least one of these tags take part. */
  tags?: readonly string[];
  threshold?: number;
  ambiguityMargin?: number;
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
}

export interface FaqMatcher {
  match(text: string, options?: MatchOptions): MatchResult;
  /** What the matcher made of a text: its terms and the words it did not know. For debugging and docs. */
  analyze(text: string): AnalyzedText;
  readonly config: MatcherConfig;
}

/** The weights of the score; the defaults are documented in docs/faq.md and rarely need changing. */
export interface MatcherTuning {
  questionCoverageExponent: number;
  termShare: number;
  entryCoverageShare: number;
  answerTermWeight: number;
  /** An unknown word in the question weighs like a moderately rare term: it hints the topic is not ours. */
  unknownTermIdf: number;
  /** idf is raised to this power: above 1, rare words ("fair", "packstation") pull harder than common ones. */
  idfExponent: number;
  /** Share of a question's content words the knowledge base may not know before confidence drops. */
  unknownShareTolerance: number;
  /** How hard confidence drops per unknown share above the tolerance ("Verkauft ihr auch Tee?"). */
  unknownSharePenalty: number;
  /** Up to this many content words the unknown-share penalty applies in full … */
  shortQuestionWords: number;
  /** … and it fades out towards this many: long messages carry many words no FAQ needs. */
  longQuestionWords: number;
  /** Confidence factor of an entry that shares no content word with the question (only "wie", "wo", trigrams). */
  noContentEvidenceFactor: number;
  /** A one-word question whose word appears in the questions of at least this many entries is vague … */
  vagueTermEntries: number;
  /** … and asks back when the runner-up scores at least this share of the best ("Kaffee?", "Abo?"). */
  vagueRunnerUpRatio: number;
}

export const DEFAULT_TUNING: MatcherTuning = {
  questionCoverageExponent: 0.3,
  termShare: 0.75,
  entryCoverageShare: 0.3,
  answerTermWeight: 0.6,
  unknownTermIdf: 1.2,
  idfExponent: 1,
  unknownShareTolerance: 0.1,
  unknownSharePenalty: 1.5,
  shortQuestionWords: 3,
  longQuestionWords: 6,
  noContentEvidenceFactor: 0.5,
  vagueTermEntries: 3,
  vagueRunnerUpRatio: 0.85,
};
const MIN_CANDIDATE_SCORE = 0.05;

interface Paraphrase {
  entryIndex: number;
  terms: Map<string, number>;
  termTotal: number;
  gramNorm: number;
}

function inverseDocumentFrequency(entryCount: number, documentFrequency: number): number {
  return Math.log(1 + (entryCount - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

function paraphraseTexts(kb: KnowledgeBase): Array<{ entryIndex: number; text: string }> {
  return kb.entries.flatMap((entry, entryIndex) => {
    const titles = entry.title
      ? typeof entry.title === 'string'
        ? [entry.title]
        : Object.values(entry.title)
      : [];
    return [...Object.values(entry.questions).flat(), ...titles].map((text) => ({ entryIndex, text }));
  });
}

/** Decides from ranked candidates: below threshold → none, close runner-up → clarify, else answer. */
export function decide(candidates: readonly ScoredEntry[], threshold: number, margin: number): MatchDecision {
  const [best, second] = candidates;
  if (!best || best.score < threshold) return 'none';
  if (second && best.score - second.score < margin) return 'clarify';
  return 'answer';
}

export function buildMatcher(
  kb: KnowledgeBase,
  config: Partial<MatcherConfig> = {},
  tuning: Partial<MatcherTuning> = {},
): FaqMatcher {
  const settings: MatcherConfig = { ...DEFAULT_MATCHER_CONFIG, ...config };
  const {
    questionCoverageExponent: QUESTION_COVERAGE_EXPONENT,
    termShare: TERM_SHARE,
    entryCoverageShare: ENTRY_COVERAGE_SHARE,
    answerTermWeight: ANSWER_TERM_WEIGHT,
    unknownTermIdf: UNKNOWN_TERM_IDF,
    idfExponent,
    vagueTermEntries,
    vagueRunnerUpRatio,
    ...evidenceTuning
  } = { ...DEFAULT_TUNING, ...tuning };
  const PARAPHRASE_COVERAGE_EXPONENT = 1 - QUESTION_COVERAGE_EXPONENT;
  const analyzer = new TextAnalyzer(kb);
  const entryIds = kb.entries.map((entry) => entry.id);
  const entryTags = kb.entries.map((entry) => new Set(entry.tags));
  const analyzed = paraphraseTexts(kb).map(({ entryIndex, text }) => ({
    entryIndex,
    analysis: analyzer.analyzeDocument(text),
  }));

  // Answers say more than the questions ("Uhr", "Hafermilch", "DHL"); they count for entry coverage only, and weakly.
  const answerTerms = kb.entries.map((entry) => {
    const texts = typeof entry.answer === 'string' ? [entry.answer] : Object.values(entry.answer);
    return analyzer.analyzeDocument(texts.join('\n')).terms;
  });
  const termIdf = countIdf(kb.entries.length, [
    ...analyzed.map(({ entryIndex, analysis }) => ({ entryIndex, keys: analysis.terms.keys() })),
    ...answerTerms.map((terms, entryIndex) => ({ entryIndex, keys: terms.keys() })),
  ]);
  const gramIdf = countIdf(
    kb.entries.length,
    analyzed.map(({ entryIndex, analysis }) => ({ entryIndex, keys: analysis.grams.keys() })),
  );
  for (const [term, idf] of termIdf) termIdf.set(term, idf ** idfExponent);
  const vocabulary: ReadonlySet<string> = new Set(termIdf.keys());

  const paraphrases: Paraphrase[] = [];
  const termPostings = new Map<string, Array<{ doc: number; weight: number }>>();
  const gramPostings = new Map<string, Array<{ doc: number; weight: number }>>();
  for (const [doc, { entryIndex, analysis }] of analyzed.entries()) {
    let termTotal = 0;
    for (const [term, weight] of analysis.terms) {
      termTotal += termIdf.get(term)! * weight;
      pushPosting(termPostings, term, doc, weight);
    }
    let gramSquares = 0;
    for (const [gram, count] of analysis.grams) {
      const weight = count * gramIdf.get(gram)!;
      gramSquares += weight * weight;
      pushPosting(gramPostings, gram, doc, weight);
    }
    paraphrases.push({ entryIndex, terms: analysis.terms, termTotal, gramNorm: Math.sqrt(gramSquares) });
  }

  // How many entries ask about a term in their questions: a one-word question about a common term is vague.
  const questionEntriesByTerm = new Map<string, Set<number>>();
  for (const paraphrase of paraphrases) {
    for (const term of paraphrase.terms.keys()) {
      const entries = questionEntriesByTerm.get(term) ?? new Set<number>();
      entries.add(paraphrase.entryIndex);
      questionEntriesByTerm.set(term, entries);
    }
  }

  /** A question of one common content word and nothing else ("Kaffee?") names a topic, not a question. */
  function isVague(question: AnalyzedText): boolean {
    if (question.unknownTerms.size > 0) return false;
    const contentTerms = [...question.terms.keys()].filter((term) => !isQuestionWord(term));
    if (contentTerms.length !== 1) return false;
    return (questionEntriesByTerm.get(contentTerms[0]!)?.size ?? 0) >= vagueTermEntries;
  }

  const entryTermPostings = new Map<string, Array<{ doc: number; weight: number }>>();
  for (const [entryIndex] of kb.entries.entries()) {
    const union = new Map<string, number>();
    for (const [term, weight] of answerTerms[entryIndex]!) union.set(term, weight * ANSWER_TERM_WEIGHT);
    for (const paraphrase of paraphrases) {
      if (paraphrase.entryIndex !== entryIndex) continue;
      for (const [term, weight] of paraphrase.terms) union.set(term, Math.max(union.get(term) ?? 0, weight));
    }
    for (const [term, weight] of union) pushPosting(entryTermPostings, term, entryIndex, weight);
  }

  function scoreEntries(question: AnalyzedText, allowed: (entryIndex: number) => boolean): Float64Array {
    const overlap = new Float64Array(paraphrases.length);
    const entryOverlap = new Float64Array(entryIds.length);
    const gramDot = new Float64Array(paraphrases.length);
    const sharesContentWord = new Uint8Array(entryIds.length);
    let questionTermTotal = 0;
    for (const [term, weight] of question.terms) {
      const idf = termIdf.get(term)!;
      const isContentWord = !isQuestionWord(term);
      questionTermTotal += idf * weight;
      for (const posting of termPostings.get(term) ?? [])
        overlap[posting.doc]! += idf * Math.min(weight, posting.weight);
      for (const posting of entryTermPostings.get(term) ?? []) {
        entryOverlap[posting.doc]! += idf * Math.min(weight, posting.weight);
        if (isContentWord) sharesContentWord[posting.doc] = 1;
      }
    }
    // Unknown words count, but sub-linearly: a long message has many words no FAQ needs.
    let unknownWeight = 0;
    for (const weight of question.unknownTerms.values()) unknownWeight += weight;
    questionTermTotal += UNKNOWN_TERM_IDF * Math.sqrt(unknownWeight);
    let questionGramSquares = 0;
    for (const [gram, count] of question.grams) {
      const idf = gramIdf.get(gram);
      if (idf === undefined) {
        // A trigram no paraphrase has still makes the question longer, i.e. less similar.
        questionGramSquares += count * count * UNKNOWN_TERM_IDF * UNKNOWN_TERM_IDF;
        continue;
      }
      const weight = count * idf;
      questionGramSquares += weight * weight;
      addPostings(gramDot, gramPostings.get(gram), weight, 1, false);
    }
    const questionGramNorm = Math.sqrt(questionGramSquares);

    const bestFit = new Float64Array(entryIds.length);
    const bestGrams = new Float64Array(entryIds.length);
    for (let doc = 0; doc < paraphrases.length; doc++) {
      const paraphrase = paraphrases[doc]!;
      const shared = overlap[doc]!;
      if (shared > 0) {
        const fit =
          (shared / questionTermTotal) ** QUESTION_COVERAGE_EXPONENT *
          (shared / paraphrase.termTotal) ** PARAPHRASE_COVERAGE_EXPONENT;
        bestFit[paraphrase.entryIndex] = Math.max(bestFit[paraphrase.entryIndex]!, fit);
      }
      if (gramDot[doc]! > 0) {
        const cosine = gramDot[doc]! / (questionGramNorm * paraphrase.gramNorm);
        bestGrams[paraphrase.entryIndex] = Math.max(bestGrams[paraphrase.entryIndex]!, cosine);
      }
    }
    const scores = new Float64Array(entryIds.length);
    const unknownFactor = unknownWordFactor(question, evidenceTuning);
    for (let entryIndex = 0; entryIndex < entryIds.length; entryIndex++) {
      if (!allowed(entryIndex)) continue;
      const coverage = questionTermTotal > 0 ? entryOverlap[entryIndex]! / questionTermTotal : 0;
      const termScore = (1 - ENTRY_COVERAGE_SHARE) * bestFit[entryIndex]! + ENTRY_COVERAGE_SHARE * coverage;
      const confidence = TERM_SHARE * termScore + (1 - TERM_SHARE) * bestGrams[entryIndex]!;
      // An entry must explain at least one content word of the question itself: "wie" or a few shared
      // trigrams are not evidence ("Wie geht es dir heute?").
      const evidence = sharesContentWord[entryIndex] ? 1 : evidenceTuning.noContentEvidenceFactor;
      scores[entryIndex] = Math.min(1, confidence * evidence * unknownFactor);
    }
    return scores;
  }

  function match(text: string, options: MatchOptions = {}): MatchResult {
    const threshold = options.threshold ?? settings.threshold;
    const margin = options.ambiguityMargin ?? settings.ambiguityMargin;
    const wantedTags = options.tags && options.tags.length > 0 ? options.tags : null;
    const allowed = (entryIndex: number) =>
      !wantedTags || wantedTags.some((tag) => entryTags[entryIndex]!.has(tag));

    const question = analyzer.analyzeQuestion(text, vocabulary);
    const entryScores = scoreEntries(question, allowed);
    const candidates = [...entryScores]
      .map((score, entryIndex) => ({ entryId: entryIds[entryIndex]!, score: round(score) }))
      .filter((candidate) => candidate.score >= MIN_CANDIDATE_SCORE)
      .sort((a, b) => b.score - a.score)
      .slice(0, settings.maxCandidates);
    let decision = decide(candidates, threshold, margin);
    if (decision === 'answer' && isVague(question)) {
      // Ask back rather than guess when several entries fit a one-word topic about equally.
      const [best, second] = candidates;
      if (best && second && second.score >= threshold && second.score >= best.score * vagueRunnerUpRatio)
        decision = 'clarify';
    }
    return { best: candidates[0] ?? null, candidates, decision };
  }

  return { match, analyze: (text) => analyzer.analyzeQuestion(text, vocabulary), config: settings };
}

/**
 * Confidence factor for the words of a question the knowledge base does not know at all. When half of a
 * short question is foreign ("Verkauft ihr auch Tee?", "capital of france", "Fahrrad reparieren lassen"),
 * the words we do know only say the customer talks to a shop, not which of our answers fits. Long
 * messages are spared: greetings and stories carry many words no FAQ needs.
 */
export function unknownWordFactor(
  question: AnalyzedText,
  tuning: Pick<
    MatcherTuning,
    'unknownShareTolerance' | 'unknownSharePenalty' | 'shortQuestionWords' | 'longQuestionWords'
  >,
): number {
  let knownWeight = 0;
  for (const [term, weight] of question.terms) if (!isQuestionWord(term)) knownWeight += weight;
  let unknownWeight = 0;
  for (const weight of question.unknownTerms.values()) unknownWeight += weight;
  const contentWords = knownWeight + unknownWeight;
  if (unknownWeight === 0 || contentWords === 0) return 1;
  const excess = Math.max(0, unknownWeight / contentWords - tuning.unknownShareTolerance);
  const span = Math.max(1e-9, tuning.longQuestionWords - tuning.shortQuestionWords);
  const fade = Math.min(1, Math.max(0, (tuning.longQuestionWords - contentWords) / span));
  return Math.max(0, 1 - tuning.unknownSharePenalty * fade * excess);
}

/** Adds `factor × min(weight, posting weight)` (or `factor × posting weight`) to each posting's document. */
function addPostings(
  sums: Float64Array,
  postings: ReadonlyArray<{ doc: number; weight: number }> | undefined,
  factor: number,
  weight: number,
  capAtWeight: boolean,
): void {
  if (!postings) return;
  for (let i = 0; i < postings.length; i++) {
    const posting = postings[i]!;
    sums[posting.doc]! += factor * (capAtWeight ? Math.min(weight, posting.weight) : posting.weight);
  }
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}

function pushPosting(
  postings: Map<string, Array<{ doc: number; weight: number }>>,
  key: string,
  doc: number,
  weight: number,
): void {
  const list = postings.get(key) ?? [];
  list.push({ doc, weight });
  postings.set(key, list);
}

/** idf per key, with document frequency counted over entries. */
function countIdf(
  entryCount: number,
  documents: ReadonlyArray<{ entryIndex: number; keys: Iterable<string> }>,
): Map<string, number> {
  const entriesByKey = new Map<string, Set<number>>();
  for (const { entryIndex, keys } of documents) {
    for (const key of keys) {
      const entries = entriesByKey.get(key) ?? new Set<number>();
      entries.add(entryIndex);
      entriesByKey.set(key, entries);
    }
  }
  const idf = new Map<string, number>();
  for (const [key, entries] of entriesByKey) idf.set(key, inverseDocumentFrequency(entryCount, entries.size));
  return idf;
}
