/** Table types of the web chat channel (migration 0100-webchat). */

export type WebchatEventsTable = {
  id: string;
  session_id: string;
  /** Per-session sequence number; the SSE event id. */
  seq: number;
  /** JSON WebchatEventPayload. */
  payload: string;
  created_at: number;
};

export type WebchatTables = {
  webchat_events: WebchatEventsTable;
};
