/**
 * What `check` tells about a RateLimit's place and key: the traps are silent at request
 * time (a budget strangers can spend, a key that is often empty, a key the caller picks).
 */
import type { ValveCheckContext, ValveProblem } from '../engine/index.js';

// `${client.attributes.NAME}` as the whole key or a part of it.
const CLIENT_ATTRIBUTE = /\$\{\s*client\.attributes\.([A-Za-z0-9_-]+)\s*\}/g;
const REQUEST_PARAM = /\$\{\s*request\.params\b/;

export function checkRateLimitKey(key: string, context: ValveCheckContext): ValveProblem[] {
  const problems: ValveProblem[] = [];
  if (!context.clientAuthenticated) {
    problems.push({
      severity: 'warning',
      path: [],
      message:
        'RateLimit runs before the client is authenticated: anyone who knows a client_id can spend its budget (and its tenant\'s), and a 429 for a known client_id against a 401 for an unknown one tells which ids exist. Placed after ClientAuthenticate (or in a pipe without one, where the engine authenticates first) it counts proven requests only',
    });
  }
  if (!key.includes('${')) {
    problems.push({ severity: 'warning', path: ['key'], message: `the key '${key}' is the same for every request: all clients of this pipe share one budget; use a template such as \${client.attributes.tenant}` });
  }
  if (REQUEST_PARAM.test(key)) {
    problems.push({ severity: 'warning', path: ['key'], message: 'the key comes from a request parameter: a caller picks its own counter by sending another value, and escapes the limit' });
  }
  for (const [, attribute] of key.matchAll(CLIENT_ATTRIBUTE)) {
    const without = context.clients.filter((c) => c.attributes[attribute!] === undefined || c.attributes[attribute!] === '').map((c) => `'${c.client_id}'`);
    if (without.length === 0) continue;
    problems.push({ severity: 'warning', path: ['key'], message: `client ${without.join(', ')} ha${without.length === 1 ? 's' : 've'} no attribute '${attribute}': ${without.length === 1 ? 'it is' : 'they are'} counted per client_id instead` });
  }
  return problems;
}
