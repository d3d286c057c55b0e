/** Table types of the referral programme: codes, clicks, attributions, rewards, coupons, conversions. */

export type ReferralCodesTable = {
  id: string;
  /** The short code in the web link; the start payload is `ref_<code>`. */
  code: string;
  contact_id: string;
  campaign_id: string;
  /** Channel of the contact who owns the code, kept for reports grouped by channel. */
  channel: string;
  /** New contacts attributed to this code; bumped inside the attribution transaction (row lock on PostgreSQL). */
  joined_count: number;
  created_at: number;
};

export type ReferralClicksTable = {
  id: string;
  code_id: string;
  campaign_id: string;
  referrer_contact_id: string;
  referrer_channel: string;
  /** First-party cookie id of the browser; null for bots. */
  visitor_id: string | null;
  /** HMAC of the IP address with REFERRAL_IP_SALT; never the raw address. */
  visitor_hash: string;
  /** UTC day (yyyy-mm-dd) the click happened on, for once-per-day counting. */
  day: string;
  country: string | null;
  /** ISO 3166-2 subdivision (e.g. DE-BY) from GEO_REGION_HEADER; null when the proxy does not say. */
  region: string | null;
  referer: string | null;
  /** bot | mobile | tablet | desktop | unknown */
  agent_class: string;
  is_bot: number;
  /** 1 for the first human click of this visitor on this code this day. */
  is_unique: number;
  created_at: number;
};

/** One row per (code, visitor hash, day): the insert that wins makes the click unique. */
export type ReferralClickDaysTable = {
  code_id: string;
  visitor_hash: string;
  day: string;
  created_at: number;
};

export type ReferralAttributionsTable = {
  id: string;
  /** Unique: a contact is attributed to at most one referrer, once. */
  referred_contact_id: string;
  code_id: string;
  campaign_id: string;
  referrer_contact_id: string;
  referrer_channel: string;
  referred_channel: string;
  /** joined (new contact, counts for milestones) | existing (had talked to the bot before) */
  status: string;
  /** start_payload | text */
  via: string;
  created_at: number;
};

export type ReferralRewardsTable = {
  id: string;
  referrer_contact_id: string;
  campaign_id: string;
  milestone_id: string;
  friends: number;
  coupon_pool: string | null;
  coupon_code: string | null;
  /** sent (message queued) | pending (pool was empty; an operator must add codes) */
  status: string;
  outbox_id: string | null;
  created_at: number;
  fulfilled_at: number | null;
};

export type ReferralCouponsTable = {
  id: string;
  pool: string;
  code: string;
  /** The reward this code was handed out for; null = still available. */
  reward_id: string | null;
  assigned_at: number | null;
  created_at: number;
};

export type ReferralConversionsTable = {
  id: string;
  order_id: string;
  code_id: string | null;
  campaign_id: string | null;
  referrer_contact_id: string | null;
  referrer_channel: string | null;
  visitor_id: string | null;
  contact_id: string | null;
  country: string | null;
  /** Copied from the visitor's click, like the country. */
  region: string | null;
  /** Order value in minor units (cents), so sums are exact. */
  value_minor: number | null;
  currency: string | null;
  /** sha256 of the normalized request, to tell a retry from a conflicting duplicate. */
  request_hash: string;
  /** api | webhook */
  source: string;
  created_at: number;
};

export type ReferralTables = {
  referral_codes: ReferralCodesTable;
  referral_clicks: ReferralClicksTable;
  referral_click_days: ReferralClickDaysTable;
  referral_attributions: ReferralAttributionsTable;
  referral_rewards: ReferralRewardsTable;
  referral_coupons: ReferralCouponsTable;
  referral_conversions: ReferralConversionsTable;
};
