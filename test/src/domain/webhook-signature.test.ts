// Our signatures, checked by an implementation of the Standard Webhooks specification that is not ours.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newSigningSecret, signedHeaders } from '../../../src/domain/webhook-signature';

const body = JSON.stringify({
  type: 'report.completed',
  id: 'evt_1',
  timestamp: '2026-01-01T00:00:00Z',
  data: {},
});

describe('signedHeaders', () => {
  it('signs so that standardwebhooks verifies the message with the secret', () => {
    const secret = newSigningSecret();
    const headers = signedHeaders([secret], 'evt_1', new Date(), body);
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('is refused for another secret, another body, another id or an old timestamp', () => {
    const secret = newSigningSecret();
    const headers = signedHeaders([secret], 'evt_1', new Date(), body);
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('evt_1', 'evt_2'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'evt_2' })).toThrow();
    const old = signedHeaders([secret], 'evt_1', new Date(Date.now() - 3_600_000), body);
    expect(() => new Webhook(secret).verify(body, old)).toThrow();
  });

  it('signs with every secret during a rotation, so either verifies', () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    const headers = signedHeaders([current, previous], 'evt_1', new Date(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
  });

  it('makes a new 32-byte secret each time', () => {
    const secret = newSigningSecret();
    expect(Buffer.from(secret.replace('whsec_', ''), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(secret);
  });
});
