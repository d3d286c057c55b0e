/**
 * One log line per HTTP request when its response is finished (or the client went away): method, route
 * pattern, status, duration and the request id. The route pattern, never the URL: query strings carry verify
 * tokens and paths carry referral codes and conversation ids. Probes (/healthz, /readyz, /metrics) log at
 * debug, since a load balancer asks every few seconds.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';
import { routeOf } from './metrics.js';
import { requestIdFrom, withRequestId } from './request-context.js';

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

export const REQUEST_ID_HEADER = 'x-request-id';

export function accessLog(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const started = process.hrtime.bigint();
    res.setHeader('X-Request-Id', requestId);
    res.locals.requestId = requestId;
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        requestId,
        method: req.method,
        route: routeOf(req, res),
        status: res.writableFinished ? res.statusCode : 499,
        ms: Math.round(ms * 10) / 10,
      };
      const level = PROBES.has(req.path) ? 'debug' : res.statusCode >= 500 ? 'warn' : 'info';
      logger[level](line, 'request');
    };
    res.on('finish', done);
    res.on('close', done);
    withRequestId(requestId, next);
  };
}

/** The current request's id for an error body (`{ error, requestId }`), so a customer report can be traced. */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}
