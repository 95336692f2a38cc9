/**
 * Loading a config, phase by phase: parse → load-time values → plugins → schema →
 * cross-references → trusted issuers → keystores → store → pipes → clients. Each phase is
 * small and reports what it finds as diagnostics at YAML positions; trusted issuers, roles,
 * stores and reload slot in as phases of their own.
 */
import { isDeepStrictEqual } from 'node:util';
import { ClientAuthenticator, costliest, type ScryptCost, type VerifyContext } from '../client-auth/authenticate.js';
import { buildClients } from '../clients.js';
import { buildBaseSchema } from '../config/base-schema.js';
import { checkCrossReferences, type Indexed } from '../config/cross-refs.js';
import { checkAssertionPipes } from '../config/grant-refs.js';
import { checkDiscoveryMeta } from '../config/discovery-meta.js';
import { checkFortifiedIdRpKeys } from '../config/fortifiedid-rp-keys.js';
import { normalizePipeShapes } from '../config/pipe-shape.js';
import { resolveLoadTime } from '../config/resolve-load-time.js';
import { createAjv, validateWith } from '../config/schema.js';
import { warnUnknownAttributes } from '../config/template-fields.js';
import type { Keystore, KeystoreConfig } from '../keystores/types.js';
import type { PipeConfig, RpConfig, SluiceConfig } from '../config/types.js';
import type { CompiledPipe } from '../pipes.js';
import { startsWith } from '../diagnostics.js';
import { PATHS, type RegisteredClient } from '../engine.js';
import { ConfigError } from '../errors.js';
import { authenticateFlow, verifyFlowAssertion } from '../flow-state.js';
import { keySourceProblem } from '../jwks/key-source-check.js';
import { isLoopbackHost } from '../jwks/uri.js';
import { buildTrustedIssuer, verifyIncomingToken, type TrustedIssuerConfig } from '../trusted-issuers.js';
import { checkServerConfig } from '../http/server-config.js';
import { issuerPath } from '../http/paths.js';
import { checkMetricsConfig } from '../metrics/config.js';
import { SluiceMetrics } from '../metrics/metrics.js';
import { countStoreErrors } from '../metrics/store-errors.js';
import { checkDuplicateKids } from '../keystores/duplicate-kids.js';
import { failedKeystore } from '../keystores/failed.js';
import { InlineKeystores } from '../keystores/inline.js';
import { notingKeyUse, type KeyUse } from '../keystores/key-use.js';
import { warnExpiringCertificates, warnUnpublishedSigners } from '../keystores/key-warnings.js';
import { keystoresById } from '../keystores/by-id.js';
import { checkManagedEntries, createManaged } from '../keystores/managed/load.js';
import type { RotationContext } from '../keystores/rotation.js';
import { loadKeystore } from '../keystores/load.js';
import { createLogger } from '../logger.js';
import { httpClient } from '../http-client.js';
import { calledPipeIds, checkPipeCalls, pipeReach, pipeRunner } from '../pipe-calls.js';
import { checkPipeWiring } from '../pipe-wiring.js';
import { compilePipe } from '../pipes.js';
import { loadPlugins } from '../plugins.js';
import { BUILT_IN, ValveRegistry } from '../registry.js';
import { compileValue } from '../template.js';
import { compileExpression } from '../expression/index.js';
import { checkAccessToken } from '../tokens/access-token.js';
import { recordActiveToken, recordIsActive, VerifiableKeys } from '../tokens/active-token-record.js';
import { checkStoreConfig } from '../store/config.js';
import { createStore } from '../store/create.js';
import { MemoryStore } from '../store/memory.js';
import { BUILT_IN_VALVES } from '../../valves/index.js';
import type { LoadState } from './state.js';

export interface LoadPhase {
  readonly name: string;
  run(state: LoadState): void | Promise<void>;
}

const validateBase = createAjv({ coerceTypes: true }).compile(buildBaseSchema());

