/** The flow actions `referral.link` (hand out the personal link) and `referral.stats` (how am I doing?). */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { ActionDefinition } from '../../engine/actions.js';
import type { OutboundMessage } from '../../model/index.js';
import type { CoreTables } from '../../store/schema.js';
import { getOrCreateCode, payloadForCode } from './codes.js';
import { buildReferralLinks } from './links.js';
import type { ReferralProgram } from './program-schema.js';
import { countsForCodes, nextMilestone } from './report.js';
import type { ReferralTables } from './tables.js';
import { BUILT_IN_TEXTS, fillTemplate, pickLocalized } from './texts.js';

interface ActionDeps {
  db: Kysely<CoreTables & ReferralTables>;
  config: Config;
  getProgram: () => ReferralProgram;
}

/** What `referral.link` sends itself: everything (default), only the QR image, or nothing (the flow says it). */
const SEND_MODES = ['all', 'qr', 'none'] as const;

export function createReferralLinkAction(
  deps: ActionDeps,
): ActionDefinition<{ campaign?: string | undefined; send: (typeof SEND_MODES)[number] }> {
  const args = z
    .strictObject({ campaign: z.string().min(1).optional(), send: z.enum(SEND_MODES).default('all') })
    .refine((a) => !a.campaign || Boolean(deps.getProgram().campaigns[a.campaign]), {
      message: 'unknown referral campaign; campaigns are defined in flows/referrals/campaigns.yaml',
      path: ['campaign'],
    });
  return {
    name: 'referral.link',
    summary: 'Hands the contact a personal referral link, deep links, a ready-to-forward text and a QR code',
    args,
    outcomes: ['ok'],
    async run({ campaign: requested, send }, context) {
      const program = deps.getProgram();
      const campaignId = requested ?? program.default_campaign;
      const campaign = program.campaigns[campaignId];
      if (!campaign) throw new Error(`referral campaign "${campaignId}" is not defined`);
      const code = await getOrCreateCode(
        deps.db,
        { contactId: context.contact.id, channel: context.channel },
        campaignId,
        context.now,
      );
      const locale = context.locale;
      const pick = (text: Parameters<typeof pickLocalized>[0]) =>
        pickLocalized(text, locale, program.default_locale);
      const name = context.contact.firstName ?? context.contact.displayName ?? '';
      const whatsappText = fillTemplate(pick(campaign.whatsapp_text ?? BUILT_IN_TEXTS.whatsapp_text), {
        payload: payloadForCode(code.code),
        name,
      });
      const links = buildReferralLinks(deps.config, code.code, whatsappText);
      const values = { link: links.web, code: code.code, name };
      const linkLines = [
        links.web,
        links.whatsapp ? `WhatsApp: ${links.whatsapp}` : null,
        links.telegram ? `Telegram: ${links.telegram}` : null,
        links.messenger ? `Messenger: ${links.messenger}` : null,
      ].filter((line): line is string => line !== null);
      const qr: OutboundMessage = {
        media: {
          kind: 'image',
          ref: links.qr,
          mimeType: 'image/png',
          caption: fillTemplate(pick(campaign.qr_caption ?? BUILT_IN_TEXTS.qr_caption), values),
        },
      };
      const messages: OutboundMessage[] =
        send === 'none'
          ? []
          : send === 'qr'
            ? [qr]
            : [
                {
                  text: [
                    fillTemplate(pick(campaign.intro ?? BUILT_IN_TEXTS.intro), values),
                    ...linkLines,
                  ].join('\n'),
                },
                { text: fillTemplate(pick(campaign.share_text), values) },
                qr,
              ];
      return {
        outcome: 'ok',
        // referral_share_text lets a flow that says the link itself (send: none) still use the campaign's text.
        vars: {
          referral_code: code.code,
          referral_url: links.web,
          referral_share_text: fillTemplate(pick(campaign.share_text), values),
        },
        messages,
      };
    },
  };
}

export function createReferralStatsAction(deps: ActionDeps): ActionDefinition<Record<string, never>> {
  return {
    name: 'referral.stats',
    summary: 'Tells the contact how their referrals are doing: clicks, friends joined, orders, next reward',
    args: z.strictObject({}),
    outcomes: ['ok'],
    async run(_args, context) {
      const program = deps.getProgram();
      const codes = await deps.db
        .selectFrom('referral_codes')
        .selectAll()
        .where('contact_id', '=', context.contact.id)
        .execute();
      const counts = await countsForCodes(
        deps.db,
        codes.map((c) => c.id),
      );
      const pick = (text: Parameters<typeof pickLocalized>[0]) =>
        pickLocalized(text, context.locale, program.default_locale);
      const lines = [
        fillTemplate(pick(program.texts.stats ?? BUILT_IN_TEXTS.stats), {
          clicks: counts.unique_clicks,
          joined: counts.joined,
          conversions: counts.conversions,
        }),
      ];
      const next = nextMilestone(program, codes);
      if (next) {
        const milestone = program.campaigns[next.campaignId]?.milestones.find(
          (m) => m.id === next.milestoneId,
        );
        const label = fillTemplate(pick(milestone?.label ?? BUILT_IN_TEXTS.milestone_label), {
          friends: next.friends,
        });
        lines.push(
          fillTemplate(pick(program.texts.stats_next ?? BUILT_IN_TEXTS.stats_next), {
            remaining: next.remaining,
            label,
          }),
        );
      } else if (codes.length > 0) {
        lines.push(pick(program.texts.stats_done ?? BUILT_IN_TEXTS.stats_done));
      }
      return {
        outcome: 'ok',
        vars: {
          referral_clicks: counts.unique_clicks,
          referral_joined: counts.joined,
          referral_conversions: counts.conversions,
        },
        messages: [{ text: lines.join(' ') }],
      };
    },
  };
}
