/**
 * FAQ outcomes counted in this process for /metrics: how many questions were answered, asked back about
 * (clarified) or declined, answers shown from a pressed button, and "did that help?" replies, by channel.
 * Counters per process, as Prometheus expects (it sums the instances); the dashboard's figures come from the
 * stored outcome log instead.
 */
import type { OutcomeLog } from '../insights/outcome-log.js';

/** faq.answer's own outcome names read oddly on a dashboard; these are the metric's label values. */
const LABELS: Record<string, Record<string, string>> = {
  'faq.answer': { answered: 'answered', clarify: 'clarified', unknown: 'declined' },
  'faq.show': { answered: 'answered', unknown: 'unknown' },
  'faq.feedback': { yes: 'helpful', no: 'not helpful', unknown: 'unknown' },
};

export interface FaqOutcomeCount {
  action: string;
  outcome: string;
  channel: string;
  count: number;
}

const counts = new Map<string, FaqOutcomeCount>();

export function countFaqOutcome(action: string, outcome: string, channel: string): void {
  const label = LABELS[action]?.[outcome] ?? outcome;
  const key = `${action}\u0000${label}\u0000${channel}`;
  const entry = counts.get(key) ?? { action, outcome: label, channel, count: 0 };
  entry.count += 1;
  counts.set(key, entry);
}

export function faqOutcomeCounts(): readonly FaqOutcomeCount[] {
  return [...counts.values()];
}

/** The same outcome log, counting each outcome before it is stored. */
export function countingOutcomeLog(log: OutcomeLog): OutcomeLog {
  return {
    record(action, outcome, channel, at) {
      countFaqOutcome(action, outcome, channel);
      return log.record(action, outcome, channel, at);
    },
  };
}