export function createRegistry(): ValveRegistry {
  const registry = new ValveRegistry();
  for (const valve of BUILT_IN_VALVES) registry.register(valve, BUILT_IN);
  return registry;
}

/**
 * Remember a file the config reads (`${file.…}`, key files), for `serve --watch`. The
 * closure holds the set, not `state`: inline keystores keep it for the engine's life, and
 * `state` holds the file's text and its data as written (for 100,000 RPs some hundred MB).
 */
const noteRead = ({ readFiles }: LoadState) => (file: string) => void readFiles.add(file);

/** YAML syntax (positions kept); the document must be a mapping. Pipes in FortifiedID's shape are read as Sluice's. */
function parse(state: LoadState): void {
  const { source, sink } = state;
  for (const e of source.syntaxErrors) sink.items.push({ file: state.file, ...e.position, severity: 'error', code: e.code, message: e.message });
  const raw = source.data;
  if (sink.hasErrors) state.stopped = true;
  else if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    sink.add('schema', 'the config must be a mapping (issuer, rps, pipes, ...)', []);
    state.stopped = true;
  } else state.raw = normalizePipeShapes(raw as Record<string, unknown>, source, sink);
}

/** `${env.…}`, `${globals.…}`, `${file.…}`, once; request-time ones stay for the pipes. */
function loadTimeValues(state: LoadState): void {
  state.config = resolveLoadTime(state.raw!, { baseDir: state.baseDir, env: state.options.env ?? process.env, sink: state.sink, onFileRead: noteRead(state), copyAll: state.source.mayShareObjects }) as unknown as SluiceConfig;
}

/** Built-in valves, then the config's plugins (run as code: see the README's SECURITY). */
async function plugins(state: LoadState): Promise<void> {
  state.registry = createRegistry();
  const specs: unknown = state.config!.plugins;
  if (Array.isArray(specs)) await loadPlugins(specs.filter((p): p is string => typeof p === 'string'), state.baseDir, state.registry, state.sink);
  for (const { definition, origin } of state.options.valves ?? []) {
    try {
      state.registry.register(definition, origin);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      state.sink.addError(error);
    }
  }
}

/**
 * The config schema (defaults filled in). Items the schema rejected are left out of later
 * checks, so one mistake is told once: a section is unusable only when the section itself
 * is wrong (rps is not a list); an item is left out when an error lies inside it.
 */
function schema(state: LoadState): void {
  const config = state.config!;
  checkFortifiedIdRpKeys(config.rps, state.sink);
  const broken = validateWith(validateBase, config, state.sink);
  const indexed = <T>(section: 'keystores' | 'rps' | 'pipes' | 'trusted_issuers'): Array<Indexed<T>> => {
    const list: unknown = config[section];
    if (!Array.isArray(list) || broken.some((b) => b.length === 1 && b[0] === section)) return [];
    const items = (list as T[]).map((item, i) => [item, i] as const);
    return broken.length === 0 ? items : items.filter(([, i]) => !broken.some((b) => startsWith(b, [section, i])));
  };
  state.sections = {
    keystores: indexed<KeystoreConfig>('keystores'),
    rps: indexed<RpConfig>('rps'),
    pipes: indexed<PipeConfig>('pipes'),
    trusted_issuers: indexed<TrustedIssuerConfig>('trusted_issuers'),
    declaredPipeIds: Array.isArray(config.pipes) ? config.pipes.map((p) => String((p as { id?: unknown } | null)?.id)) : [],
    discoveryMeta: config.oidc?.discovery_meta ?? {},
  };
}

