/**
 * What is measured: each scenario is a set of servers run alternately, round after round.
 * es256/rs256/eddsa: Sluice against the peer doing the same job, and a bare node:http
 * server that does only that job (the reference: a practical ceiling on this machine). sluice: Sluice's options
 * against its own baseline (ES256, plain secret, client_secret_basic). rps: 10 against
 * 100,000 registered clients.
 */
import { assertionSource } from './assertions.js';
import { ALGORITHMS, type Algorithm, type SigningKey } from './keys.js';
import { basicRequest, fixedSource, REQUESTED_SCOPE, rotatingSource, type RequestSource } from './requests.js';
import { startPeer } from './servers/oidc-provider.js';
import { startReference } from './servers/reference.js';
import { freePort, type ServerProcess } from './servers/process.js';
import { startSluice } from './servers/sluice.js';
import { AUDIENCE, SCOPES, sluiceConfig, TOKEN_LIFETIME_SECONDS, type ClientSecret, type ClientSpec, type PipeKind } from './servers/sluice-config.js';
import type { Expectation } from './verify.js';

export interface BenchContext {
  workDir: string;
  logsDir: string;
  keys: Record<Algorithm, SigningKey>;
  /** An ES256 key of the private_key_jwt clients. */
  clientKey: SigningKey;
  secrets: { secret: string; sha256Hash: string; scryptHash: string };
  hasWorkersFlag: boolean;
  duration: number;
  profileDir?: string;
}

export interface Variant {
  key: string;
  label: string;
  /** The variant of the same scenario this one's ratio is against. */
  against?: string;
  /** When set, the variant is not run and its row says this. */
  unavailable?: string;
  start(): Promise<ServerProcess>;
  source(server: ServerProcess): RequestSource;
  expect: Expectation;
}

export interface Scenario {
  name: string;
  variants: Variant[];
  /**
   * After the rounds, every server is loaded again at one fixed rate: this share of the
   * named variant's median requests/s (the slowest server's, so that each can sustain it).
   * Latency at saturation says how long each server's own queue is; at the same rate, the
   * p99s compare what a caller sees under the same load.
   */
  sameRate?: { of: string; share: number };
}

/** Names for --only: a scenario, or one of the sluice scenario's rows. */
export const SELECTABLE = ['es256', 'rs256', 'eddsa', 'hashed', 'cache', 'opaque', 'pkjwt', 'workers', 'rps'] as const;

const CLIENT_ID = 'bench';
const SECRET_ENV = 'BENCH_CLIENT_SECRET';
/**
 * Per-client quotas (1000 opaque tokens per 60 s ttl, 2000 assertions per assertion lifetime
 * of about 45 s with --duration 10) call for many clients: these keep each within its quota up
 * to ~15,000 req/s.
 */
const OPAQUE_CLIENTS = 1000;
const ASSERTION_CLIENTS = 500;
const STORE_CAPACITY = 1_000_000;

/** The fixed rate of a peer scenario's latency runs: this share of the peer's own median. */
const SAME_RATE_SHARE = 0.7;

const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const jwtExpectation = (alg: string, clientId = CLIENT_ID): Expectation => ({ alg, clientId, scope: REQUESTED_SCOPE });

function sluiceVariant(ctx: BenchContext, key: string, label: string, setup: { alg?: Algorithm; clients: ClientSpec[]; pipe?: PipeKind; storeCapacity?: number; serveArgs?: string[]; source?: (server: ServerProcess) => RequestSource; expect?: Expectation; against?: string }): Variant {
  const alg = setup.alg ?? 'ES256';
  const name = `sluice-${alg.toLowerCase()}${key === 'sluice' ? '' : `-${key}`}`;
  return {
    key,
    label,
    ...(setup.against ? { against: setup.against } : {}),
    async start() {
      const port = await freePort();
      const config = sluiceConfig({ port, pemFile: ctx.keys[alg].pemFile, alg, clients: setup.clients, pipe: setup.pipe ?? 'jwt', ...(setup.storeCapacity ? { storeCapacity: setup.storeCapacity } : {}) });
      return startSluice({ name, config, port, workDir: ctx.workDir, logsDir: ctx.logsDir, env: { [SECRET_ENV]: ctx.secrets.secret }, ...(setup.serveArgs ? { serveArgs: setup.serveArgs } : {}), ...(ctx.profileDir ? { profileDir: ctx.profileDir } : {}) });
    },
    source: setup.source ?? (() => fixedSource(basicRequest(setup.clients[0]!.clientId, ctx.secrets.secret))),
    expect: setup.expect ?? jwtExpectation(alg, setup.clients[0]!.clientId),
  };
}

