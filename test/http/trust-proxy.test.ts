/** X-Forwarded-For decides the client address (per-IP limits, hashed click IPs) only behind a configured proxy. */
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logger.js';

async function clientIpSeen(trustProxy: false | number | string[] | undefined, forwardedFor: string) {
  const echo = Router();
  echo.get('/ip', (req, res) => {
    res.json({ ip: req.ip });
  });
  const app = createHttpApp({
    logger: silentLogger,
    apiTokens: [],
    webhookRoutes: [],
    apiRouters: [],
    publicRouters: [echo],
    openApi: [],
    readiness: [],
    isShuttingDown: () => false,
    version: 'test',
    ...(trustProxy !== undefined ? { trustProxy } : {}),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/ip`, { headers: { 'x-forwarded-for': forwardedFor } });
    return ((await res.json()) as { ip: string }).ip;
  } finally {
    server.close();
  }
}

describe('trust proxy', () => {
  it('ignores X-Forwarded-For by default: a client cannot pick its own address', async () => {
    expect(await clientIpSeen(undefined, '203.0.113.9')).toBe('127.0.0.1');
    expect(await clientIpSeen(false, '203.0.113.9')).toBe('127.0.0.1');
  });

  it('believes the configured proxies only', async () => {
    expect(await clientIpSeen(1, '203.0.113.9')).toBe('203.0.113.9');
    expect(await clientIpSeen(['loopback'], '198.51.100.1, 203.0.113.9')).toBe('203.0.113.9');
    expect(await clientIpSeen(['10.0.0.0/8'], '203.0.113.9')).toBe('127.0.0.1');
  });
});
