/** The `newsletter.*` actions flows call (names, arguments and outcomes as in docs/actions.md). */
import { z } from 'zod';
import type { ActionContext, ActionDefinition, ActionResult } from '../../engine/actions.js';
import {
  activeTopics,
  type ConsentSubject,
  confirmConsent,
  declineConsent,
  requestConsent,
  withdrawConsent,
} from './consent-ledger.js';
import { fillPlaceholders } from './localized.js';
import type { NewsletterDb } from './tables.js';
import type { TopicCatalog } from './topics.js';

const topicArgs = z.strictObject({ topic: z.string().min(1, 'topic is required') });

function subjectOf(context: ActionContext): ConsentSubject {
  return {
    contactId: context.contact.id,
    channel: context.channel,
    source: `flow:${context.flowId}.${context.stepId}`,
    now: context.now,
  };
}

function topicList(catalog: TopicCatalog, topics: string[], locale: string): string {
  return topics.map((t) => catalog.name(t, locale)).join(', ');
}

export function createNewsletterActions(db: NewsletterDb, catalog: () => TopicCatalog): ActionDefinition[] {
  const request: ActionDefinition<z.infer<typeof topicArgs>> = {
    name: 'newsletter.request',
    summary: 'Asks for consent to a topic (double opt-in, step 1) and records the exact question shown',
    args: topicArgs,
    outcomes: ['pending', 'already', 'unknown_topic'],
    async run(args, context): Promise<ActionResult> {
      const topics = catalog();
      if (!topics.has(args.topic)) return { outcome: 'unknown_topic' };
      const text = topics.consentText(args.topic, context.locale);
      const outcome = await requestConsent(db, subjectOf(context), args.topic, text);
      if (outcome === 'already') return { outcome, vars: { newsletter_topic: args.topic } };
      return {
        outcome,
        vars: { newsletter_topic: args.topic, newsletter_consent_text: text },
        messages: [{ text }],
      };
    },
  };

  const confirm: ActionDefinition<z.infer<typeof topicArgs>> = {
    name: 'newsletter.confirm',
    summary: 'Confirms a consent request made within the last 7 days (double opt-in, step 2)',
    args: topicArgs,
    outcomes: ['confirmed', 'not_pending'],
    async run(args, context): Promise<ActionResult> {
      const outcome = await confirmConsent(db, subjectOf(context), args.topic);
      return { outcome };
    },
  };

  const decline: ActionDefinition<z.infer<typeof topicArgs>> = {
    name: 'newsletter.decline',
    summary: 'Records a "no" to an open consent request',
    args: topicArgs,
    outcomes: ['ok'],
    async run(args, context): Promise<ActionResult> {
      await declineConsent(db, subjectOf(context), args.topic);
      return { outcome: 'ok' };
    },
  };

  const unsubscribeArgs = z.strictObject({ topic: z.string().min(1).optional() });
  const unsubscribe: ActionDefinition<z.infer<typeof unsubscribeArgs>> = {
    name: 'newsletter.unsubscribe',
    summary: 'Withdraws consent for one topic (or all when no topic is given) and cancels queued sends',
    args: unsubscribeArgs,
    outcomes: ['unsubscribed', 'not_subscribed'],
    async run(args, context): Promise<ActionResult> {
      const topics = catalog();
      const text = (names: string[]) =>
        names.length === 0
          ? null
          : fillPlaceholders(topics.text(args.topic ? 'unsubscribed' : 'unsubscribed_all', context.locale), {
              topics: topicList(topics, names, context.locale),
            });
      // The confirmation is sent by the action itself so the ledger records exactly what the person saw.
      let shown: string | null = null;
      const result = await withdrawConsent(db, subjectOf(context), args.topic ?? null, (names) => {
        shown = text(names);
        return shown;
      });
      if (result.unsubscribed.length === 0 || shown === null) return { outcome: 'not_subscribed' };
      return { outcome: 'unsubscribed', messages: [{ text: shown }] };
    },
  };

  const status: ActionDefinition<Record<string, never>> = {
    name: 'newsletter.status',
    summary: 'Tells which topics the contact is subscribed to',
    args: z.strictObject({}),
    outcomes: ['subscribed', 'none'],
    async run(_args, context): Promise<ActionResult> {
      const topics = await activeTopics(db, context.contact.id);
      return {
        outcome: topics.length > 0 ? 'subscribed' : 'none',
        vars: { newsletter_topics: topics },
      };
    },
  };

  return [request, confirm, decline, unsubscribe, status] as ActionDefinition[];
}
