/**
 * The shape of `flows/referrals/campaigns.yaml`: campaigns (landing page, UTM, share texts), milestones with
 * rewards, and coupon pools. Texts are per locale; `{{link}}`, `{{code}}`, `{{coupon}}` … are filled in at use.
 */
import { z } from 'zod';

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'ids start with a lowercase letter and use only a-z, 0-9, _ and -');

/** Coupon pool names as marketers write them on vouchers: `FREUNDE10`, `KAFFEE-PAKET`. */
export const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const poolName = z.string().regex(POOL_NAME, 'pool names use A-Z, a-z, 0-9, _ and - (at most 64 characters)');

/** A text for every locale (`{ de: …, en: … }`) or one text for all. */
export const localizedSchema = z.union([
  z.string().min(1, 'text must not be empty'),
  z.record(
    z.string().regex(/^[a-z]{2}$/, 'locale keys look like de or en'),
    z.string().min(1, 'text must not be empty'),
  ),
]);
export type Localized = z.infer<typeof localizedSchema>;

const httpUrl = z
  .string()
  .url('must be a full URL like https://www.example.com/page')
  .refine((value) => /^https?:\/\//i.test(value), { message: 'must start with http:// or https://' });

export const couponCodeSchema = z
  .string()
  .trim()
  .min(1, 'a coupon code must not be empty')
  .max(100, 'a coupon code has at most 100 characters')
  .regex(/^[\x21-\x7e]+$/, 'a coupon code uses printable ASCII without spaces');

export const milestoneSchema = z.strictObject({
  id: identifier,
  /** Friends who joined through the referrer's link in this campaign. */
  friends: z.number().int().min(1, 'friends must be at least 1'),
  /** Pool the reward's coupon is taken from; without one the reward is the message alone. */
  coupon_pool: poolName.optional(),
  /** Sent to the referrer when the milestone is reached; `{{coupon}}`, `{{friends}}`, `{{name}}` are filled in. */
  reward_text: localizedSchema,
  /** One line for the stats message: what the next milestone brings ("10 % Gutschein"). */
  label: localizedSchema.optional(),
});
export type MilestoneDefinition = z.infer<typeof milestoneSchema>;

export const campaignSchema = z.strictObject({
  title: z.string().optional(),
  landing_url: httpUrl,
  utm: z.strictObject({
    source: z.string().min(1).default('referral'),
    medium: z.string().min(1).default('messenger'),
    campaign: z.string().min(1),
  }),
  /** The ready-to-forward text; must contain `{{link}}`. */
  share_text: localizedSchema,
  /** Said before the share text, e.g. "Leite diese Nachricht an Freunde weiter:"; links are listed after it. */
  intro: localizedSchema.optional(),
  /** Prefilled first message of wa.me links; must contain `{{payload}}` (the `ref_<code>` the bot recognises). */
  whatsapp_text: localizedSchema.optional(),
  /** Caption of the QR image. */
  qr_caption: localizedSchema.optional(),
  /** Query parameter that carries the visitor id to the landing page (for conversions by visitor_id); off when absent. */
  visitor_param: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,31}$/, 'a query parameter name like pv')
    .optional(),
  milestones: z.array(milestoneSchema).default([]),
});
export type CampaignDefinition = z.infer<typeof campaignSchema>;

export const couponPoolSchema = z.strictObject({
  description: z.string().optional(),
  /** Codes listed here are added at start-up; more can be loaded through the API. Each is handed out once. */
  codes: z.array(couponCodeSchema).default([]),
  /** Warn operators when fewer codes than this are left. */
  warn_below: z.number().int().min(0).default(5),
});
export type CouponPoolDefinition = z.infer<typeof couponPoolSchema>;

export const programSchema = z.strictObject({
  default_campaign: identifier,
  default_locale: z
    .string()
    .regex(/^[a-z]{2}$/)
    .default('de'),
  campaigns: z.record(identifier, campaignSchema).refine((c) => Object.keys(c).length > 0, {
    message: 'at least one campaign is needed',
  }),
  coupon_pools: z.record(poolName, couponPoolSchema).default({}),
  texts: z
    .strictObject({
      /** Answer of referral.stats: `{{clicks}}`, `{{joined}}`, `{{conversions}}`, `{{next}}`. */
      stats: localizedSchema.optional(),
      /** Appended to stats when a milestone is still ahead: `{{remaining}}`, `{{label}}`. */
      stats_next: localizedSchema.optional(),
      /** Appended to stats when every milestone is reached. */
      stats_done: localizedSchema.optional(),
      /** Sent when a milestone is reached but its coupon pool is empty: `{{friends}}`. */
      reward_pending: localizedSchema.optional(),
    })
    .default({}),
});
export type ReferralProgram = z.infer<typeof programSchema>;
