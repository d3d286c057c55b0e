/**
 * The web chat's wire format between widget and server: the POST body (validated with zod) and the events
 * the SSE stream carries. Session and message ids are made by the widget.
 */
import { z } from 'zod';
import type { MediaKind } from '../../model/index.js';

/** 16–64 URL-safe characters: the widget makes 24 random ones. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const START_PAYLOAD_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const WEBCHAT_MAX_INBOUND_TEXT = 4000;

export const webchatPostSchema = z
  .strictObject({
    sessionId: z
      .string()
      .regex(SESSION_ID_PATTERN, 'sessionId must be 16-64 characters of A-Z, a-z, 0-9, _ and -'),
    /** Client-made id (a UUID): a retried POST carries the same one and is recorded once. */
    messageId: z
      .string()
      .regex(MESSAGE_ID_PATTERN, 'messageId must be 8-64 characters of A-Z, a-z, 0-9, _ and -'),
    text: z.string().trim().min(1, 'text must not be empty').max(WEBCHAT_MAX_INBOUND_TEXT).optional(),
    payload: z.string().min(1).max(256).optional(),
    /** The visitor opened the chat (first time in this session). */
    start: z.boolean().optional(),
    startPayload: z
      .string()
      .regex(START_PAYLOAD_PATTERN, 'startPayload must be 1-64 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
    /** `navigator.language`, e.g. `de-DE`. */
    locale: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'locale must be a language tag')
      .optional(),
  })
  .refine((body) => body.text !== undefined || body.payload !== undefined || body.start === true, {
    message: 'send text, a button payload or start: true',
  });

export type WebchatPost = z.infer<typeof webchatPostSchema>;

export interface WebchatButton {
  label: string;
  payload?: string;
  url?: string;
}

/** What one SSE `message` event carries. */
export interface WebchatEventPayload {
  type: 'message';
  text?: string;
  buttons?: WebchatButton[];
  media?: { kind: MediaKind; url: string; caption?: string; fileName?: string };
  link?: { url: string; label?: string };
  /** Who speaks: a person of the team (shown with name and initial) or the bot. Absent: the bot. */
  from?: { role: 'agent' | 'bot'; name: string };
  at: number;
}
