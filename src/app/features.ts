/**
 * Builds the four jobs (plus CRM hand-over and live-chat handoff) from the flows directory and the
 * configuration, and wires the few places where one feature uses another (events announce through newsletter
 * broadcasts, CRM leads carry the consent state).
 */
import { join } from 'node:path';
import { createCrmFeature } from '../features/crm/index.js';
import { createEventsFeature } from '../features/events/index.js';
import { createFaqFeature } from '../features/faq/feature.js';
import { createCsatFeature } from '../features/handoff/csat.js';
import { createHandoffFeature } from '../features/handoff/feature.js';
import { createInsightsFeature } from '../features/insights/index.js';
import { consentStatesOf } from '../features/newsletter/consent-states.js';
import { createNewsletterFeature } from '../features/newsletter/index.js';
import { createPrivacyFeature } from '../features/privacy/index.js';
import { createReferralsFeature } from '../features/referrals/index.js';
import type { Feature, FeatureContext } from '../features/types.js';

export interface CreateFeaturesOptions {
  /**
   * Called instead of failing when one feature's own files do not load (`plausch flows check` reports all
   * problems at once). Without it the first failure stops start-up with its message.
   */
  onFeatureError?: (feature: string, error: Error) => void;
}

export async function createFeatures(
  context: FeatureContext,
  options: CreateFeaturesOptions = {},
): Promise<Feature[]> {
  const flowsDir = context.config.FLOWS_DIR;
  const features: Feature[] = [];
  const build = async <F extends Feature>(
    name: string,
    create: () => Promise<F> | F,
  ): Promise<F | undefined> => {
    try {
      const feature = await create();
      features.push(feature);
      return feature;
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (!options.onFeatureError) throw failure;
      options.onFeatureError(name, failure);
      return undefined;
    }
  };

  // Handoff first: its interceptor (asking for a person, complaints) should win over other features' ones.
  const handoff = await build('handoff', () =>
    createHandoffFeature(context, {
      settingsFile: join(flowsDir, 'handoff', 'settings.yaml'),
      cannedRepliesFile: join(flowsDir, 'handoff', 'canned-replies.yaml'),
    }),
  );
  await build('faq', () => createFaqFeature(context, { knowledgeBaseDir: join(flowsDir, 'faq') }));
  const newsletter = await build('newsletter', () =>
    createNewsletterFeature(context, { topicsFile: join(flowsDir, 'newsletter', 'topics.yaml') }),
  );
  await build('events', () =>
    createEventsFeature(context, {
      eventsDir: join(flowsDir, 'events'),
      ...(newsletter ? { newsletter } : {}),
    }),
  );
  await build('referrals', () =>
    createReferralsFeature(context, { campaignsFile: join(flowsDir, 'referrals', 'campaigns.yaml') }),
  );
  await build('crm', () =>
    createCrmFeature(context, { consentLookup: (contactId) => consentStatesOf(context.store, contactId) }),
  );
  await build('insights', () => createInsightsFeature(context));
  await build('privacy', () => createPrivacyFeature(context));
  // Last, so that its interceptor (ratings after a chat with a person) never hides another feature's command.
  if (handoff) await build('csat', () => createCsatFeature(context.store.db, () => handoff.settings.csat));
  return features;
}