/** What the schema cannot say: references resolve, ids are unique, the server settings fit. */
function crossReferences(state: LoadState): void {
  const { config, sections, sink } = state;
  checkCrossReferences(sections!, state.raw!, state.registry!, sink, state.now());
  checkServerConfig(config!.server, sink);
  checkDiscoveryMeta(sections!.discoveryMeta, sink);
  warnUnknownAttributes(sections!.rps, sections!.pipes, sink);

  const server = config!.server;
  if (server && typeof server === 'object') Object.assign(server, state.options.server);
  state.logger = state.options.logger ?? createLogger(config!.log?.level ?? 'info');
  state.issuer = config!.issuer ?? `http://${server?.host ?? '127.0.0.1'}:${server?.port ?? 8080}${server?.base_path ?? ''}`;
  if (config!.issuer === undefined && ['0.0.0.0', '::'].includes(server?.host ?? '')) {
    sink.warn('schema', `no issuer is set and the server listens on every interface: tokens will say iss '${state.issuer}'; set issuer to the URL clients use`, ['server', 'host']);
  }
  warnPortOverride(state);
  const ownPath = URL.canParse(state.issuer) ? issuerPath(state.issuer) : '';
  checkMetricsConfig(config!.metrics, server, server?.base_path ?? ownPath, ownPath, sink);
  if (config!.metrics?.enabled) state.metrics = state.options.metrics ?? new SluiceMetrics();
}

/**
 * `--port 9000` with `issuer: http://127.0.0.1:8080` publishes endpoints where nothing
 * listens. Behind a proxy the ports differ on purpose, so only a loopback issuer is judged.
 */
function warnPortOverride(state: LoadState): void {
  const port = state.options.server?.port;
  const issuer = state.config!.issuer;
  if (!port || issuer === undefined || !URL.canParse(issuer)) return; // 0: any free port
  const url = new URL(issuer);
  const issuerPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (isLoopbackHost(url.hostname) && issuerPort !== port) {
    state.sink.warn('schema', `the server listens on port ${port} (--port) but the issuer says ${issuerPort}: discovery sends clients to ${issuer}; change issuer too, unless a proxy or load balancer answers there`, ['issuer']);
  }
}

/** Identity providers whose tokens are grants: one key set each, built once. */
function trustedIssuers(state: LoadState): void {
  state.trustedIssuers = new Map();
  for (const [config, i] of state.sections!.trusted_issuers) {
    const problem = keySourceProblem(config);
    if (problem) {
      state.sink.add('schema', problem.message, ['trusted_issuers', i, ...problem.path]);
      continue;
    }
    try {
      state.trustedIssuers.set(config.id, buildTrustedIssuer(config));
    } catch (error) {
      state.sink.add('schema', `unusable keys: ${(error as Error).message}`, ['trusted_issuers', i, 'jwks']);
    }
  }
}

async function keystores(state: LoadState): Promise<void> {
  const { sink } = state;
  const rotation: RotationContext = { now: state.now, maxAge: state.config!.server.jwks_max_age, logger: state.logger! };
  checkManagedEntries(state.sections!.keystores, sink);
  // Loaded side by side, kept in config order: /jwks lists keys in the same order in every
  // process (workers, restarts), whichever key finished loading first.
  const results = await Promise.all(state.sections!.keystores.map(async ([ks, i]): Promise<Keystore> => {
    try {
      if (ks.type === 'managed') return managedKeystore(state, ks, i, rotation);
      const keystore = await loadKeystore(ks, { baseDir: state.baseDir, generateKey: state.options.generateKey, onFileRead: noteRead(state) });
      if (ks.type === 'generated') sink.warn('keystore_invalid', `keystore '${ks.id}' is generated at start: tokens stop verifying after a restart; for development only`, ['keystores', i, 'type']);
      return keystore;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      sink.addError(error, ['keystores', i]);
      return failedKeystore(ks.id); // reported once, here; valves still compile
    }
  }));
  checkDuplicateKids(state.sections!.keystores, results, sink);
  state.rotation = rotation;
  const loaded = keystoresById(state.sections!.keystores, results, state.rotation);
  // An entry the schema rejected (a mistyped type, say) was reported there; valves that name
  // its id see it as known-but-broken, not also as an "unknown keystore".
  const accepted = new Set(state.sections!.keystores.map(([, i]) => i));
  const declared: unknown[] = Array.isArray(state.config!.keystores) ? state.config!.keystores : [];
  declared.forEach((entry, i) => {
    const id = (entry as { id?: unknown } | null)?.id;
    if (!accepted.has(i) && typeof id === 'string' && id !== '' && !loaded.has(id)) loaded.set(id, failedKeystore(id));
  });
  state.keystores = loaded;
}

