/**
 * exec_if over HTTP: a valve runs only when its expression holds, the pipe goes on
 * without it otherwise; a ClientAuthenticate with exec_if never spares a caller the
 * engine's authentication. Tokens verified with jose against the served /jwks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postToken, serve, type Running } from '../helpers/sluice.js';
import { verifyToken } from '../helpers/tokens.js';

const SECRET = 'orders-secret-0123456789';
// A test plugin: sets a claim, and one computed by an expression it compiles (EngineServices.compileExpression).
const PLUGIN = `
export default {
  name: 'MarkClaims',
  setsClaims: true,
  configSchema: { type: 'object', properties: { expr: { type: 'string' } } },
  create(config, engine) {
    const computed = config.expr ? engine.compileExpression(config.expr, { path: ['expr'] }) : () => undefined;
    return async function markClaims(flow, next) {
      flow.claims.marked = 'yes';
      const value = computed(flow);
      if (value !== undefined) flow.claims.computed = value;
      await next();
    };
  },
};`;

const CONFIG = `
plugins: [./mark.mjs]
keystores: [{ id: signing, type: generated, alg: ES256 }]
rps:
  - client_id: orders-service
    client_secret: \${env.SECRET}
    scopes: [orders.read]
    client_credentials_pipe_id: conditional
    attributes: { tier: gold }
pipes:
  - id: conditional
    valves:
      - name: ClientAuthenticate
        exec_if: request.params.x === 'y'
      - name: ScopeCheck
      - name: MarkClaims
        exec_if_expr: request.params.x === 'y' && client.attributes.tier.startsWith('go')
        config: { expr: "request.params.x == 'y' || request.scope.length" }
      - name: CreateJwt
        config:
          keystore: signing
          jwt_claims:
            mode: "\${request.params.mode || 'default'}"
      - name: TokenResponse
`;

describe('exec_if', () => {
  let s: Running;
  beforeAll(async () => {
    s = await serve(CONFIG, { env: { SECRET }, files: { 'mark.mjs': PLUGIN } });
  });
  afterAll(() => s.close());

  const token = (form: Record<string, string>, secret = SECRET) =>
    postToken(s.url, { grant_type: 'client_credentials', ...form }, { authorization: basic('orders-service', secret) });

  it('runs the valve when the expression holds', async () => {
    const r = await token({ x: 'y', mode: 'fast' });
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload).toMatchObject({ marked: 'yes', computed: true, mode: 'fast' });
  });

  it('skips it, and the pipe goes on, when it does not', async () => {
    const r = await token({ x: 'z' });
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.marked).toBeUndefined();
    expect(payload.computed).toBeUndefined();
    expect(payload.mode).toBe('default');
  });

  it('skips it when the parameter is missing', async () => {
    const r = await token({});
    expect(r.status).toBe(200);
    const { payload } = await verifyToken(s.url, String(r.body.access_token));
    expect(payload.marked).toBeUndefined();
  });

  it('a ClientAuthenticate with exec_if does not spare the engine authentication: wrong secret is 401 when the condition is false', async () => {
    const r = await token({ x: 'z' }, 'wrong-secret-0123456789');
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  it('… and when it is true', async () => {
    const r = await token({ x: 'y' }, 'wrong-secret-0123456789');
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  it('hostile parameter values are data: no 500', async () => {
    for (const x of ["y' || true || '", '__proto__', 'constructor', '${x}', 'y\u0000']) {
      const r = await token({ x });
      expect(r.status).toBe(200);
      const { payload } = await verifyToken(s.url, String(r.body.access_token));
      expect(payload.marked).toBeUndefined();
    }
  });
});
