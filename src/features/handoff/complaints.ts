/**
 * Complaint recognition by meaning: a linear classifier (src/understanding) trained on labelled examples in
 * `flows/handoff/complaints.yaml` — complaints and other messages, German and English — instead of a list of
 * exact words. "Das ist doch unverschämt, meine Bestellung ist seit zwei Wochen nicht da!" shares no word
 * with "Beschwerde", but its words and their synonyms are those of complaints.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { Analyzer, featuresOf, type TrainingExample } from '../../understanding/index.js';
import { trainCached } from '../../understanding/model-cache.js';
import { keyTokens } from '../../understanding/normalize.js';
import { parseYamlOrThrow, readYamlFileOrThrow } from '../../yaml/validated-yaml.js';

const examples = z.record(
  z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'locale keys look like de, en or de-AT'),
  z.array(z.string().trim().min(1, 'an example must not be empty')).min(1),
);

export const complaintExamplesSchema = z.strictObject({
  complaint: examples,
  other: examples,
});
export type ComplaintExamples = z.infer<typeof complaintExamplesSchema>;

export function loadComplaintExamples(file: string): ComplaintExamples {
  return readYamlFileOrThrow(complaintExamplesSchema, file);
}

export function parseComplaintExamples(text: string, file = 'handoff/complaints.yaml'): ComplaintExamples {
  return parseYamlOrThrow(complaintExamplesSchema, text, file);
}

export function loadComplaintExamplesIfPresent(file: string): ComplaintExamples | undefined {
  return existsSync(file) ? loadComplaintExamples(file) : undefined;
}

/** Probability a message needs before it counts as a complaint: a wrong handoff costs the team time. */
export const COMPLAINT_THRESHOLD = 0.6;
const MIN_CONTENT_WORDS = 3;

export interface ComplaintDetector {
  /** Calibrated probability that the message is a complaint. */
  probability(text: string, locale: string): number;
  isComplaint(text: string, locale: string): boolean;
}

export function createComplaintDetector(
  labelled: ComplaintExamples,
  extraComplaintPhrases: Readonly<Record<string, readonly string[]>> = {},
  threshold = COMPLAINT_THRESHOLD,
): ComplaintDetector {
  const analyzer = new Analyzer({ synonyms: [] });
  const items: Array<{ text: string; locale: string; label: string }> = [];
  for (const [label, byLocale] of [
    ['complaint', labelled.complaint],
    ['complaint', extraComplaintPhrases],
    ['other', labelled.other],
  ] as const)
    for (const [locale, list] of Object.entries(byLocale))
      for (const text of list) items.push({ text, locale, label });
  // The examples' own words are the vocabulary: synonyms and translations of a message are mapped onto them.
  const vocabulary = new Set<string>();
  for (const { text, locale } of items)
    for (const term of analyzer.analyzeDocument(text, locale.startsWith('en') ? 'en' : 'de').terms.keys())
      vocabulary.add(term);
  analyzer.setVocabulary(
    vocabulary,
    items.flatMap(({ text }) => keyTokens(text)),
  );
  const training: TrainingExample[] = items.map(({ text, locale, label }) => ({
    features: featuresOf(analyzer.analyzeQuestion(text, locale)),
    label,
  }));
  const classifier = trainCached(training, {});
  const probability = (text: string, locale: string) => {
    const analysis = analyzer.analyzeQuestion(text, locale);
    // A complaint says what is wrong: one or two words ("Paket?", "nein", an e-mail address) never are one
    // by themselves; the handoff's exact complaint words still catch "Frechheit!".
    if (analysis.words.length < MIN_CONTENT_WORDS || analysis.terms.size === 0) return 0;
    return classifier.predict(featuresOf(analysis)).find((p) => p.label === 'complaint')?.probability ?? 0;
  };
  return {
    probability,
    isComplaint: (text, locale) => probability(text, locale) >= threshold,
  };
}
