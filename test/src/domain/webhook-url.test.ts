// Which webhook URLs and addresses are refused before anything is called.
import { describe, expect, it } from 'vitest';
import { blockedAddressReason, checkWebhookUrl } from '../../../src/domain/webhook-url';

describe('blockedAddressReason', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'private'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(blockedAddressReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '20.50.2.1', '2001:4860:4860::8888', '172.32.0.1'])(
    'allows the public %s',
    (address) => {
      expect(blockedAddressReason(address)).toBeUndefined();
    },
  );
});

describe('checkWebhookUrl', () => {
  const allowed = ['localhost', '127.0.0.1'];

  it('accepts https URLs, and http only for an allowed host', () => {
    expect(checkWebhookUrl('https://hooks.example.com/x?y=1', []).ok).toBe(true);
    expect(checkWebhookUrl('http://127.0.0.1:8080/h', allowed).ok).toBe(true);
    expect(checkWebhookUrl('http://hooks.example.com/x', allowed)).toMatchObject({ ok: false });
    expect(checkWebhookUrl('http://127.0.0.1:8080/h', [])).toMatchObject({ ok: false });
  });

  it.each([
    ['not a url', 'must be an absolute URL'],
    ['ftp://example.com/x', 'must be an https URL'],
    ['https://user:pass@example.com/', 'must not hold a user name or password'],
    ['https://10.0.0.1/', 'must not point at a private address'],
    ['https://[::1]/', 'must not point at a loopback address'],
    ['https://169.254.169.254/latest/meta-data', 'must not point at a metadata address'],
    ['https://0x7f000001/', 'must not point at a loopback address'],
    ['https://2130706433/', 'must not point at a loopback address'],
  ])('refuses %s', (url, message) => {
    expect(checkWebhookUrl(url, [])).toEqual({ ok: false, message });
  });
});
