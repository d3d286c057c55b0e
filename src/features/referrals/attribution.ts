/**
 * Attribution: a contact arriving with `ref_<code>` (Telegram /start payload, m.me ref, or the wa.me prefilled
 * first message) is tied to the referrer once. New contacts count as `joined` and may reach a milestone;
 * contacts who had talked to the bot before are recorded as `existing` and do not count. Self-referrals are
 * refused. Join, counter and rewards commit in one transaction.
 */
import type { Kysely } from 'kysely';
import type { InboundInterceptor, TurnInput } from '../../engine/types.js';
import type { Logger } from '../../logger.js';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import { findCode, findCodeInText } from './codes.js';
import type { ReferralProgram } from './program-schema.js';
import { type GrantedReward, grantReachedMilestones } from './rewards.js';
import type { ReferralTables } from './tables.js';

export type AttributionOutcome = 'joined' | 'existing' | 'already' | 'self' | 'unknown_code';

export interface AttributionResult {
  outcome: AttributionOutcome;
  rewards: GrantedReward[];
}

export interface ReferredContact {
  id: string;
  channel: string;
  channelContactId: string;
  phone: string | null;
  createdAt: Date;
}

/** A contact created this long before the referral is not new, even if no earlier message was recorded. */
const NEW_CONTACT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** WhatsApp Web and Cloud share the wa_id digits: the same person on two channel names. */
function sameChannelUser(
  a: { channel: string; channelContactId: string; phone: string | null },
  b: typeof a,
): boolean {
  const family = (channel: string) =>
    channel.startsWith('whatsapp') ? 'whatsapp' : channel.startsWith('messenger') ? 'messenger' : channel;
  const digits = (value: string) => value.replace(/\D/g, '');
  if (
    family(a.channel) === family(b.channel) &&
    digits(a.channelContactId) !== '' &&
    digits(a.channelContactId) === digits(b.channelContactId)
  ) {
    return true;
  }
  if (a.channel === b.channel && a.channelContactId === b.channelContactId) return true;
  return Boolean(a.phone && b.phone && digits(a.phone) !== '' && digits(a.phone) === digits(b.phone));
}

/**
 * Whether the contact had talked to the bot before this message. The inbox records the current message before
 * the interceptors run, so one recorded inbound event or message is this one; two mean an earlier one.
 */
export async function hadTalkedBefore(
  db: Kysely<CoreTables>,
  contact: ReferredContact,
  now: Date,
): Promise<boolean> {
  if (now.getTime() - contact.createdAt.getTime() > NEW_CONTACT_MAX_AGE_MS) return true;
  // Through the contact's conversation: inbound_events and messages are indexed by conversation, not contact.
  const conversation = await db
    .selectFrom('conversations')
    .select('id')
    .where('contact_id', '=', contact.id)
    .executeTakeFirst();
  if (!conversation) return false;
  const events = await db
    .selectFrom('inbound_events')
    .select('id')
    .where('conversation_id', '=', conversation.id)
    .limit(2)
    .execute();
  if (events.length >= 2) return true;
  const messages = await db
    .selectFrom('messages')
    .select('id')
    .where('conversation_id', '=', conversation.id)
    .where('direction', '=', 'in')
    .limit(2)
    .execute();
  return messages.length >= 2;
}

export interface AttributeInput {
  referred: ReferredContact;
  code: string;
  via: 'start_payload' | 'text';
  now: Date;
}

export async function attributeReferral(
  store: Store,
  program: ReferralProgram,
  logger: Logger,
  input: AttributeInput,
): Promise<AttributionResult> {
  const db = store.db.withTables<ReferralTables>();
  const none = (outcome: AttributionOutcome): AttributionResult => ({ outcome, rewards: [] });
  const code = await findCode(db, input.code);
  if (!code) return none('unknown_code');
  if (code.contact_id === input.referred.id) return none('self');
  const referrer = await db
    .selectFrom('contacts')
    .select(['channel', 'channel_contact_id', 'phone'])
    .where('id', '=', code.contact_id)
    .executeTakeFirst();
  if (
    referrer &&
    sameChannelUser(
      { channel: referrer.channel, channelContactId: referrer.channel_contact_id, phone: referrer.phone },
      input.referred,
    )
  ) {
    return none('self');
  }
  const existing = await hadTalkedBefore(store.db, input.referred, input.now);

  return db.transaction().execute(async (trx) => {
    // The first statement writes, so SQLite takes its write lock up front instead of failing on upgrade.
    const inserted = await trx
      .insertInto('referral_attributions')
      .values({
        id: newId(input.now.getTime()),
        referred_contact_id: input.referred.id,
        code_id: code.id,
        campaign_id: code.campaign_id,
        referrer_contact_id: code.contact_id,
        referrer_channel: code.channel,
        referred_channel: input.referred.channel,
        status: existing ? 'existing' : 'joined',
        via: input.via,
        created_at: input.now.getTime(),
      })
      .onConflict((oc) => oc.column('referred_contact_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return none('already');
    if (existing) return none('existing');
    // The row lock this update takes on PostgreSQL orders concurrent joins of one referrer, so each sees the
    // count the one before it committed and no milestone is skipped.
    const counted = await trx
      .updateTable('referral_codes')
      .set((eb) => ({ joined_count: eb('joined_count', '+', 1) }))
      .where('id', '=', code.id)
      .returning('joined_count')
      .executeTakeFirstOrThrow();
    const rewards = await grantReachedMilestones(
      { trx, dialect: store.dialect, program, logger, now: input.now },
      code.contact_id,
      code.campaign_id,
      Number(counted.joined_count),
    );
    return { outcome: 'joined' as const, rewards };
  });
}

/** Where in a message the referral arrived, if anywhere. */
export function referralInMessage(
  event: TurnInput['event'],
): { code: string; via: 'start_payload' | 'text' } | null {
  if (event.kind !== 'message') return null;
  const fromPayload = findCodeInText(event.startPayload);
  if (fromPayload) return { code: fromPayload, via: 'start_payload' };
  const fromText = findCodeInText(event.text);
  return fromText ? { code: fromText, via: 'text' } : null;
}

/**
 * Sees every inbound message; attributes referral codes and always returns null so the flows still run (the
 * referral flow greets the friend through its `start_prefix: ref_` trigger). Never breaks a turn.
 */
export function createReferralInterceptor(
  store: Store,
  getProgram: () => ReferralProgram,
  logger: Logger,
  onAttributed?: (result: AttributionResult, input: AttributeInput) => void,
): InboundInterceptor {
  return {
    name: 'referrals.attribution',
    async intercept(turn: TurnInput) {
      const found = referralInMessage(turn.event);
      if (!found) return null;
      const input: AttributeInput = {
        referred: {
          id: turn.contact.id,
          channel: turn.channel,
          channelContactId: turn.contact.channelContactId,
          phone: turn.contact.phone,
          createdAt: turn.contact.createdAt,
        },
        code: found.code,
        via: found.via,
        now: turn.now,
      };
      try {
        const result = await attributeReferral(store, getProgram(), logger, input);
        logger.info(
          {
            conversationId: turn.conversationId,
            channel: turn.channel,
            outcome: result.outcome,
            rewards: result.rewards.length,
          },
          'referral code seen',
        );
        onAttributed?.(result, input);
      } catch (error) {
        logger.error(
          { err: error, conversationId: turn.conversationId, channel: turn.channel },
          'referral attribution failed',
        );
      }
      return null;
    },
  };
}
