/**
 * Flow actions for service questions: `faq.answer` matches the customer's text and answers, asks back,
 * or admits it does not know (and logs the question); `faq.show` answers an entry the customer picked.
 */
import { z } from 'zod';
import type { ActionContext, ActionDefinition, ActionResult } from '../../engine/actions.js';
import { jumpPayload } from '../../engine/payloads.js';
import type { OutboundButton, OutboundMessage } from '../../model/index.js';
import type { FaqEntry, KnowledgeBase, LocalizedText } from './kb-schema.js';
import { localize } from './localize.js';
import type { FaqMatcher, ScoredEntry } from './matcher.js';
import type { UnansweredQuestionSink } from './unanswered.js';

/** Payload prefix of "did you mean …?" buttons: `faq:<entryId>`. */
export const FAQ_PAYLOAD_PREFIX = 'faq:';
/** Payload of the "something else" button under a clarify question. */
export const FAQ_NONE_PAYLOAD = 'faq:none';

export interface FaqActionOptions {
  /** Locale used when an entry has no text in the contact's locale. Default `de`. */
  defaultLocale?: string;
  /** The question above the clarify buttons. */
  clarifyPrompt?: LocalizedText;
  /**
   * Label of an extra clarify button that says "none of these" (payload `faq:none`). Off by default:
   * flows usually add their own next to the candidates (see flows/service.yaml).
   */
  noneOfTheseLabel?: LocalizedText;
  /** Called when the unanswered log fails; answering the customer must not fail with it. */
  onSinkError?: (error: unknown) => void;
}

const DEFAULT_CLARIFY_PROMPT: LocalizedText = {
  de: 'Ich bin mir nicht ganz sicher – meinst du eines davon?',
  en: "I'm not quite sure – did you mean one of these?",
};

const answerArgs = z.strictObject({
  /** Only entries with at least one of these tags are considered. */
  tags: z.array(z.string().min(1)).optional(),
  /** Overrides the matcher's confidence threshold for this step. */
  threshold: z.number().min(0).max(1).optional(),
});
const showArgs = z.strictObject({
  /** The entry to show; when absent, the pressed button's payload `faq:<id>` names it. */
  entry: z.string().min(1).optional(),
});