function peerScenario(ctx: BenchContext, alg: Algorithm): Scenario {
  const plain: ClientSpec = { clientId: CLIENT_ID, secret: { env: SECRET_ENV } };
  return {
    name: alg,
    sameRate: { of: 'oidc-provider', share: SAME_RATE_SHARE },
    variants: [
      sluiceVariant(ctx, 'sluice', 'Sluice', { alg, clients: [plain], against: 'oidc-provider' }),
      {
        key: 'oidc-provider',
        label: 'oidc-provider',
        async start() {
          const port = await freePort();
          const key = ctx.keys[alg];
          return startPeer(`oidc-provider-${alg}`, { port, alg, privateJwk: key.privateJwk, clientId: CLIENT_ID, clientSecret: ctx.secrets.secret, scopes: [...SCOPES], audience: AUDIENCE, lifetimeSeconds: TOKEN_LIFETIME_SECONDS }, ctx.workDir, ctx.logsDir);
        },
        source: () => fixedSource(basicRequest(CLIENT_ID, ctx.secrets.secret)),
        expect: jwtExpectation(alg),
      },
      {
        key: 'reference',
        label: 'reference: bare node:http',
        against: 'oidc-provider',
        async start() {
          const port = await freePort();
          const key = ctx.keys[alg];
          return startReference(`reference-${alg}`, { port, alg, privateJwk: key.privateJwk, publicJwk: key.publicJwk, clientId: CLIENT_ID, clientSecret: ctx.secrets.secret, scopes: [...SCOPES], audience: AUDIENCE, lifetimeSeconds: TOKEN_LIFETIME_SECONDS }, ctx.workDir, ctx.logsDir);
        },
        source: () => fixedSource(basicRequest(CLIENT_ID, ctx.secrets.secret)),
        expect: jwtExpectation(alg),
      },
    ],
  };
}

function withSecret(secret: ClientSecret): ClientSpec[] {
  return [{ clientId: CLIENT_ID, secret }];
}

function sluiceScenario(ctx: BenchContext, selected: ReadonlySet<string>): Scenario {
  const against = 'baseline';
  const variants = [sluiceVariant(ctx, against, 'Sluice ES256, plain secret (baseline)', { clients: withSecret({ env: SECRET_ENV }) })];
  if (selected.has('hashed')) {
    variants.push(sluiceVariant(ctx, 'sha256', '$sha256$ secret hash', { clients: withSecret({ hash: ctx.secrets.sha256Hash }), against }));
    variants.push(sluiceVariant(ctx, 'scrypt', '$scrypt$ secret hash (cached)', { clients: withSecret({ hash: ctx.secrets.scryptHash }), against }));
  }
  if (selected.has('cache')) variants.push(sluiceVariant(ctx, 'token-cache', 'TokenCache hits', { clients: withSecret({ env: SECRET_ENV }), pipe: 'token-cache', against, expect: { ...jwtExpectation('ES256'), reused: true } }));
  if (selected.has('opaque')) {
    const clients = numbered('opaque', OPAQUE_CLIENTS).map((clientId): ClientSpec => ({ clientId, secret: { env: SECRET_ENV } }));
    variants.push(sluiceVariant(ctx, 'opaque', `opaque tokens (${OPAQUE_CLIENTS} clients in turn)`, {
      clients, pipe: 'opaque', storeCapacity: STORE_CAPACITY, against,
      source: () => rotatingSource(clients.map((c) => basicRequest(c.clientId, ctx.secrets.secret))),
      expect: { clientId: clients[0]!.clientId, scope: REQUESTED_SCOPE },
    }));
  }
  if (selected.has('pkjwt')) {
    // Assertions live the run plus a margin; Sluice keeps their ids that long (the store capacity).
    const lifetime = Math.min(3600, Math.ceil(ctx.duration) + 30);
    const clientIds = numbered('pkjwt', ASSERTION_CLIENTS);
    const clients = clientIds.map((clientId): ClientSpec => ({ clientId, jwk: ctx.clientKey.publicJwk, assertionMaxLifetime: lifetime }));
    variants.push(sluiceVariant(ctx, 'private-key-jwt', `private_key_jwt ES256 (${ASSERTION_CLIENTS} clients)`, {
      clients, storeCapacity: STORE_CAPACITY, against,
      source: (server) => assertionSource({ clientIds, privateKey: ctx.clientKey.privateKey, kid: ctx.clientKey.publicJwk.kid!, audience: `${server.url}/token`, lifetimeSeconds: lifetime }),
    }));
  }
  if (selected.has('workers')) {
    const workers = sluiceVariant(ctx, 'workers-2', 'serve --workers 2', { clients: withSecret({ env: SECRET_ENV }), serveArgs: ['--workers', '2'], against });
    variants.push(ctx.hasWorkersFlag ? workers : { ...workers, unavailable: 'n/a (no --workers)' });
  }
  return { name: 'Sluice options', variants };
}

function clientsScenario(ctx: BenchContext): Scenario {
  const registered = (count: number) => numbered('rp', count).map((clientId): ClientSpec => ({ clientId, secret: { hash: ctx.secrets.sha256Hash } }));
  // The client asking is one in the middle of the list.
  const variant = (count: number, key: string, label: string, against?: string) => {
    const clients = registered(count);
    const asking = clients[Math.floor(count / 2)]!.clientId;
    return sluiceVariant(ctx, key, label, {
      clients, ...(against ? { against } : {}),
      source: () => fixedSource(basicRequest(asking, ctx.secrets.secret)),
      expect: jwtExpectation('ES256', asking),
    });
  };
  return { name: 'registered clients', variants: [variant(10, 'rps-10', '10 RPs'), variant(100_000, 'rps-100000', '100,000 RPs', 'rps-10')] };
}

export function scenarios(ctx: BenchContext, selected: ReadonlySet<string>): Scenario[] {
  const list: Scenario[] = [];
  for (const alg of ALGORITHMS) if (selected.has(alg.toLowerCase())) list.push(peerScenario(ctx, alg));
  if (['hashed', 'cache', 'opaque', 'pkjwt', 'workers'].some((name) => selected.has(name))) list.push(sluiceScenario(ctx, selected));
  if (selected.has('rps')) list.push(clientsScenario(ctx));
  return list;
}