/** A managed keystore keeps its keys in the store: with the memory store they die with the process. */
function managedKeystore(state: LoadState, config: KeystoreConfig, i: number, rotation: RotationContext): Keystore {
  if (state.config!.store?.type !== 'redis') {
    state.sink.warn('keystore_invalid', `keystore '${config.id}' keeps its keys in the memory store: they are lost at a restart (tokens stop verifying) and each instance has its own; use store: { type: redis } to share them`, ['keystores', i, 'type']);
  }
  return createManaged(config, rotation);
}

/**
 * The store: one per process, so a reload passes the running one and used assertion ids
 * stay used. Its config is checked here; creating it does not connect (serve waits for
 * Redis, check never needs it). A config with errors gets no engine: a memory store stands in.
 */
function store(state: LoadState): void {
  checkStoreConfig(state.config!.store, state.sink);
  const running = state.options.runningStore;
  if (state.options.store) state.store = state.options.store;
  else if (running && !state.sink.hasErrors && isDeepStrictEqual(running.config, state.config!.store)) state.store = running.store;
  else if (state.sink.hasErrors) state.store = new MemoryStore({ now: state.now });
  else state.store = createStore(state.config!.store, { now: state.now, logger: state.logger! });
  if (state.metrics) state.store = countStoreErrors(state.store, state.metrics);
  // Rotation groups record when each key entered its state here (keystores/rotation.ts).
  if (state.rotation) state.rotation.store = state.store;
}

/**
 * Each valve's config validated and compiled once, create() called; then the pipe's
 * wiring (what each valve reads, some earlier one writes). Valves reach clients only per
 * request, through `state.clients`, which the next phase fills.
 */
