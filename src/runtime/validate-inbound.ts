/** Checks an adapter's InboundMessage at the runtime's door, so a broken adapter gets a clear error, not a bad row. */
import { z } from 'zod';
import { CHANNEL_NAMES, type InboundMessage } from '../model/index.js';

export class InboundRejectedError extends Error {
  constructor(readonly problems: string[]) {
    super(`inbound message rejected: ${problems.join('; ')}`);
    this.name = 'InboundRejectedError';
  }
}

const inboundSchema = z.object({
  channel: z.enum(CHANNEL_NAMES),
  nativeId: z.string().trim().min(1, 'nativeId is empty').max(512),
  contactNativeId: z.string().trim().min(1, 'contactNativeId is empty').max(512),
  receivedAt: z.date().refine((d) => !Number.isNaN(d.getTime()), 'receivedAt is not a valid date'),
  text: z.string().max(100_000).optional(),
  buttonPayload: z.string().max(4096).optional(),
  startPayload: z.string().max(4096).optional(),
  isStart: z.boolean().optional(),
});

export function validateInbound(message: InboundMessage): void {
  const parsed = inboundSchema.safeParse(message);
  if (!parsed.success) {
    throw new InboundRejectedError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`),
    );
  }
}
