import { describe, expect, it } from 'vitest';
import {
  AddressNotAllowedError,
  nonPublicRange,
  resolveAllowedAddresses,
} from '../../src/features/crm/address-guard.js';

/** Each row: a URL as a user could configure or forge it, and whether the guard must refuse it. */
const FORMS: Array<{ url: string; blocked: boolean; note: string }> = [
  { url: 'http://127.0.0.1/', blocked: true, note: 'loopback' },
  { url: 'http://0.0.0.0/', blocked: true, note: 'unspecified' },
  { url: 'http://10.1.2.3/', blocked: true, note: 'private 10/8' },
  { url: 'http://172.16.0.1/', blocked: true, note: 'private 172.16/12' },
  { url: 'http://192.168.1.1/', blocked: true, note: 'private 192.168/16' },
  { url: 'http://169.254.169.254/latest/meta-data/', blocked: true, note: 'link-local metadata' },
  { url: 'http://100.64.0.1/', blocked: true, note: 'CGNAT 100.64/10' },
  { url: 'http://224.0.0.1/', blocked: true, note: 'multicast' },
  { url: 'http://240.0.0.1/', blocked: true, note: 'reserved 240/4' },
  { url: 'http://255.255.255.255/', blocked: true, note: 'broadcast' },
  { url: 'http://[::1]/', blocked: true, note: 'IPv6 loopback' },
  { url: 'http://[::]/', blocked: true, note: 'IPv6 unspecified' },
  { url: 'http://[::ffff:127.0.0.1]/', blocked: true, note: 'IPv4-mapped loopback' },
  { url: 'http://[::127.0.0.1]/', blocked: true, note: 'IPv4-compatible loopback' },
  { url: 'http://[::8.8.8.8]/', blocked: true, note: 'IPv4-compatible (deprecated) public' },
  { url: 'http://[64:ff9b::10.0.0.1]/', blocked: true, note: 'NAT64 with private v4' },
  { url: 'http://[2002:7f00:1::]/', blocked: true, note: '6to4 embedding 127.0.0.1' },
  { url: 'http://[2002:c0a8:101::1]/', blocked: true, note: '6to4 embedding 192.168.1.1' },
  { url: 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', blocked: true, note: 'Teredo' },
  { url: 'http://[fc00::1]/', blocked: true, note: 'ULA fc00::/7' },
  { url: 'http://[fd12:3456::1]/', blocked: true, note: 'ULA fd00::/8' },
  { url: 'http://[fe80::1]/', blocked: true, note: 'link-local fe80::/10' },
  { url: 'http://[ff02::1]/', blocked: true, note: 'IPv6 multicast' },
  { url: 'http://[2001:db8::1]/', blocked: true, note: 'IPv6 documentation' },
  { url: 'http://2130706433/', blocked: true, note: 'decimal 127.0.0.1' },
  { url: 'http://0177.0.0.1/', blocked: true, note: 'octal 127.0.0.1' },
  { url: 'http://0x7f.1/', blocked: true, note: 'hex short 127.0.0.1' },
  { url: 'http://127.1/', blocked: true, note: 'short form 127.1' },
  { url: 'http://127.0.0.1./', blocked: true, note: 'trailing dot literal' },
  { url: 'http://localhost./', blocked: true, note: 'trailing-dot name resolving to loopback' },
  { url: 'http://internal.example/', blocked: true, note: 'name resolving to a private address' },
  { url: 'http://mixed.example/', blocked: true, note: 'name with one public and one private address' },
  { url: 'http://rebind.example/', blocked: true, note: 'name resolving to IPv4-compatible IPv6' },
  { url: 'http://8.8.8.8/', blocked: false, note: 'public IPv4' },
  { url: 'http://[2606:4700:4700::1111]/', blocked: false, note: 'public IPv6' },
  { url: 'http://[::ffff:8.8.8.8]/', blocked: false, note: 'IPv4-mapped public' },
  { url: 'http://[64:ff9b::8.8.8.8]/', blocked: false, note: 'NAT64 with public v4' },
  { url: 'http://[2002:808:808::1]/', blocked: false, note: '6to4 embedding public v4' },
  { url: 'http://crm.example/', blocked: false, note: 'name resolving to public addresses only' },
];

const DNS: Record<string, Array<{ address: string; family: number }>> = {
  localhost: [{ address: '127.0.0.1', family: 4 }],
  'internal.example': [{ address: '10.0.0.7', family: 4 }],
  'mixed.example': [
    { address: '93.184.216.34', family: 4 },
    { address: '192.168.0.10', family: 4 },
  ],
  'rebind.example': [{ address: '::7f00:1', family: 6 }],
  'crm.example': [
    { address: '93.184.216.34', family: 4 },
    { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
  ],
};
const fakeLookup = async (hostname: string) => {
  const answer = DNS[hostname];
  if (!answer) throw new Error(`unexpected lookup of ${hostname}`);
  return answer;
};

describe('outbound address guard', () => {
  it('covers at least 22 address forms', () => {
    expect(FORMS.length).toBeGreaterThanOrEqual(22);
  });

  it.each(FORMS)('$url ($note) blocked=$blocked', async ({ url, blocked }) => {
    const check = resolveAllowedAddresses(new URL(url).hostname, false, fakeLookup);
    if (blocked) await expect(check).rejects.toBeInstanceOf(AddressNotAllowedError);
    else await expect(check).resolves.not.toHaveLength(0);
  });

  it('refuses the IPv4-compatible form [::127.0.0.1] (passed before the fix)', async () => {
    expect(nonPublicRange('::7f00:1')).not.toBeNull();
    await expect(resolveAllowedAddresses('[::127.0.0.1]', false, fakeLookup)).rejects.toThrow(
      /refusing to connect/,
    );
  });

  it('treats raw numeric host spellings as addresses, not names', async () => {
    for (const host of ['2130706433', '0177.0.0.1', '0x7f.1', '127.1', '127.0.0.1.']) {
      await expect(resolveAllowedAddresses(host, false, fakeLookup)).rejects.toBeInstanceOf(
        AddressNotAllowedError,
      );
    }
  });

  it('lets everything through only when private addresses are explicitly allowed', async () => {
    await expect(resolveAllowedAddresses('[::127.0.0.1]', true, fakeLookup)).resolves.toHaveLength(1);
  });
});
