/**
 * The rotation of issue 15: key b walks next → current → previous → removed (and a, c
 * around it) by editing the YAML and reloading, while a resource server built with jose's
 * createRemoteJWKSet verifies every token issued along the way. The resource server keeps
 * /jwks exactly as long as Cache-Control max-age allows and refetches no sooner, even for an
 * unknown kid: the strictest cache the server must satisfy. Real time, with windows of a
 * second: the server's clock and the resource server's must be the same one.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { keyDir, publishedKids, rotationConfig, serveRotating, type KeyName, type RotatingServer } from './harness.js';

const MAX_AGE = 1;
const TTL = '1s';

let server: RotatingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('key rotation by YAML edits and reloads', () => {
  it('a resource server with a cached JWKS verifies every token while a key goes next → current → previous → removed', async () => {
    const dir = keyDir();
    const config = (port: number, keys: Partial<Record<KeyName, string>>) => rotationConfig(port, keys, { maxAge: MAX_AGE, ttl: TTL });
    server = await serveRotating(dir, (port) => config(port, { a: 'current' }));
    const running = server;
    const jwks = createRemoteJWKSet(new URL(`${running.url}/jwks`), { cacheMaxAge: MAX_AGE * 1000, cooldownDuration: MAX_AGE * 1000 });
    const failures: string[] = [];
    const kids: string[] = [];

    /** Issue and verify tokens for a while: as a busy resource server would. */
    const traffic = async (rounds: number) => {
      for (let n = 0; n < rounds; n++) {
        const token = await running.token();
        kids.push(String(decodeProtectedHeader(token).kid));
        try {
          // Tokens of a one-second lifetime, stamped in whole seconds: a little leeway on exp.
          await jwtVerify(token, jwks, { issuer: `http://127.0.0.1:${running.port}`, clockTolerance: 5 });
        } catch (error) {
          failures.push(`${String(decodeProtectedHeader(token).kid)}: ${(error as { code?: string }).code}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    /** Keep the traffic going until `kid` has left /jwks (a previous key retiring). */
    const untilRetired = async (kid: string) => {
      for (let n = 0; (await publishedKids(running.url)).includes(kid); n++) {
        if (n > 200) throw new Error(`${kid} never retired`);
        await traffic(2);
      }
    };
    const step = async (keys: Partial<Record<KeyName, string>>) => {
      await running.reload(config(running.port, keys));
      await traffic(8);
    };

    await traffic(8);
    await step({ a: 'current', b: 'next' });
    await step({ a: 'previous', b: 'current' });
    await untilRetired('a');
    await step({ b: 'current' });
    await step({ b: 'current', c: 'next' });
    await step({ b: 'previous', c: 'current' });
    await untilRetired('b');
    await step({ c: 'current' });

    expect(failures).toEqual([]);
    expect(new Set(kids)).toEqual(new Set(['a', 'b', 'c']));
    expect(kids.at(-1)).toBe('c');
    expect(await publishedKids(running.url)).toEqual(['c']);
  }, 90_000);
});
