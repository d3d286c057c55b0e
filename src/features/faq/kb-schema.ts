/**
 * The shape of a knowledge-base file (`flows/faq/*.yaml`) and of the merged knowledge base the matcher
 * and the actions use. Shape only: cross-file checks (duplicate ids, conflicting synonyms) live in the loader.
 */
import { z } from 'zod';

/** Entry ids end up in button payloads (`faq:<id>`), so they stay short and plain. */
export const ENTRY_ID = /^[a-z][a-z0-9_-]*$/;
const LOCALE_KEY = /^[a-z]{2}(-[A-Z]{2})?$/;
const localeKey = z.string().regex(LOCALE_KEY, 'locale keys look like de, en or de-AT');

/** One text for every locale, or one per locale: `{ de: "…", en: "…" }`. */
export const localizedTextSchema = z.union([
  z.string().trim().min(1, 'text must not be empty'),
  z
    .record(localeKey, z.string().trim().min(1, 'text must not be empty'))
    .refine((texts) => Object.keys(texts).length > 0, { message: 'give the text for at least one locale' }),
]);
export type LocalizedText = z.infer<typeof localizedTextSchema>;

export const faqButtonSchema = z
  .strictObject({
    label: localizedTextSchema,
    /** Starts another flow (optionally at a step) when pressed; sent back as the jump payload `go:<flow>`. */
    goto_flow: z
      .string()
      .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)?$/, 'goto_flow is a flow id, optionally with .step')
      .optional(),
    /** Opens a link instead of sending anything back. */
    url: z.url({ message: 'url must be a full link such as https://…' }).optional(),
  })
  .refine((button) => Boolean(button.goto_flow) !== Boolean(button.url), {
    message: 'a button has exactly one of goto_flow or url',
  });
export type FaqButton = z.infer<typeof faqButtonSchema>;

export const faqEntrySchema = z.strictObject({
  id: z
    .string()
    .regex(ENTRY_ID, 'an entry id must start with a lowercase letter and use only a-z, 0-9, _ and -'),
  tags: z.array(z.string().min(1)).default([]),
  /** Short label for "did you mean …?" buttons; the first question is used when absent. */
  title: localizedTextSchema.optional(),
  /** Ways customers ask this question, per locale. Paraphrases, not keywords. */
  questions: z
    .record(localeKey, z.array(z.string().trim().min(1, 'a question must not be empty')).min(1))
    .refine((questions) => Object.keys(questions).length > 0, {
      message: 'give the questions for at least one locale',
    }),
  answer: localizedTextSchema,
  /**
   * Answers for questions naming a country (ISO 3166 code, e.g. AT, CH): "Liefert ihr nach Österreich?"
   * gets the AT text instead of the general answer. Cities count for their country ("Wien" → AT).
   */
  answer_by_country: z
    .record(
      z.string().regex(/^[A-Z]{2}$/, 'country keys are ISO 3166 codes such as AT or CH'),
      localizedTextSchema,
    )
    .optional(),
  buttons: z.array(faqButtonSchema).optional(),
});
export type FaqEntry = z.infer<typeof faqEntrySchema>;

/** Words customers use for the same thing: `rueckgabe: [retoure, zurückschicken]`. Multi-word phrases allowed. */
export const synonymsSchema = z.record(
  z.string().trim().min(1, 'a synonym head must not be empty'),
  z.array(z.string().trim().min(1, 'a synonym must not be empty')).min(1),
);

/** Messages the bot must not answer from the knowledge base, per locale: they train the "none" class. */
export const outOfScopeSchema = z.record(
  localeKey,
  z.array(z.string().trim().min(1, 'an example must not be empty')).min(1),
);

export const faqFileSchema = z
  .strictObject({
    synonyms: synonymsSchema.optional(),
    entries: z.array(faqEntrySchema).default([]),
    out_of_scope: outOfScopeSchema.optional(),
  })
  .refine((file) => file.entries.length > 0 || file.out_of_scope !== undefined, {
    message: 'a knowledge-base file needs at least one entry (or out_of_scope examples)',
  });
export type FaqFile = z.infer<typeof faqFileSchema>;

/** A synonym group: every member means the head. */
export interface SynonymGroup {
  head: string;
  members: string[];
}

/** The merged, validated knowledge base of all files. */
export interface KnowledgeBase {
  entries: readonly FaqEntry[];
  synonyms: readonly SynonymGroup[];
  /** Out-of-scope examples of all files, per locale. */
  outOfScope?: Readonly<Record<string, readonly string[]>>;
  /** Entry id → the file it came from, for error messages and the eval table. */
  sources: ReadonlyMap<string, string>;
}

export function entryById(kb: KnowledgeBase, id: string): FaqEntry | undefined {
  return kb.entries.find((entry) => entry.id === id);
}
