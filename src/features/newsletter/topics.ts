/**
 * Newsletter topics and unsubscribe words from `flows/newsletter/topics.yaml`: what a person can subscribe
 * to, described in their language, and the one-word messages that end every subscription.
 */
import { z } from 'zod';
import { normalizeForMatching } from '../../text/normalize.js';
import { parseYamlOrThrow, readYamlFileOrThrow } from '../../yaml/validated-yaml.js';
import { type Localized, pickLocalized } from './localized.js';

const localeKey = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'locale keys look like de, en or de-AT');
const localizedSchema = z.union(
  [
    z.string().min(1, 'text must not be empty'),
    z.record(localeKey, z.string().min(1, 'text must not be empty')),
  ],
  { error: 'a text, or texts per locale like { de: …, en: … }' },
);

export const TOPIC_ID = /^[a-z][a-z0-9-]{0,31}$/;

const topicSchema = z.strictObject({
  id: z.string().regex(TOPIC_ID, 'a topic id is lowercase a-z, 0-9 and -, at most 32 characters'),
  name: localizedSchema,
  /** What and how often; shown in the consent question, so it must be honest. */
  description: localizedSchema,
});

/** Texts the newsletter feature says; every one has a built-in default and may be overridden here. */
const textsSchema = z
  .strictObject({
    consent_question: localizedSchema.optional(),
    confirmed: localizedSchema.optional(),
    declined: localizedSchema.optional(),
    unsubscribed: localizedSchema.optional(),
    unsubscribed_all: localizedSchema.optional(),
    not_subscribed: localizedSchema.optional(),
    status: localizedSchema.optional(),
    status_none: localizedSchema.optional(),
  })
  .default({});

export const topicsFileSchema = z
  .strictObject({
    default_locale: z
      .string()
      .regex(/^[a-z]{2}$/)
      .default('de'),
    topics: z.array(topicSchema).min(1, 'define at least one topic'),
    /** Whole messages (per locale) that unsubscribe from everything, whatever the conversation is doing. */
    unsubscribe_words: z.record(localeKey, z.array(z.string().min(1)).min(1)),
    texts: textsSchema,
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.topics.forEach((topic, index) => {
      if (seen.has(topic.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['topics', index, 'id'],
          message: `topic "${topic.id}" is defined twice`,
        });
      }
      seen.add(topic.id);
    });
  });

export type TopicsFile = z.output<typeof topicsFileSchema>;
export type TopicDefinition = TopicsFile['topics'][number];
export type NewsletterTextKey = keyof TopicsFile['texts'];

const DEFAULT_TEXTS: Record<NewsletterTextKey, Localized> = {
  consent_question: {
    de: 'Möchtest du das wirklich abonnieren? Du kannst dich jederzeit mit STOP abmelden.',
    en: 'Do you really want to subscribe? You can unsubscribe at any time by sending STOP.',
  },
  confirmed: {
    de: 'Danke! Du hast „{topic}“ abonniert. Mit STOP meldest du dich jederzeit wieder ab.',
    en: 'Thank you! You are now subscribed to “{topic}”. Send STOP at any time to unsubscribe.',
  },
  declined: {
    de: 'Alles klar, wir schicken dir dazu nichts.',
    en: 'All right, we will not send you anything about it.',
  },
  unsubscribed: {
    de: 'Du bist von „{topics}“ abgemeldet.',
    en: 'You are unsubscribed from “{topics}”.',
  },
  unsubscribed_all: {
    de: 'Erledigt: Du bist von allen Newslettern abgemeldet ({topics}) und bekommst von uns keine Newsletter mehr. Wenn du sie wieder möchtest, schreib einfach „Newsletter“.',
    en: 'Done: you are unsubscribed from all newsletters ({topics}) and will not get any more from us. If you want them back, just write “newsletter”.',
  },
  not_subscribed: {
    de: 'Du hattest keinen Newsletter abonniert – von uns kommen keine Newsletter an dich.',
    en: 'You were not subscribed to any newsletter, so we will not send you any.',
  },
  status: {
    de: 'Du hast abonniert: {topics}.',
    en: 'You are subscribed to: {topics}.',
  },
  status_none: {
    de: 'Du hast derzeit keinen Newsletter abonniert.',
    en: 'You are not subscribed to any newsletter right now.',
  },
};

/** The loaded topics file with lookups the actions, interceptor and API need. */
export class TopicCatalog {
  readonly #topics: ReadonlyMap<string, TopicDefinition>;
  readonly #unsubscribeWords: ReadonlySet<string>;

  constructor(
    readonly file: TopicsFile,
    readonly path: string,
  ) {
    this.#topics = new Map(file.topics.map((t) => [t.id, t]));
    this.#unsubscribeWords = new Set(
      Object.values(file.unsubscribe_words)
        .flat()
        .map((word) => normalizeForMatching(word))
        .filter(Boolean),
    );
  }

  get defaultLocale(): string {
    return this.file.default_locale;
  }

  list(): TopicDefinition[] {
    return [...this.#topics.values()];
  }

  get(id: string): TopicDefinition | undefined {
    return this.#topics.get(id);
  }

  has(id: string): boolean {
    return this.#topics.has(id);
  }

  name(id: string, locale: string): string {
    const topic = this.#topics.get(id);
    return topic ? pickLocalized(topic.name, locale, this.defaultLocale) : id;
  }

  description(id: string, locale: string): string {
    const topic = this.#topics.get(id);
    return topic ? pickLocalized(topic.description, locale, this.defaultLocale) : '';
  }

  text(key: NewsletterTextKey, locale: string): string {
    return pickLocalized(this.file.texts[key] ?? DEFAULT_TEXTS[key], locale, this.defaultLocale);
  }

  /** The exact consent text shown when someone asks to subscribe: what and how often, then the question. */
  consentText(topicId: string, locale: string): string {
    return `${this.description(topicId, locale)}\n\n${this.text('consent_question', locale)}`;
  }

  /** Whether the whole message (any locale's list; case, umlauts and punctuation ignored) is an unsubscribe word. */
  isUnsubscribeMessage(text: string): boolean {
    const normalized = normalizeForMatching(text);
    return normalized !== '' && this.#unsubscribeWords.has(normalized);
  }
}

export function loadTopicCatalog(path: string): TopicCatalog {
  return new TopicCatalog(readYamlFileOrThrow(topicsFileSchema, path), path);
}

export function parseTopicCatalog(text: string, path = 'topics.yaml'): TopicCatalog {
  return new TopicCatalog(parseYamlOrThrow(topicsFileSchema, text, path), path);
}
