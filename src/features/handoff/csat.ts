/**
 * CSAT after a conversation with a person: the survey row per handoff session, reading a rating out of what the
 * customer pressed or typed, and the interceptor that takes the answer (and the optional comment after it).
 * The question itself is sent by the console when an agent closes the chat or hands it back (console/api/csat.ts).
 */
import type { Kysely } from 'kysely';
import type { InboundInterceptor, TurnInput, TurnOutput } from '../../engine/types.js';
import type { OutboundButton } from '../../model/index.js';
import type { CoreTables } from '../../store/schema.js';
import { pickLocalized } from '../../text/localized.js';
import type { Feature } from '../types.js';
import type { CsatSettings } from './settings.js';
import { type CsatSurveysTable, withHandoffTables } from './tables.js';

export type CsatScale = CsatSettings['scale'];

/** Button payloads: `csat:<score>` and `csat:skip` (no comment). */
export const CSAT_PAYLOAD_PREFIX = 'csat:';
const THUMBS_UP = 5;
const THUMBS_DOWN = 1;

/** The rating buttons of a scale (thumbs carry the stored scores 5 / 1). */
export function ratingButtons(scale: CsatScale): OutboundButton[] {
  if (scale === 'thumbs')
    return [
      { label: '👍', payload: `${CSAT_PAYLOAD_PREFIX}${THUMBS_UP}` },
      { label: '👎', payload: `${CSAT_PAYLOAD_PREFIX}${THUMBS_DOWN}` },
    ];
  return [1, 2, 3, 4, 5].map((n) => ({ label: String(n), payload: `${CSAT_PAYLOAD_PREFIX}${n}` }));
}

export interface ParsedRating {
  score: number;
  /** Text after the rating ("4 – schnell und nett"), kept as the comment. */
  comment: string | null;
}

const UP = /^(?:👍(?:[\u{1F3FB}-\u{1F3FF}])?|\+|gut|super|ja|yes|good|great)$/iu;
const DOWN = /^(?:👎(?:[\u{1F3FB}-\u{1F3FF}])?|-|schlecht|nein|no|bad)$/iu;

/**
 * A rating in what the customer sent, or null when the message is something else. Conservative on purpose: a
 * digit counts only alone, with a star/"von 5" suffix, or before punctuation ("4 – top"), so "2 Pakete fehlen"
 * stays an ordinary message. Thumbs also take "1" / "2" (the numbered options on text-only channels).
 */
export function parseRating(
  event: { text?: string; buttonPayload?: string },
  scale: CsatScale,
): ParsedRating | null {
  const payload = event.buttonPayload;
  if (payload?.startsWith(CSAT_PAYLOAD_PREFIX)) {
    const score = Number(payload.slice(CSAT_PAYLOAD_PREFIX.length));
    return Number.isInteger(score) && score >= 1 && score <= 5 ? { score, comment: null } : null;
  }
  if (payload !== undefined) return null;
  const text = event.text?.trim().replace(/\s+/g, ' ') ?? '';
  if (!text || text.length > 1000) return null;
  if (scale === 'thumbs') {
    const head = /^(\S+)\s*(?:[-–—:,.!]\s*(.*))?$/su.exec(text);
    const word = head?.[1] ?? '';
    const rest = head?.[2]?.trim() || null;
    if (UP.test(word) || word === '1') return { score: THUMBS_UP, comment: rest };
    if (DOWN.test(word) || word === '2') return { score: THUMBS_DOWN, comment: rest };
    return null;
  }
  const stars = /^⭐{1,5}$/u.exec(text);
  if (stars) return { score: [...text].length, comment: null };
  const match = /^([1-5])\s*(?:\/\s*5|von 5|of 5|sterne?|stars?|⭐+)?\s*(?:$|[-–—:,.!)]\s*(.*)$)/isu.exec(
    text,
  );
  if (!match) return null;
  return { score: Number(match[1]), comment: match[2]?.trim() || null };
}

export type CsatSurveyRow = CsatSurveysTable;

