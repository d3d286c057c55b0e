/**
 * Channel status for supervisors: each enabled channel's health and, for WhatsApp Web, the QR code to link
 * the phone (Settings → Channels in the console). The QR code is a login secret, so agents do not see it.
 */
import { Router } from 'express';
import type { ChannelAdapter } from '../../channels/types.js';
import type { ChannelName } from '../../model/index.js';
import { requireRole } from '../auth/middleware.js';

/** Adapters that can show a login QR code (WhatsApp Web). */
interface QrCodeSource {
  currentQrCode(): string | null;
}

function hasQrCode(adapter: ChannelAdapter): adapter is ChannelAdapter & QrCodeSource {
  return typeof (adapter as Partial<QrCodeSource>).currentQrCode === 'function';
}

export function channelRoutes(adapters: ReadonlyMap<ChannelName, ChannelAdapter>): Router {
  const router = Router();
  router.get('/channels', requireRole('supervisor'), (_req, res) => {
    const items = [...adapters.values()]
      .filter((adapter) => adapter.name !== 'cli')
      .map((adapter) => {
        const health = adapter.health();
        return {
          name: adapter.name,
          state: health.state,
          detail: health.detail ?? null,
          qrCode: hasQrCode(adapter) ? adapter.currentQrCode() : null,
        };
      });
    res.set('Cache-Control', 'no-store').json({ items });
  });
  return router;
}