async function pipes(state: LoadState): Promise<void> {
  const { issuer, keystores: stores, now } = state;
  const authenticator = state.options.authenticator ?? new ClientAuthenticator();
  const store = state.store!;
  // equalizeWith is set once the clients are known (see `clients`).
  const verifyContext: { -readonly [K in keyof VerifyContext]: VerifyContext[K] } = { issuer: issuer!, tokenEndpoint: issuer + PATHS.token, now, store };
  const clients = new Map<string, RegisteredClient>();
  Object.assign(state, { authenticator, verifyContext, clients });
  const tokenVerifier = { issuer: issuer!, keystores: stores!, verifyContext };
  const verifiableKeys = new VerifiableKeys(stores!, now);
  // By id, valves find `keystores:` entries only; inline ones join `stores` as they load.
  const declared = new Map(stores!);
  const inline = new InlineKeystores(stores!, state.baseDir, noteRead(state));
  // The services outlive the load: they hold what they use, not `state` (which holds the
  // file's text and its data as written, for 100,000 RPs some hundred MB).
  const pipes = new Map<string, CompiledPipe>();
  const trustedIssuers = state.trustedIssuers!;
  const trustedIssuerIds = Object.freeze(declaredIds(state.config!.trusted_issuers));
  state.services = {
    issuer: issuer!,
    tokenEndpoint: verifyContext.tokenEndpoint,
    logger: state.logger!,
    store,
    keystore: (id) => declared.get(id),
    keystoreIds: () => [...declared.keys()],
    inlineKeystore: (config) => inline.load(config),
    compileTemplate: (value, options) => compileValue(value, now, options),
    compileExpression: (source, options) => compileExpression(source, now, options?.path),
    // Not async: the usual success comes back as an already settled promise (flow-state.ts).
    authenticateClient: (flow) => {
      const registered = clients.get(flow.client.client_id);
      if (!registered) return Promise.reject(new Error(`flow for unknown client '${flow.client.client_id}'`));
      return authenticateFlow(flow, registered, authenticator, verifyContext);
    },
    verifyAssertion: (flow, options = {}) => {
      const all = [...trustedIssuers.values()];
      const issuers = options.issuers ? all.filter((i) => options.issuers!.includes(i.id)) : all;
      return verifyFlowAssertion(flow, (token) => verifyIncomingToken(token, issuers, now()));
    },
    // Every declared id, usable or not: a broken issuer is reported once, where it is.
    trustedIssuerIds: () => trustedIssuerIds,
    roles: Object.freeze([...(state.config!.roles ?? [])]),
    now,
    tokenIsActive: async (token) => (await checkAccessToken(tokenVerifier, token)).ok,
    activeTokenRecord: (token) => recordActiveToken(tokenVerifier, token),
    recordIsActive: (record) => recordIsActive(tokenVerifier, verifiableKeys, record),
    http: httpClient,
    pipe: (id) => pipeRunner(id, () => pipes),
  };
  state.pipes = pipes;
  const reach = pipeReach(state.sections!.pipes, state.registry!);
  const called = calledPipeIds(state.sections!.pipes, state.registry!);
  const keyUses: KeyUse[] = (state.keyUses = []);
  for (const [pipe, i] of state.sections!.pipes) {
    const facts = { called: called.has(pipe.id), answers: reach(pipe.id).answers };
    const compiled = await compilePipe(pipe, i, state.registry!, notingKeyUse(state.services, pipe, i, keyUses), state.sink, facts, state.metrics);
    if (compiled) state.pipes.set(pipe.id, compiled);
  }
  checkPipeCalls(state.sections!.pipes, state.sections!.declaredPipeIds, state.registry!, state.sink);
  checkPipeWiring({ pipes: state.sections!.pipes, rps: state.sections!.rps, registry: state.registry!, issuer: issuer! }, state.sink);
}

function declaredIds(items: unknown): string[] {
  return Array.isArray(items) ? items.map((i) => (i as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string') : [];
}

function clients(state: LoadState): void {
  checkAssertionPipes(state.sections!.rps, state.pipes!, state.sink);
  buildClients(state.sections!.rps, state.pipes!, state.sink, state.now(), state.clients!);
  // A failed authentication costs what the costliest hashed secret here costs to check.
  const hashes: ScryptCost[] = [];
  for (const client of state.clients!.values()) for (const s of client.secrets) if (s.kind === 'hash' && s.hash.kind === 'scrypt') hashes.push(s.hash);
  (state.verifyContext as { equalizeWith?: ScryptCost }).equalizeWith = costliest(hashes);
}

/** Keys that load but would hurt in operation: warnings only (key-warnings.ts). */
function keyWarnings(state: LoadState): void {
  const configs = state.sections!.keystores;
  warnUnpublishedSigners(configs, state.keyUses!, state.sink);
  warnExpiringCertificates(configs, state.keystores!, state.keyUses!, state.now(), state.sink);
}

export const LOAD_PHASES: readonly LoadPhase[] = [
  { name: 'parse', run: parse },
  { name: 'load-time values', run: loadTimeValues },
  { name: 'plugins', run: plugins },
  { name: 'schema', run: schema },
  { name: 'cross-references', run: crossReferences },
  { name: 'trusted issuers', run: trustedIssuers },
  { name: 'keystores', run: keystores },
  { name: 'store', run: store },
  { name: 'pipes', run: pipes },
  { name: 'clients', run: clients },
  { name: 'key warnings', run: keyWarnings },
];
