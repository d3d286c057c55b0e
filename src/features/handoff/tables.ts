/** Table types of the handoff feature and the console (migration 0700). */
import type { Kysely } from 'kysely';
import type { CoreTables } from '../../store/schema.js';

export interface HandoffSessionsTable {
  id: string;
  conversation_id: string;
  contact_id: string;
  channel: string;
  reason: string;
  team: string | null;
  /** open | returned | closed */
  state: string;
  agent_id: string | null;
  queued_at: number;
  assigned_at: number | null;
  first_response_at: number | null;
  closed_at: number | null;
  after_hours: number;
  waiting_notice_sent: number;
}

export interface ConsoleUsersTable {
  id: string;
  email: string;
  display_name: string;
  role: string;
  team: string | null;
  password_hash: string;
  disabled: number;
  locale: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConsoleSessionsTable {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface ConsoleLoginAttemptsTable {
  id: string;
  subject: string;
  created_at: number;
}

export interface ConsoleCannedRepliesTable {
  id: string;
  shortcut: string;
  locale: string;
  text: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/** Migration 1250: one rating question per handoff session. */
export interface CsatSurveysTable {
  session_id: string;
  conversation_id: string;
  contact_id: string;
  channel: string;
  agent_id: string | null;
  team: string | null;
  scale: string;
  asked_at: number;
  expires_at: number;
  score: number | null;
  answered_at: number | null;
  comment: string | null;
  comment_until: number | null;
}

/** Migration 1251: away/available and the round-robin turn. */
export interface AgentPresenceTable {
  user_id: string;
  status: string;
  updated_at: number;
  last_assigned_at: number | null;
}

/** Migration 1252: shipped canned replies already seeded once. */
export interface CannedReplySeedsTable {
  shortcut: string;
  locale: string;
  seeded_at: number;
}

export type HandoffTables = {
  canned_reply_seeds: CannedReplySeedsTable;
  csat_surveys: CsatSurveysTable;
  agent_presence: AgentPresenceTable;
  handoff_sessions: HandoffSessionsTable;
  console_users: ConsoleUsersTable;
  console_sessions: ConsoleSessionsTable;
  console_login_attempts: ConsoleLoginAttemptsTable;
  console_canned_replies: ConsoleCannedRepliesTable;
};

export type HandoffDb = Kysely<CoreTables & HandoffTables>;

export function withHandoffTables(db: Kysely<CoreTables>): HandoffDb {
  return db.withTables<HandoffTables>();
}
