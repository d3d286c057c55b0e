/**
 * The handoff feature: the `handoff` action flows call, and the interceptor that hands over when the customer
 * asks for a person or complains in their own words. It opens a handoff session, tells the flow whether the
 * team is in (`queued` / `after_hours`) and the expected wait, and returns the `handoff` effect; the runtime
 * then queues the conversation and the bot stays silent until an agent hands it back.
 */
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ActionDefinition, ActionResult } from '../../engine/actions.js';
import { runTurn } from '../../engine/run-turn.js';
import type { InboundInterceptor, TurnInput, TurnOutput } from '../../engine/types.js';
import type { Variables } from '../../model/index.js';
import { containsPhrase, normalizeForMatching } from '../../text/normalize.js';
import type { Feature, FeatureContext } from '../types.js';
import { loadShippedCannedReplies, seedCannedReplies } from './canned-seed.js';
import {
  type ComplaintDetector,
  type ComplaintExamples,
  createComplaintDetector,
  loadComplaintExamplesIfPresent,
} from './complaints.js';
import { formatOpening, isWithinOfficeHours, nextOpening } from './office-hours.js';
import { claimWaitingNotice, findOpenSession, medianWaitMinutes, openHandoffSession } from './sessions.js';
import { type HandoffSettings, loadHandoffSettings, pickLocalized } from './settings.js';

export interface HandoffFeatureOptions {
  /** `flows/handoff/settings.yaml`. */
  settingsFile?: string;
  /** Settings given directly (tests). */
  settings?: HandoffSettings;
  /** Labelled complaint examples; default: `complaints.yaml` beside the settings file (flows/handoff/). */
  complaints?: ComplaintExamples;
  /** `flows/handoff/canned-replies.yaml`: canned replies the console starts with. */
  cannedRepliesFile?: string;
}

export interface HandoffFeature extends Feature {
  readonly settings: HandoffSettings;
  /** Which trigger the text matches: a complaint, a request for a person, or none. */
  classify(text: string, locale: string): 'complaint' | 'customer_request' | null;
}

const handoffArgs = z.strictObject({
  reason: z.string().min(1).max(200).optional(),
  team: z.string().min(1).max(60).optional(),
});

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, key: string) => values[key] ?? '');
}

