/**
 * Load-time checks of the `server` section that JSON Schema cannot say well: which
 * proxies to trust. The value is normalised in place, so the server and `check` read one
 * form: false, or a list of addresses/CIDRs/named ranges.
 */
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type { DiagnosticSink } from '../diagnostics.js';

/**
 * The compiler fastify itself runs on `trustProxy` at startup, loaded from fastify's own
 * dependencies, so that check accepts exactly what serve will: what it refuses would
 * otherwise crash `serve` with "invalid range on address" and no FILE:LINE.
 */
const proxyAddr = createRequire(createRequire(import.meta.url).resolve('fastify'))('@fastify/proxy-addr') as {
  compile(trusted: string[]): unknown;
};

/**
 * The broadest ranges a proxy list may name. A /0 or a pair of /1s trusts the whole
 * internet as proxies, which is `true` spelt differently; no proxy tier is wider than a /8
 * (IPv4) or a /32 (an IPv6 allocation to one organisation).
 */
const MIN_PREFIX = { 4: 8, 6: 32 } as const;
/** ::ffff:a.b.c.d/N names IPv4 addresses (RFC 4291 section 2.5.5.2): the IPv4 bound, 96 bits on. */
const MIN_MAPPED_PREFIX = 96 + MIN_PREFIX[4];

export type TrustProxy = false | string[];

// Ranges @fastify/proxy-addr knows by name.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const GIVE_ADDRESSES = 'list the addresses or CIDRs of the proxies in front of Sluice (e.g. [10.0.0.0/8], or uniquelocal for every private range)';
const TRUE_REFUSED = `true would trust every X-Forwarded-For hop, so any caller could choose its own address; ${GIVE_ADDRESSES}`;
// fastify 5 ignores a hop count (trusts nothing) for the same reason: it cannot tell the
// proxy from a caller that reaches Sluice directly and sends the header itself.
const HOPS_REFUSED = `a hop count cannot tell a proxy from a caller that reaches Sluice directly and sends X-Forwarded-For itself; ${GIVE_ADDRESSES}`;

export function checkServerConfig(server: { trust_proxy: unknown } | undefined, sink: DiagnosticSink): void {
  if (!server || typeof server !== 'object') return;
  const normalised = normaliseTrustProxy(server.trust_proxy, sink);
  if (normalised !== undefined) server.trust_proxy = normalised;
}

function normaliseTrustProxy(value: unknown, sink: DiagnosticSink): TrustProxy | undefined {
  const at = ['server', 'trust_proxy'];
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') {
    sink.add('schema', `trust_proxy: ${TRUE_REFUSED}`, at);
    return undefined;
  }
  // A hop count from `${env.…}` arrives as a string.
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value.trim()))) {
    sink.add('schema', `trust_proxy: ${HOPS_REFUSED}`, at);
    return undefined;
  }
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(value) ? value.map(String) : undefined;
  if (!list) return undefined; // the schema reported the type
  let valid = true;
  list.forEach((entry, i) => {
    const problem = proxyAddressProblem(entry.trim());
    if (problem === undefined) return;
    valid = false;
    sink.add('schema', `trust_proxy: '${entry}' ${problem}`, Array.isArray(value) ? [...at, i] : at);
  });
  return valid ? list.map((s) => s.trim()) : undefined;
}

/** Why an entry is not a proxy address Sluice will trust, or undefined when it is one. */
function proxyAddressProblem(entry: string): string | undefined {
  const notAnAddress = `is not an IP address, a CIDR (10.0.0.0/8) or one of ${[...NAMED_RANGES].join(', ')}`;
  if (NAMED_RANGES.has(entry)) return undefined;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return notAnAddress;
  if (prefix !== undefined) {
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (version === 4 ? 32 : 128)) return notAnAddress;
    const mapped = version === 6 && /^::ffff:/i.test(address) && Number(prefix) >= 96;
    const min = mapped ? MIN_MAPPED_PREFIX : MIN_PREFIX[version as 4 | 6];
    if (Number(prefix) < min) {
      return `trusts the internet as proxies: any caller in it could choose its own address with X-Forwarded-For; name ranges no broader than /${MIN_PREFIX[4]} (IPv4) or /${MIN_PREFIX[6]} (IPv6)`;
    }
  }
  try {
    proxyAddr.compile([entry]);
  } catch (error) {
    return `is refused by the proxy address parser: ${(error as Error).message}`;
  }
  return undefined;
}