/** The survey of this conversation still waiting for a rating or a comment at `now`, if any. */
export async function pendingSurvey(
  db: Kysely<CoreTables>,
  conversationId: string,
  now: Date,
): Promise<CsatSurveyRow | null> {
  const row = await withHandoffTables(db)
    .selectFrom('csat_surveys')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('asked_at', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  const t = now.getTime();
  const waitingForRating = row.answered_at === null && Number(row.expires_at) > t;
  const waitingForComment =
    row.answered_at !== null &&
    row.comment === null &&
    row.comment_until !== null &&
    Number(row.comment_until) > t;
  return waitingForRating || waitingForComment ? row : null;
}

/** Stores the rating; false when another message answered first. */
export async function recordRating(
  db: Kysely<CoreTables>,
  sessionId: string,
  rating: ParsedRating,
  commentMinutes: number,
  now: Date,
): Promise<boolean> {
  const t = now.getTime();
  const result = await withHandoffTables(db)
    .updateTable('csat_surveys')
    .set({
      score: rating.score,
      answered_at: t,
      comment: rating.comment,
      // A comment given with the rating ends the survey; otherwise the next message may be one.
      comment_until: rating.comment || commentMinutes <= 0 ? null : t + commentMinutes * 60_000,
    })
    .where('session_id', '=', sessionId)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordComment(
  db: Kysely<CoreTables>,
  sessionId: string,
  comment: string | null,
): Promise<boolean> {
  const result = await withHandoffTables(db)
    .updateTable('csat_surveys')
    .set({ comment: comment === null ? null : comment.slice(0, 2000), comment_until: null })
    .where('session_id', '=', sessionId)
    .where('comment', 'is', null)
    .where('comment_until', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

function reply(input: TurnInput, text: string, trace: string, buttons?: OutboundButton[]): TurnOutput {
  return {
    state: input.state,
    messages: [{ text, ...(buttons ? { buttons } : {}) }],
    effects: [],
    trace: [trace],
  };
}

/**
 * The interceptor that takes ratings and comments. It runs after every other feature's interceptor (unsubscribe,
 * data commands and "I want a person" still win), and never while a person owns the conversation again.
 */
export function createCsatInterceptor(
  db: Kysely<CoreTables>,
  settings: () => CsatSettings | null,
): InboundInterceptor {
  return {
    name: 'csat-answers',
    async intercept(input: TurnInput): Promise<TurnOutput | null> {
      const csat = settings();
      if (!csat || input.event.kind !== 'message') return null;
      const survey = await pendingSurvey(db, input.conversationId, input.now);
      if (!survey) return null;
      const conversation = await db
        .selectFrom('conversations')
        .select('status')
        .where('id', '=', input.conversationId)
        .executeTakeFirst();
      if (conversation?.status === 'queued' || conversation?.status === 'agent') return null;
      const locale = input.contact.locale;
      const scale = survey.scale === 'thumbs' ? 'thumbs' : 'five';
      if (survey.answered_at === null) {
        const rating = parseRating(input.event, scale);
        if (!rating) return null;
        if (!(await recordRating(db, survey.session_id, rating, csat.comment_minutes, input.now)))
          return null;
        const asksComment = !rating.comment && csat.comment_minutes > 0;
        return reply(
          input,
          pickLocalized(asksComment ? csat.texts.thanks : csat.texts.comment_thanks, locale),
          'csat.rated',
          asksComment
            ? [{ label: pickLocalized(csat.texts.no_comment, locale), payload: `${CSAT_PAYLOAD_PREFIX}skip` }]
            : undefined,
        );
      }
      // Waiting for the comment: "no, thanks" ends it; a pressed rating button again is ignored quietly.
      if (input.event.buttonPayload === `${CSAT_PAYLOAD_PREFIX}skip`) {
        await recordComment(db, survey.session_id, null);
        return { state: input.state, messages: [], effects: [], trace: ['csat.no_comment'] };
      }
      if (input.event.buttonPayload?.startsWith(CSAT_PAYLOAD_PREFIX))
        return { state: input.state, messages: [], effects: [], trace: ['csat.already_rated'] };
      const text = input.event.text?.trim();
      if (!text || input.event.buttonPayload !== undefined) return null;
      if (!(await recordComment(db, survey.session_id, text))) return null;
      return reply(input, pickLocalized(csat.texts.comment_thanks, locale), 'csat.commented');
    },
  };
}

/**
 * A feature of its own only so that its interceptor comes last (features' interceptors run in build order);
 * the settings are the handoff feature's.
 */
export function createCsatFeature(db: Kysely<CoreTables>, settings: () => CsatSettings | null): Feature {
  return { name: 'csat', interceptors: [createCsatInterceptor(db, settings)] };
}
