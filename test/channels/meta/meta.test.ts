import { describe, expect, it } from 'vitest';
import { GraphApiClient, GraphApiError, parseRetryAfter } from '../../../src/channels/meta/graph-client.js';
import { signMetaPayload, verifyMetaSignature } from '../../../src/channels/meta/signature.js';
import { answerVerifyHandshake } from '../../../src/channels/meta/verify-handshake.js';
import { FakeGraphApi } from '../../fakes/graph-api.js';

describe('verifyMetaSignature', () => {
  const secret = 'app-secret';
  const body = Buffer.from('{"object":"page","entry":[]}');

  it('accepts the HMAC of the raw bytes and rejects anything else', () => {
    expect(verifyMetaSignature(body, signMetaPayload(body, secret), secret)).toBe('valid');
    expect(verifyMetaSignature(body, signMetaPayload(body, 'other'), secret)).toBe('invalid');
    expect(verifyMetaSignature(Buffer.from(`${body} `), signMetaPayload(body, secret), secret)).toBe(
      'invalid',
    );
    expect(verifyMetaSignature(body, undefined, secret)).toBe('missing');
    expect(verifyMetaSignature(body, 'sha1=abc', secret)).toBe('invalid');
    expect(verifyMetaSignature(body, 'sha256=zz', secret)).toBe('invalid');
  });
});

describe('answerVerifyHandshake', () => {
  it('echoes the challenge only for subscribe with the right token', () => {
    const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1158201444' };
    expect(answerVerifyHandshake(query, 'tok')).toEqual({ status: 200, challenge: '1158201444' });
    expect(answerVerifyHandshake({ ...query, 'hub.verify_token': 'nope' }, 'tok').status).toBe(403);
    expect(answerVerifyHandshake({ ...query, 'hub.mode': 'unsubscribe' }, 'tok').status).toBe(403);
    expect(answerVerifyHandshake({}, 'tok').status).toBe(403);
  });
});

describe('GraphApiClient', () => {
  it('keeps code, subcode and Retry-After of a Graph error', async () => {
    const fake = await FakeGraphApi.start();
    try {
      const client = new GraphApiClient({
        root: fake.root,
        version: 'v21.0',
        accessToken: 'page-test-token',
        tokenPlacement: 'query',
        appSecret: 's',
      });
      fake.failNext({ status: 400, code: 10, subcode: 2018278, retryAfter: '7' });
      const error = await client.post('/me/messages', { recipient: { id: '1' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphApiError);
      expect(error).toMatchObject({ status: 400, code: 10, subcode: 2018278, retryAfterMs: 7000 });
      expect(fake.calls[0]?.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await fake.close();
    }
  });

  it('reports an unreachable server as a GraphApiError without status', async () => {
    const client = new GraphApiClient({
      root: 'http://127.0.0.1:1',
      version: 'v21.0',
      accessToken: 't',
      tokenPlacement: 'bearer',
    });
    const error = await client.post('/x/messages', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GraphApiError', status: null });
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});
