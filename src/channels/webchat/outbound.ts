/** Renders an `OutboundMessage` as web chat events: long texts split, buttons as chips on the last part. */
import type { OutboundMessage } from '../../model/index.js';
import { splitText, truncateLabel } from '../render/index.js';
import { SendError } from '../types.js';
import type { WebchatEventPayload } from './protocol.js';

export const WEBCHAT_TEXT_LIMIT = 4000;
export const WEBCHAT_MAX_BUTTONS = 10;
export const WEBCHAT_LABEL_LIMIT = 40;

export function renderWebchatEvents(message: OutboundMessage, at: number): WebchatEventPayload[] {
  const parts = message.text ? splitText(message.text, WEBCHAT_TEXT_LIMIT) : [];
  const buttons = (message.buttons ?? []).slice(0, WEBCHAT_MAX_BUTTONS).map((b) => ({
    label: truncateLabel(b.label, WEBCHAT_LABEL_LIMIT),
    ...(b.payload !== undefined ? { payload: b.payload } : {}),
    ...(b.url !== undefined ? { url: b.url } : {}),
  }));
  const from = message.sender ? { from: { role: message.sender.role, name: message.sender.name } } : {};
  const events: WebchatEventPayload[] = parts.map((text) => ({ type: 'message', text, at, ...from }));
  if (events.length === 0) {
    if (!message.media && !message.link && buttons.length === 0) {
      throw new SendError('nothing to send: the message has no text, media, buttons or link', 'permanent');
    }
    events.push({ type: 'message', at, ...from });
  }
  const last = events[events.length - 1]!;
  if (message.media) {
    last.media = {
      kind: message.media.kind,
      url: message.media.ref,
      ...(message.media.caption ? { caption: message.media.caption } : {}),
      ...(message.media.fileName ? { fileName: message.media.fileName } : {}),
    };
  }
  if (message.link) last.link = message.link;
  if (buttons.length > 0) last.buttons = buttons;
  return events;
}
