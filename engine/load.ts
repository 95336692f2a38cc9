/**
 * Config file → Engine: read, parse (positions kept), load plugins, resolve load-time
 * `${…}`, validate the schema, check cross references, load keystores, compile pipes.
 * Problems are collected as diagnostics; an Engine is built only when there are none.
 * `sluice check` and `sluice serve` both come through here, so they agree.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ClientAuthenticator } from './client-auth/authenticate.js';
import { buildClients } from './clients.js';
import { checkCrossReferences, type CheckedSections, type Indexed } from './config/cross-refs.js';
import { resolveLoadTime } from './config/resolve-load-time.js';
import { buildBaseSchema } from './config/base-schema.js';
import { createAjv, validateWith } from './config/schema.js';
import { ConfigSource } from './config/source.js';
import { warnUnknownAttributes } from './config/template-fields.js';
import type { PipeConfig, RpConfig, SluiceConfig } from './config/types.js';
import { DiagnosticSink, startsWith, type Diagnostic } from './diagnostics.js';
import { Engine, PATHS, type RegisteredClient } from './engine.js';
import { ConfigError } from './errors.js';
import { checkServerConfig } from './http/server-config.js';
import { loadKeystore } from './keystores/load.js';
import type { Keystore, KeystoreConfig } from './keystores/types.js';
import { createLogger } from './logger.js';
import { compilePipe, type CompiledPipe } from './pipes.js';
import { checkPipeWiring } from './pipe-wiring.js';
import type { EngineServices } from './plugin-api.js';
import { loadPlugins } from './plugins.js';
import { ValveRegistry } from './registry.js';
import { compileValue } from './template.js';
import { registerBuiltInValves } from '../valves/index.js';
import { failedKeystore } from './keystores/failed.js';
import { checkDuplicateKids } from './keystores/duplicate-kids.js';
import { authenticateFlow } from './flow-state.js';

export interface LoadOptions {
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  now?: () => number;
  /**
   * The client authenticator to use. A reload passes the running one, so its cache of
   * verified secrets and its KDF bound carry over.
   */
  authenticator?: ClientAuthenticator;
  /** Command-line overrides of `server` (they also shape the default issuer). */
  server?: { host?: string; port?: number };
}

export interface LoadResult {
  diagnostics: Diagnostic[];
  engine?: Engine;
  /** The valve registry, plugins included (for `sluice schema`). */
  registry?: ValveRegistry;
}

const validateBase = createAjv({ coerceTypes: true }).compile(buildBaseSchema());

export async function createRegistry(): Promise<ValveRegistry> {
  const registry = new ValveRegistry();
  registerBuiltInValves(registry);
  return registry;
}

export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { diagnostics: [{ file, line: 1, col: 1, severity: 'error', code: 'file_unreadable', message: `cannot read config file (${code})` }] };
  }
  return loadConfigText(file, text, options);
}

