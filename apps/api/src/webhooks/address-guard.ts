/**
 * Outbound requests to webhook endpoints go only to public addresses: private, loopback, link-local, shared,
 * multicast and reserved ranges are refused, after DNS resolution, unless a configured CIDR allows them
 * (GONGWEN_WEBHOOK_ALLOW_CIDRS). The address checked is the address connected to (the lookup of the request
 * itself is replaced), so a name cannot resolve to a public address for the check and a private one for the
 * connection.
 */
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const REFUSED_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const REFUSED_V6 = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const;

const refused = new BlockList();
for (const [a, p] of REFUSED_V4) refused.addSubnet(a, p, 'ipv4');
for (const [a, p] of REFUSED_V6) refused.addSubnet(a, p, 'ipv6');

export class AddressGuard {
  private readonly allowed = new BlockList();

  /** `allow`: the comma-separated CIDRs of GONGWEN_WEBHOOK_ALLOW_CIDRS. */
  constructor(allow: string) {
    for (const cidr of allow
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const [address, bits] = cidr.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      this.allowed.addSubnet(address, Number(bits), family);
    }
  }

  /** Whether a request may connect to this IP address. */
  permits(address: string): boolean {
    let family = isIP(address);
    if (!family) return false;
    // an IPv4-mapped IPv6 address is its IPv4 address
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) {
      address = mapped[1];
      family = 4;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(address, type)) return true;
    return !refused.check(address, type);
  }

  /**
   * Resolves a host name (or takes an IP literal) and answers its addresses, or the reason it is refused: every
   * address it resolves to must be permitted (one refused address refuses the name, so that which one a
   * connection picks does not matter).
   */
  async resolve(host: string): Promise<{ addresses: { address: string; family: number }[] } | { refused: string }> {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    let addresses: { address: string; family: number }[];
    if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
    else {
      try {
        addresses = await new Promise((resolve, reject) =>
          dnsLookup(bare, { all: true, verbatim: true }, (e, list) => (e ? reject(e) : resolve(list))),
        );
      } catch (e) {
        return { refused: `${bare} does not resolve (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
      }
    }
    if (addresses.length === 0) return { refused: `${bare} does not resolve` };
    const bad = addresses.find((a) => !this.permits(a.address));
    if (bad) return { refused: `${bare} resolves to ${bad.address}, a private, loopback or link-local address that is not allowed` };
    return { addresses };
  }

  /** Why a URL may not be a webhook endpoint (scheme, credentials, address), or null when it may. */
  async refusal(url: string): Promise<string | null> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return 'not a URL';
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'expected an http or https URL';
    if (u.username || u.password) return 'credentials in the URL are not allowed';
    const r = await this.resolve(u.hostname);
    return 'refused' in r ? r.refused : null;
  }
}
