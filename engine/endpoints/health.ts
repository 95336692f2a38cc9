/**
 * Probes for orchestrators and load balancers.
 *
 * - /healthz, liveness: the process answers HTTP. Nothing else is checked, so that a
 *   store outage or an overload never gets a healthy process restarted.
 * - /readyz, readiness: send traffic here? The config is loaded (an engine exists), every
 *   keystore signs a JWS its public key verifies (tried once per engine), the store
 *   answers a read within a second (tried at most once a second, however often probed,
 *   so probes cannot load the store), and the server is neither draining nor overloaded.
 *
 * Answers name the failing check, never a store address or credential.
 */
import { compactVerify, importJWK } from 'jose';
import type { Engine } from '../engine.js';
import type { Store } from '../store/types.js';
import { within } from '../within.js';
import type { ServingState } from '../http/serving-state.js';

export interface ProbeAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export const ALIVE: ProbeAnswer = { status: 200, body: { status: 'ok' } };

/** A key nobody writes: a read of it is the cheapest round trip every store has. */
const STORE_PROBE_KEY = 'health:readyz';
const STORE_PROBE_TIMEOUT_MS = 1000;
const STORE_PROBE_CACHE_MS = 1000;

export type CheckResult = 'ok' | 'unusable' | 'unreachable' | 'draining' | 'overloaded';

export async function readiness(engine: Engine, serving: ServingState): Promise<ProbeAnswer> {
  const [keys, store] = await Promise.all([keysUsable(engine), storeAnswers(engine.verifyContext.store)]);
  const checks: Record<string, CheckResult> = {
    keys: keys ? 'ok' : 'unusable',
    store: store ? 'ok' : 'unreachable',
    serving: serving.draining ? 'draining' : serving.overload ? 'overloaded' : 'ok',
  };
  const ready = Object.values(checks).every((result) => result === 'ok');
  if (!ready) engine.logger.debug({ event: 'not_ready', checks }, 'readiness probe: not ready');
  return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks } };
}

const keyChecks = new WeakMap<Engine, Promise<boolean>>();

/** Every keystore signs, and its public key verifies what it signed; once per engine. */
function keysUsable(engine: Engine): Promise<boolean> {
  let check = keyChecks.get(engine);
  if (!check) {
    check = Promise.all([...engine.keystores.values()].map(async (keystore) => {
      try {
        const jws = await keystore.sign({ readiness_probe: true });
        await compactVerify(jws, await importJWK({ ...keystore.publicJwk }, keystore.alg));
        return true;
      } catch (error) {
        engine.logger.error({ event: 'keystore_unusable', keystore: keystore.id, error: (error as Error).message }, `keystore '${keystore.id}' cannot sign a token its public key verifies`);
        return false;
      }
    })).then((results) => results.every(Boolean));
    keyChecks.set(engine, check);
  }
  return check;
}

const storeProbes = new WeakMap<Store, { at: number; answers: Promise<boolean> }>();

function storeAnswers(store: Store): Promise<boolean> {
  const now = Date.now();
  const last = storeProbes.get(store);
  if (last && now - last.at < STORE_PROBE_CACHE_MS) return last.answers;
  const answers = answersWithin(store, STORE_PROBE_TIMEOUT_MS);
  storeProbes.set(store, { at: now, answers });
  return answers;
}

function answersWithin(store: Store, ms: number): Promise<boolean> {
  return within(store.get(STORE_PROBE_KEY), ms, 'no answer').then(() => true, () => false);
}
