/**
 * `faq.feedback`: the customer's answer to "did that help?" after an FAQ answer, for the dashboard's
 * yes/no figure. It only reports `yes` or `no` (the outcome log records it); nothing is sent.
 */
import { z } from 'zod';
import type { ActionDefinition } from '../../engine/actions.js';

const YES = new Set(['true', 'yes', 'ja', '1', 'y', 'j']);
const NO = new Set(['false', 'no', 'nein', '0', 'n']);

const feedbackArgs = z.strictObject({
  /** true/false, or the saved yes_no answer (`{{vars.faq_helpful}}`). */
  helpful: z.union([z.boolean(), z.string().trim().toLowerCase()]),
});

export function faqFeedbackAction(): ActionDefinition<z.infer<typeof feedbackArgs>> {
  return {
    name: 'faq.feedback',
    summary: 'Counts the answer to "did that help?" (helpful: true/false) for the results dashboard',
    args: feedbackArgs,
    outcomes: ['yes', 'no', 'unknown'],
    async run(args) {
      const value = typeof args.helpful === 'boolean' ? String(args.helpful) : args.helpful;
      if (YES.has(value)) return { outcome: 'yes' };
      if (NO.has(value)) return { outcome: 'no' };
      return { outcome: 'unknown' };
    },
  };
}
