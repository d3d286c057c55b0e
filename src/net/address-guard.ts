/**
 * SSRF guard for every outgoing request whose target someone else can influence (CRM webhooks, Bot Framework
 * `serviceUrl`s): resolves the host to every address it has and refuses anything that is not public unicast —
 * loopback, unspecified, private, link-local (cloud metadata), CGNAT, multicast, broadcast, reserved and
 * documentation ranges, unique-local, and IPv6 forms that smuggle an IPv4 address (IPv4-mapped,
 * IPv4-compatible, NAT64, 6to4, Teredo). Numeric spellings (2130706433, 0177.0.0.1, 0x7f.1, 127.1) and
 * trailing dots are normalised first. Callers connect to exactly the checked addresses, so a DNS answer
 * cannot change in between.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

export class AddressNotAllowedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
    hint = 'set CRM_ALLOW_PRIVATE_ADDRESSES=true for on-premise CRMs',
  ) {
    super(`refusing to connect to ${host}: ${address} is a ${range} address (${hint})`);
    this.name = 'AddressNotAllowedError';
  }
}

function embeddedIPv4(bytes: number[], from: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.slice(from, from + 4));
}

/** The named range of a non-public address, or null when the address is public unicast. */
export function nonPublicRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') {
    const range = parsed.range();
    return range === 'unicast' ? null : range;
  }
  const v6 = parsed as ipaddr.IPv6;
  const bytes = v6.toByteArray();
  const range = v6.range();
  // ipaddr.js reads "::127.0.0.1" as IPv4-mapped but "::7f00:1" (what the URL parser makes of it) as
  // unicast: the first 96 bits all zero is the deprecated IPv4-compatible block (RFC 4291), never public.
  if (range === 'unicast' && bytes.slice(0, 12).every((b) => b === 0)) return 'ipv4Compatible';
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') {
    // The address is only as public as the IPv4 address it carries (last 32 bits).
    const inner = nonPublicRange(embeddedIPv4(bytes, 12).toString());
    // ::ffff:10.0.0.1 is 10.0.0.1 in disguise: name the range it really is.
    if (inner === null) return null;
    return range === 'ipv4Mapped' ? inner : `${range} (${inner})`;
  }
  if (range === '6to4') {
    const inner = nonPublicRange(embeddedIPv4(bytes, 2).toString());
    return inner === null ? null : `6to4 (${inner})`;
  }
  // Teredo hides the client address obfuscated; nothing public needs a webhook there.
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

/**
 * The host as the resolver would see it: brackets and trailing dots removed, lower case, and any numeric
 * IPv4 spelling (decimal, octal, hex, short forms) turned into its dotted address.
 */
export function normalizeHost(hostname: string): { host: string; literal: LookupAddress | null } {
  const host = hostname
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.+$/, '')
    .toLowerCase();
  if (ipaddr.isValid(host)) {
    const parsed = ipaddr.parse(host);
    const address = parsed.toString();
    return { host, literal: { address, family: parsed.kind() === 'ipv4' ? 4 : 6 } };
  }
  return { host, literal: null };
}

/** Every address of the host, each one checked; throws AddressNotAllowedError on the first refused one. */
export async function resolveAllowedAddresses(
  hostname: string,
  allowPrivate: boolean,
  lookupAll: LookupAll = systemLookupAll,
  hint?: string,
): Promise<LookupAddress[]> {
  const { host, literal } = normalizeHost(hostname);
  if (!host) throw new Error('the URL has no host');
  const addresses = literal ? [literal] : await lookupAll(host);
  if (addresses.length === 0) throw new Error(`${host} has no addresses`);
  if (!allowPrivate) {
    for (const entry of addresses) {
      const range = nonPublicRange(entry.address);
      if (range) throw new AddressNotAllowedError(host, entry.address, range, hint);
    }
  }
  return addresses;
}
