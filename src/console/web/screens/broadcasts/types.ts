/** What /console/api/marketing/broadcasts answers (see src/console/api/broadcast-routes.ts). */
export type Localized = string | Record<string, string>;

export interface ChannelInfo {
  channel: string;
  maxTextLength: number;
  maxButtons: number;
  maxButtonLabelLength: number;
  windowHours: number | null;
  formatting: 'plain' | 'whatsapp';
}

export interface TemplateInfo {
  name: string;
  category: string;
  languages: Array<{ language: string; body: string }>;
}

export interface Setup {
  defaultLocale: string;
  locales: string[];
  topics: Array<{ id: string; name: string; subscribers: number }>;
  templates: TemplateInfo[];
  channels: ChannelInfo[];
}

// The server's own types (type-only imports, erased from the bundle), so the screen cannot drift from the API.
import type { ChannelPreview as PlatformPreview, PreviewBubble } from '../../../../channels/preview.js';
import type { DeliveryCounts, RecipientPreview } from '../../../../features/newsletter/broadcasts.js';

export type { DeliveryCounts };
export type Audience = RecipientPreview;
export type Bubble = PreviewBubble;

/** A channel's preview with the text length against its limit. */
export interface ChannelPreview extends PlatformPreview {
  length: number;
  limit: number;
}

export interface RenderAnswer {
  previews: Record<string, Record<string, ChannelPreview>>;
  template: Record<string, { language: string; text: string } | null> | null;
}

export interface BroadcastContent {
  text: Localized;
  buttons?: Array<{ label: Localized; url: string }>;
  media?: { url: string; kind: 'image' };
  whatsappTemplate?: string;
}

export interface Broadcast {
  id: string;
  name: string;
  topic: string;
  status: 'draft' | 'scheduled' | 'running' | 'sent' | 'cancelled';
  source: string;
  content: BroadcastContent;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  cancelledAt: string | null;
  recipients: number;
  createdAt: string;
  statistics: {
    recipients: number;
    queued: number;
    held: number;
    sent: number;
    delivered: number;
    read: number;
    failed: number;
    cancelled: number;
  };
  funnel: {
    sent: number;
    delivered: number;
    read: number;
    replied: number;
    clicked: number;
    unsubscribed: number;
  };
}

/** Still changing (or about to): fetched again while on screen. A broadcast planned for later is not polled for hours. */
export function isLive(b: Broadcast, now = Date.now()): boolean {
  if (b.status === 'scheduled') return b.scheduledAt !== null && Date.parse(b.scheduledAt) <= now + 60_000;
  return b.status === 'running' || (b.status === 'sent' && b.statistics.queued > 0);
}
