/**
 * Which language a message is written in, German or English (the languages the knowledge base and the
 * stemmers cover). Short messages are where detectors guess: "abo kündigen" has too few letters for
 * n-gram statistics. So three kinds of evidence add up: `tinyld`'s n-gram detector (weighted by text
 * length), words only one language has (stop words, stems of its real-word list), and the contact's locale
 * as a prior that decides when nothing else does.
 */
import { detectAll } from 'tinyld';
import { lexiconData } from './lexicon-data.js';
import { keyTokens } from './normalize.js';
import { stemWord } from './stemmer.js';
import { isStopWordOf } from './stopwords.js';

export type Language = 'de' | 'en';
export const LANGUAGES: readonly Language[] = ['de', 'en'];

export interface LanguageGuess {
  language: Language;
  /** Evidence per language, before the decision. */
  scores: Record<Language, number>;
  /** What decided: the words, the detector, or the contact's locale when both were silent or tied. */
  decidedBy: 'words' | 'detector' | 'locale';
}

const LOCALE_PRIOR = 0.6;
/** The n-gram detector is trusted fully from this many letters on. */
const DETECTOR_FULL_LENGTH = 40;

export function languageOfLocale(locale: string | undefined): Language | undefined {
  const language = locale?.split('-')[0]?.toLowerCase();
  return language === 'de' || language === 'en' ? language : undefined;
}

export function detectLanguage(text: string, locale?: string): LanguageGuess {
  const words = keyTokens(text);
  const scores: Record<Language, number> = { de: 0, en: 0 };
  const { realStems } = lexiconData();
  for (const word of words) {
    const stop = { de: isStopWordOf(word, 'de'), en: isStopWordOf(word, 'en') };
    const real = { de: realStems.de.has(stemWord(word, 'de')), en: realStems.en.has(stemWord(word, 'en')) };
    for (const language of ['de', 'en'] as const) {
      const other = language === 'de' ? 'en' : 'de';
      // Only what one language has and the other lacks is evidence ("die", "the"; not "hotel").
      if (stop[language] && !stop[other]) scores[language] += 1;
      else if (real[language] && !real[other]) scores[language] += 0.7;
    }
  }
  const wordEvidence = { ...scores };
  const letters = words.join('').length;
  if (letters >= 8) {
    const weight = Math.min(1, letters / DETECTOR_FULL_LENGTH) * Math.max(1, words.length / 2);
    for (const { lang, accuracy } of detectAll(text)) {
      if (lang === 'de' || lang === 'en') scores[lang] += weight * accuracy;
    }
  }
  const prior = languageOfLocale(locale) ?? 'de';
  const detectorMoved = scores.de - wordEvidence.de !== 0 || scores.en - wordEvidence.en !== 0;
  scores[prior] += LOCALE_PRIOR;
  const language: Language = scores.en > scores.de ? 'en' : 'de';
  const wordsAgree = wordEvidence[language] > wordEvidence[language === 'de' ? 'en' : 'de'];
  const decidedBy = wordsAgree ? 'words' : detectorMoved && language !== prior ? 'detector' : 'locale';
  return { language, scores, decidedBy };
}