export async function loadConfigText(file: string, text: string, options: LoadOptions = {}): Promise<LoadResult> {
  const source = new ConfigSource(file, text);
  const sink = new DiagnosticSink(source);
  const done = (extra: Partial<LoadResult> = {}): LoadResult => ({ diagnostics: sink.sorted(), ...extra });
  for (const e of source.syntaxErrors) sink.items.push({ file, ...e.position, severity: 'error', code: e.code, message: e.message });
  if (sink.hasErrors) return done();
  const raw = source.data;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    sink.add('schema', 'the config must be a mapping (issuer, rps, pipes, …)', []);
    return done();
  }
  const baseDir = dirname(resolve(file));
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  const resolved = resolveLoadTime(raw as Record<string, unknown>, { baseDir, env: options.env ?? process.env, sink });
  const registry = await createRegistry();
  const plugins = resolved.plugins;
  if (Array.isArray(plugins)) await loadPlugins(plugins.filter((p): p is string => typeof p === 'string'), baseDir, registry, sink);

  const broken = validateWith(validateBase, resolved, sink);
  const config = resolved as unknown as SluiceConfig;
  // Items the schema rejected are left out of later checks, so one mistake is told once.
  // A section is unusable only when the section itself is wrong (rps is not a list); an
  // item is left out when an error lies inside it.
  const indexed = <T>(section: 'keystores' | 'rps' | 'pipes'): Array<Indexed<T>> => {
    const list: unknown = config[section];
    if (!Array.isArray(list) || broken.some((b) => b.length === 1 && b[0] === section)) return [];
    return (list as T[]).map((item, i) => [item, i] as const).filter(([, i]) => !broken.some((b) => startsWith(b, [section, i])));
  };
  const sections: CheckedSections = {
    keystores: indexed<KeystoreConfig>('keystores'),
    rps: indexed<RpConfig>('rps'),
    pipes: indexed<PipeConfig>('pipes'),
    declaredPipeIds: Array.isArray(config.pipes) ? config.pipes.map((p) => String((p as { id?: unknown } | null)?.id)) : [],
    discoveryMeta: config.oidc?.discovery_meta ?? {},
  };
  checkCrossReferences(sections, raw as Record<string, unknown>, registry, sink);
  checkServerConfig(config.server, sink);
  warnUnknownAttributes(sections.rps, sections.pipes, sink);

  if (config.server && typeof config.server === 'object') Object.assign(config.server, options.server);
  const logger = options.logger ?? createLogger(config.log?.level ?? 'info');
  const issuer = config.issuer ?? `http://${config.server?.host ?? '127.0.0.1'}:${config.server?.port ?? 8080}${config.server?.base_path ?? ''}`;
  if (config.issuer === undefined && ['0.0.0.0', '::'].includes(config.server?.host ?? '')) {
    sink.warn('schema', `no issuer is set and the server listens on every interface: tokens will say iss '${issuer}'; set issuer to the URL clients use`, ['server', 'host']);
  }

  const keystores = new Map<string, Keystore>();
  await Promise.all(sections.keystores.map(async ([ks, i]) => {
    try {
      const loaded = await loadKeystore(ks, { baseDir });
      keystores.set(ks.id, loaded);
      if (ks.type === 'generated') sink.warn('keystore_invalid', `keystore '${ks.id}' is generated at start: tokens stop verifying after a restart; for development only`, ['keystores', i, 'type']);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      sink.addError(error, ['keystores', i]);
      keystores.set(ks.id, failedKeystore(ks.id)); // reported once, here; valves still compile
    }
  }));
  checkDuplicateKids(sections.keystores, keystores, sink);

  const authenticator = options.authenticator ?? new ClientAuthenticator();
  const verifyContext = { issuer, tokenEndpoint: issuer + PATHS.token, now };
  const clients = new Map<string, RegisteredClient>();
  const services: EngineServices = {
    issuer,
    tokenEndpoint: verifyContext.tokenEndpoint,
    logger,
    keystore: (id) => keystores.get(id),
    keystoreIds: () => [...keystores.keys()],
    compileTemplate: (value) => compileValue(value, now),
    authenticateClient: async (flow) => {
      const registered = clients.get(flow.client.client_id);
      if (!registered) throw new Error(`flow for unknown client '${flow.client.client_id}'`);
      await authenticateFlow(flow, registered, authenticator, verifyContext);
    },
    now,
  };

  const pipes = new Map<string, CompiledPipe>();
  for (const [pipe, i] of sections.pipes) {
    const compiled = await compilePipe(pipe, i, registry, services, sink);
    if (compiled) pipes.set(pipe.id, compiled);
  }
  checkPipeWiring({ pipes: sections.pipes, rps: sections.rps, registry, issuer }, sink);

  // Pipes compile before clients exist; valves reach clients only per request, through this map.
  for (const [id, client] of buildClients(sections.rps, pipes, sink)) clients.set(id, client);

  if (sink.hasErrors) return done({ registry });
  const engine = new Engine({ config, file, issuer, keystores, clients, authenticator, verifyContext, logger });
  return done({ engine, registry });
}
