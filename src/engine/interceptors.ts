/**
 * Runs the inbound interceptors (unsubscribe words, "I want a person", referral codes) in order before the
 * engine; the first that returns a result ends the turn, otherwise the engine runs.
 */
import { silentLogger } from '../logger.js';
import { runTurn } from './run-turn.js';
import type { InboundInterceptor, TurnInput, TurnOutput } from './types.js';

export async function runInterceptorsThenTurn(
  interceptors: readonly InboundInterceptor[],
  input: TurnInput,
): Promise<TurnOutput> {
  const logger = input.logger ?? silentLogger;
  for (const interceptor of interceptors) {
    let result: TurnOutput | null;
    try {
      result = await interceptor.intercept(input);
    } catch (error) {
      // One broken interceptor must not swallow the message: log it and let the rest (and the flows) answer.
      logger.error(
        { err: error, interceptor: interceptor.name, conversationId: input.conversationId },
        'interceptor failed; continuing without it',
      );
      continue;
    }
    if (result) return { ...result, trace: [`interceptor:${interceptor.name}`, ...result.trace] };
  }
  return runTurn(input);
}
