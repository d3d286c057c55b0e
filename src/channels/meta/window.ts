/** The 24-hour customer-service window both Meta channels share, judged from the contact's last message. */
import type { Contact } from '../../model/index.js';

export const META_WINDOW_HOURS = 24;

/** True while free-form messages may be sent: the contact wrote within the last 24 hours. */
export function isWithinCustomerServiceWindow(
  contact: Contact,
  now: Date,
  hours = META_WINDOW_HOURS,
): boolean {
  if (!contact.lastInboundAt) return false;
  return now.getTime() - contact.lastInboundAt.getTime() < hours * 3_600_000;
}