export function faqActions(
  kb: KnowledgeBase,
  matcher: FaqMatcher,
  sink: UnansweredQuestionSink,
  options: FaqActionOptions = {},
): ActionDefinition[] {
  const defaultLocale = options.defaultLocale ?? 'de';
  const entries = new Map(kb.entries.map((entry) => [entry.id, entry]));
  const text = (value: LocalizedText, locale: string) => localize(value, locale, defaultLocale);

  function answerMessage(
    entry: FaqEntry,
    locale: string,
    countries: readonly string[] = [],
  ): OutboundMessage {
    // A question naming a country the entry has its own answer for gets that answer ("nach Österreich").
    const country = countries.find((code) => entry.answer_by_country?.[code] !== undefined);
    const answerText = country ? entry.answer_by_country![country]! : entry.answer;
    const buttons: OutboundButton[] = (entry.buttons ?? []).map((button) =>
      button.url
        ? { label: text(button.label, locale), url: button.url }
        : // The engine's jump payload (`go:<flow>[.<step>]`) starts the flow whatever the conversation was doing.
          { label: text(button.label, locale), payload: jumpPayload(button.goto_flow!) },
    );
    return buttons.length > 0
      ? { text: text(answerText, locale), buttons }
      : { text: text(answerText, locale) };
  }

  function answered(
    entry: FaqEntry,
    context: ActionContext,
    score: number | null,
    countries: readonly string[] = [],
  ): ActionResult {
    return {
      outcome: 'answered',
      vars: score === null ? { faq_entry: entry.id } : { faq_entry: entry.id, faq_score: score },
      messages: [answerMessage(entry, context.locale, countries)],
    };
  }

  function clarify(
    candidates: readonly ScoredEntry[],
    context: ActionContext,
    chosen: boolean,
  ): ActionResult {
    const best = candidates[0]?.score ?? 0;
    const margin = matcher.config.ambiguityMargin;
    // Offer only the entries that are really in question, i.e. as close to the best as the runner-up
    // (or at least half as good as the best). The matcher names them itself when its two kinds of evidence
    // disagree or a topic word is vague ("Paket?" may mean three entries).
    const close = chosen
      ? candidates
      : candidates.filter(
          (candidate) => best - candidate.score < margin * 2 || candidate.score >= best * 0.45,
        );
    const buttons: OutboundButton[] = close.flatMap((candidate) => {
      const entry = entries.get(candidate.entryId);
      if (!entry) return [];
      const label = entry.title ? text(entry.title, context.locale) : firstQuestion(entry, context.locale);
      return [{ label, payload: `${FAQ_PAYLOAD_PREFIX}${entry.id}` }];
    });
    if (options.noneOfTheseLabel) {
      buttons.push({ label: text(options.noneOfTheseLabel, context.locale), payload: FAQ_NONE_PAYLOAD });
    }
    return {
      outcome: 'clarify',
      vars: { faq_candidates: close.map((candidate) => candidate.entryId) },
      messages: [{ text: text(options.clarifyPrompt ?? DEFAULT_CLARIFY_PROMPT, context.locale), buttons }],
    };
  }

  function firstQuestion(entry: FaqEntry, locale: string): string {
    const language = locale.split('-')[0] ?? locale;
    const questions = entry.questions[locale] ?? entry.questions[language] ?? entry.questions[defaultLocale];
    return questions?.[0] ?? Object.values(entry.questions)[0]?.[0] ?? entry.id;
  }

  async function recordUnanswered(
    question: string,
    bestScore: number,
    context: ActionContext,
  ): Promise<void> {
    try {
      await sink.record({
        text: question,
        locale: context.locale,
        channel: context.channel,
        contactId: context.contact.id,
        bestScore,
        at: context.now,
      });
    } catch (error) {
      options.onSinkError?.(error);
    }
  }

  const answer: ActionDefinition<z.infer<typeof answerArgs>> = {
    name: 'faq.answer',
    summary:
      "Answers the customer's question from the knowledge base, asks back when unsure, logs it when unknown",
    args: answerArgs,
    outcomes: ['answered', 'clarify', 'unknown'],
    async run(args, context) {
      const question = context.input?.text?.trim() ?? '';
      // Nothing to match (a sticker, an empty message): unknown, but nothing worth logging either.
      if (question === '') return { outcome: 'unknown' };
      const result = matcher.match(question, {
        tags: args.tags,
        threshold: args.threshold,
        locale: context.locale,
      });
      const bestEntry = result.best ? entries.get(result.best.entryId) : undefined;
      if (result.decision === 'answer' && bestEntry)
        return answered(bestEntry, context, result.best!.score, result.countries);
      if (result.decision === 'clarify')
        return clarify(result.choices ?? result.candidates, context, Boolean(result.choices));
      await recordUnanswered(question, result.best?.score ?? 0, context);
      return { outcome: 'unknown', vars: { faq_question: question } };
    },
  };

  const show: ActionDefinition<z.infer<typeof showArgs>> = {
    name: 'faq.show',
    summary:
      'Shows the answer of one knowledge-base entry, named in `entry` or by a pressed `faq:<id>` button',
    args: showArgs,
    outcomes: ['answered', 'unknown'],
    async run(args, context) {
      const payload = context.input?.payload;
      const fromPayload = payload?.startsWith(FAQ_PAYLOAD_PREFIX)
        ? payload.slice(FAQ_PAYLOAD_PREFIX.length)
        : undefined;
      const entry = entries.get(args.entry ?? fromPayload ?? '');
      return entry ? answered(entry, context, null) : { outcome: 'unknown' };
    },
  };

  return [answer, show] as ActionDefinition[];
}
