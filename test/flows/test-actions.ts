/** A small action registry for flow tests: a few fake actions with real argument schemas and outcomes. */
import { z } from 'zod';
import { ActionRegistry } from '../../src/engine/actions.js';

const noop = async () => ({});

export function createTestActions(): ActionRegistry {
  return new ActionRegistry()
    .register({
      name: 'newsletter.request',
      summary: 'asks for double opt-in consent',
      args: z.strictObject({ topic: z.string().min(1) }),
      outcomes: ['pending', 'already', 'unknown_topic'],
      run: noop,
    })
    .register({
      name: 'newsletter.confirm',
      summary: 'confirms consent',
      args: z.strictObject({ topic: z.string().min(1) }),
      outcomes: ['confirmed', 'not_pending'],
      run: noop,
    })
    .register({
      name: 'faq.answer',
      summary: 'answers from the knowledge base',
      args: z.strictObject({
        tags: z.array(z.string()).optional(),
        threshold: z.number().min(0).max(1).optional(),
      }),
      outcomes: ['answered', 'clarify', 'unknown'],
      run: noop,
    })
    .register({
      name: 'handoff',
      summary: 'hands the conversation to a person',
      args: z.strictObject({ reason: z.string().optional(), team: z.string().optional() }),
      outcomes: ['queued', 'after_hours'],
      run: noop,
    })
    .register({
      name: 'events.list',
      summary: 'lists upcoming events',
      args: z.strictObject({
        topic: z.string().optional(),
        limit: z.number().int().min(1).max(10).optional(),
        detail: z.string().optional(),
      }),
      outcomes: ['listed', 'none'],
      run: noop,
    })
    .register({
      name: 'events.show',
      summary: 'shows one event',
      args: z.strictObject({ event: z.string() }),
      outcomes: ['shown', 'not_found'],
      run: noop,
    })
    .register({
      name: 'events.remind',
      summary: 'schedules a reminder',
      args: z.strictObject({ event: z.string() }),
      outcomes: ['scheduled', 'already', 'past', 'not_found'],
      run: noop,
    });
}
