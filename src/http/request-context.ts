/**
 * Request ids: every HTTP request gets one (an incoming X-Request-Id is kept only when it looks like an id),
 * it is echoed in the X-Request-Id response header and in error bodies, and every log line written while the
 * request is handled carries it (the logger's mixin reads it from here). The inbound event a webhook records
 * keeps it, so the turn it causes and the outbox rows that turn writes log the same id hours later.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Letters, digits and `._:-`, 8–128 characters: what proxies and load balancers generate; nothing to inject. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The caller's id when it is sane (a single header value matching SANE_REQUEST_ID), else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? undefined : header?.trim();
  return value && SANE_REQUEST_ID.test(value) ? value : newRequestId();
}

export function newRequestId(): string {
  return randomUUID();
}

/** The id of the request (or the turn/send it caused) this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs `fn` with `requestId` as the current id (null/undefined: runs it outside any request). */
export function withRequestId<T>(requestId: string | null | undefined, fn: () => T): T {
  return requestId ? storage.run({ requestId }, fn) : storage.exit(fn);
}
