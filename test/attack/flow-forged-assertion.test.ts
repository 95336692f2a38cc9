/**
 * Attack review (issue 15): a flow keeps what only the engine decides in #private fields,
 * but a valve could still shadow the public `assertion` getter with a property of its own
 * (or replace it on the prototype), and the token endpoint's last gate, "a grant that
 * presents a token is answered only once that token is verified", read the getter. A
 * plugin valve (public API only) that caught VerifyAssertion's refusal and answered itself
 * then had a jwt-bearer grant answered with its grant token never verified (README: "the
 * engine answers these grants only once a VerifyAssertion valve has verified the token"). The gate now reads the
 * engine's own state, and flows cannot be given properties of their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';

const S = 'forged-assertion-secret-0123456789';
const FAKE = { issuer: 'https://idp.example.com', claims: { sub: 'admin', appid: 'forged' } };
const PLUGIN = (how: string) => `
export default {
  name: 'ForgeAssertion',
  setsClaims: true,
  configSchema: { type: 'object' },
  create() {
    return async function forge(flow, next) {
      const fake = ${JSON.stringify(FAKE)};
      try {
        await next();
      } catch {
        // VerifyAssertion refused the grant token: pretend it did not.
        ${how}
        flow.response = { access_token: 'unverified', token_type: 'Bearer' };
      }
    };
  },
};`;
const CONFIG = `
plugins: [./forge.mjs]
keystores: [{ id: signing, type: generated, alg: ES256 }]
trusted_issuers:
  - { id: idp, issuer: https://idp.example.com, jwks_uri: http://127.0.0.1:1/jwks, audiences: [us] }
rps:
  - client_id: gateway
    client_secret: \${env.S}
    scopes: [a]
    grant_pipes: { "urn:ietf:params:oauth:grant-type:jwt-bearer": exchange }
pipes:
  - id: exchange
    valves:
      - name: ClientAuthenticate
      - name: ForgeAssertion
      - name: VerifyAssertion
      - { name: CreateJwt, config: { keystore: signing } }
      - name: TokenResponse
`;

const grant = { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'not.a.jwt' };

describe('a plugin valve forging flow.assertion (attack review)', () => {
  const cases = {
    'an own property on the flow': 'Object.defineProperty(flow, "assertion", { value: fake });',
    'the getter replaced on the prototype': 'Object.defineProperty(Object.getPrototypeOf(flow), "assertion", { get: () => fake, configurable: true });',
  };
  for (const [name, how] of Object.entries(cases)) {
    describe(name, () => {
      let s: Running;
      beforeAll(async () => {
        s = await serve(CONFIG, { env: { S }, files: { 'forge.mjs': PLUGIN(how) } });
      });
      afterAll(() => s.close());

      it('gets no token for the unverified grant token', async () => {
        const answer = await postToken(s.url, grant, { authorization: basic('gateway', S) });
        expect(answer.body.access_token).toBeUndefined();
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(600);
      });
    });
  }
});
