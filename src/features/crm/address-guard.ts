/**
 * SSRF guard for outgoing webhooks: resolves the host to every address it has and refuses private, loopback,
 * link-local, CGNAT, multicast, unique-local and other non-public ranges, unless explicitly allowed. The
 * request then connects to exactly the checked addresses, so a DNS answer cannot change in between.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export class AddressNotAllowedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      `refusing to connect to ${host}: ${address} is a ${range} address (set CRM_ALLOW_PRIVATE_ADDRESSES=true for on-premise CRMs)`,
    );
    this.name = 'AddressNotAllowedError';
  }
}

/** The named range of a non-public address, or null when the address is public unicast. */
export function nonPublicRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  let parsed = ipaddr.parse(address);
  // ::ffff:10.0.0.1 is 10.0.0.1 in disguise.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

export type LookupAll = (hostname: string) => Promise<LookupAddress[]>;

export const systemLookupAll: LookupAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });

/** Every address of the host, each one checked; throws AddressNotAllowedError on the first refused one. */
export async function resolveAllowedAddresses(
  hostname: string,
  allowPrivate: boolean,
  lookupAll: LookupAll = systemLookupAll,
): Promise<LookupAddress[]> {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  const addresses = family !== 0 ? [{ address: bare, family }] : await lookupAll(bare);
  if (addresses.length === 0) throw new Error(`${bare} has no addresses`);
  if (!allowPrivate) {
    for (const entry of addresses) {
      const range = nonPublicRange(entry.address);
      if (range) throw new AddressNotAllowedError(bare, entry.address, range);
    }
  }
  return addresses;
}