export function createHandoffFeature(ctx: FeatureContext, options: HandoffFeatureOptions): HandoffFeature {
  const settings =
    options.settings ?? loadHandoffSettings(options.settingsFile ?? 'flows/handoff/settings.yaml');
  const log = ctx.logger.child({ feature: 'handoff' });
  // Read now, so a broken file stops start-up (and `plausch flows check`) with its position.
  const shippedCanned = options.cannedRepliesFile
    ? loadShippedCannedReplies(options.cannedRepliesFile)
    : { replies: {} };
  const normalizedLists = (lists: Record<string, string[]>) =>
    Object.fromEntries(
      Object.entries(lists).map(([locale, list]) => [locale, list.map(normalizeForMatching).filter(Boolean)]),
    );
  const phrases = normalizedLists(settings.phrases);
  // Complaints by meaning: a classifier over labelled examples; the settings' complaint_words are examples too.
  const settingsFile = options.settingsFile ?? 'flows/handoff/settings.yaml';
  const examples =
    options.complaints ?? loadComplaintExamplesIfPresent(join(dirname(settingsFile), 'complaints.yaml'));
  const complaintDetector: ComplaintDetector | null = examples
    ? createComplaintDetector(examples, settings.complaint_words)
    : null;
  // Short outbursts ("Frechheit!") and folders without labelled examples: the complaint words as whole words.
  const complaintWords = normalizedLists(settings.complaint_words);
  const allOf = (lists: Record<string, string[]>, locale: string) => [
    ...(lists[locale] ?? []),
    ...Object.entries(lists)
      .filter(([l]) => l !== locale)
      .flatMap(([, v]) => v),
  ];

  const classify = (text: string, locale: string): 'complaint' | 'customer_request' | null => {
    const normalized = normalizeForMatching(text);
    if (!normalized) return null;
    if (complaintDetector?.isComplaint(text, locale)) return 'complaint';
    if (allOf(complaintWords, locale).some((p) => containsPhrase(normalized, p))) return 'complaint';
    if (allOf(phrases, locale).some((p) => containsPhrase(normalized, p))) return 'customer_request';
    return null;
  };

  const complaintTeam = Object.entries(settings.teams).find(([, team]) => team.complaint)?.[0];

  const handoffAction: ActionDefinition<z.infer<typeof handoffArgs>> = {
    name: 'handoff',
    summary: 'hand the conversation to a person of the team (queued in office hours, after_hours otherwise)',
    args: handoffArgs,
    outcomes: ['queued', 'after_hours'],
    async run(args, context): Promise<ActionResult> {
      const reason = args.reason ?? 'customer_request';
      const team =
        args.team ?? (reason === 'complaint' && complaintTeam ? complaintTeam : settings.default_team);
      const open = isWithinOfficeHours(settings.office_hours, context.now);
      await openHandoffSession(
        ctx.store.db,
        {
          conversationId: context.conversationId,
          contactId: context.contact.id,
          channel: context.channel,
          reason,
          team,
          afterHours: !open,
        },
        context.now,
      );
      const effects = [{ kind: 'handoff' as const, reason, team }];
      if (!open) {
        const opening = nextOpening(settings.office_hours, context.now);
        const vars: Variables = opening
          ? {
              handoff_wait: fill(pickLocalized(settings.texts.next_opening, context.locale), {
                when: formatOpening(opening, settings.office_hours, context.locale),
              }),
            }
          : {};
        return { outcome: 'after_hours', vars, effects };
      }
      const since = new Date(context.now.getTime() - settings.expected_wait.window_days * 86_400_000);
      const minutes = await medianWaitMinutes(ctx.store.db, team, since, settings.expected_wait.min_samples);
      // Unknown wait: the variable stays unset and the flow's text says nothing about minutes.
      const vars: Variables =
        minutes === null
          ? {}
          : {
              handoff_wait: fill(pickLocalized(settings.texts.wait_minutes, context.locale), {
                minutes: String(minutes),
              }),
            };
      return { outcome: 'queued', vars, effects };
    },
  };

  const seedShipped = async (): Promise<void> => {
    const added = await seedCannedReplies(ctx.store.db, shippedCanned, ctx.now());
    if (added > 0) log.info({ added }, 'shipped canned replies added');
  };

  const [entryFlow, entryStep] = settings.entry.split('.') as [string, string];

  const interceptor: InboundInterceptor = {
    name: 'handoff-phrases',
    async intercept(input: TurnInput): Promise<TurnOutput | null> {
      if (input.event.kind !== 'message' || !input.event.text || input.event.buttonPayload) return null;
      const trigger = classify(input.event.text, input.contact.locale);
      if (!trigger) return null;
      const conversation = await ctx.store.db
        .selectFrom('conversations')
        .select(['status'])
        .where('id', '=', input.conversationId)
        .executeTakeFirst();
      if (conversation?.status === 'queued' || conversation?.status === 'agent') {
        // Already with the team: say so once per handoff, never again on every message.
        const session = await findOpenSession(ctx.store.db, input.conversationId);
        if (!session || !(await claimWaitingNotice(ctx.store.db, session.id))) return null;
        return {
          state: input.state,
          messages: [{ text: pickLocalized(settings.texts.already_waiting, input.contact.locale) }],
          effects: [],
          trace: ['handoff.already_waiting'],
        };
      }
      if (!input.flows.flows.get(entryFlow)?.definition.steps[entryStep]) {
        log.warn(
          { entry: settings.entry },
          'handoff entry step does not exist; the phrase is left to the flows',
        );
        return null;
      }
      log.info({ conversationId: input.conversationId, trigger }, 'customer asked for a person');
      return runTurn({
        ...input,
        state: { ...input.state, vars: { ...input.state.vars, handoff_reason: trigger } },
        event: { kind: 'start-flow', flowId: entryFlow, stepId: entryStep },
      });
    },
  };

  return {
    name: 'handoff',
    settings,
    classify,
    actions: [handoffAction as ActionDefinition],
    interceptors: [interceptor],
    loadData: seedShipped,
    start: seedShipped,
  };
}
