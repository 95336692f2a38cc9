/**
 * Load-time checks of the `server` section that JSON Schema cannot say well: which
 * proxies to trust. The value is normalised in place, so the server and `check` read one
 * form: false, or a list of addresses/CIDRs/named ranges.
 */
import { isIP } from 'node:net';
import type { DiagnosticSink } from '../diagnostics.js';

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
    if (isProxyAddress(entry.trim())) return;
    valid = false;
    sink.add('schema', `trust_proxy: '${entry}' is not an IP address, a CIDR (10.0.0.0/8) or one of ${[...NAMED_RANGES].join(', ')}`, Array.isArray(value) ? [...at, i] : at);
  });
  return valid ? list.map((s) => s.trim()) : undefined;
}

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}
