/**
 * What the load phases pass along. Each phase reads what earlier ones set and adds its
 * own part; a phase that leaves nothing usable for later ones sets `stopped`.
 */
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { ClientAuthenticator, VerifyContext } from '../client-auth/authenticate.js';
import type { CheckedSections } from '../config/cross-refs.js';
import type { ConfigSource } from '../config/source.js';
import type { ServerConfig, SluiceConfig } from '../config/types.js';
import type { DiagnosticSink } from '../diagnostics.js';
import type { RegisteredClient } from '../engine.js';
import type { KeyUse } from '../keystores/key-use.js';
import type { RotationContext } from '../keystores/rotation.js';
import type { Keystore, KeystoreConfig } from '../keystores/types.js';
import type { CompiledPipe } from '../pipes.js';
import type { EngineServices, ValveDefinition } from '../plugin-api.js';
import type { ValveRegistry } from '../registry.js';
import type { TrustedIssuer } from '../trusted-issuers.js';
import type { StoreConfig } from '../store/config.js';
import type { Store } from '../store/types.js';
import type { SluiceMetrics } from '../metrics/metrics.js';

export interface LoadOptions {
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  now?: () => number;
  /**
   * The client authenticator to use. A reload passes the running one, so its cache of
   * verified secrets and its KDF bounds carry over.
   */
  authenticator?: ClientAuthenticator;
  /** The store to use (a `--workers` worker passes the primary's); default the one `store` configures. */
  store?: Store;
  /**
   * A reload offers the running store and the `store` config it was made from: used when the
   * new config's `store` is the same, so its contents (used assertion ids, revocations, rate
   * counters, cached tokens) carry over; else the new config's store is made.
   */
  runningStore?: { readonly config: StoreConfig; readonly store: Store };
  /**
   * Valve definitions to register after the config's plugins, as if a plugin provided them
   * (the test kit, sluice/testing, runs a definition it was handed this way).
   */
  valves?: ReadonlyArray<{ readonly definition: ValveDefinition<never>; readonly origin: string }>;
  /**
   * The private key of a `generated` keystore (default: a fresh one). `serve --workers`
   * generates once in the primary and hands the same keys to every worker, so that all
   * of them sign with, and publish, one key.
   */
  generateKey?: (config: KeystoreConfig) => Promise<KeyObject>;
  /**
   * Overrides of `server` (they also shape the default issuer): the command line's, or on a
   * reload every listener setting of the running server (a restart applies new ones).
   */
  server?: Partial<ServerConfig>;
  /**
   * Where metrics are counted when the config enables them: a reload passes the running
   * one, so counters carry on (default: a new one).
   */
  metrics?: SluiceMetrics;
}

export interface LoadState {
  readonly file: string;
  readonly baseDir: string;
  readonly options: LoadOptions;
  readonly now: () => number;
  readonly source: ConfigSource;
  readonly sink: DiagnosticSink;
  stopped: boolean;
  /** Every file the load read or tried to read, absolute, the config file first (LoadResult.files). */
  readonly readFiles: Set<string>;
  /** parse: the document as written. */
  raw?: Record<string, unknown>;
  /** load-time values: `${env|globals|file}` resolved; then validated in place. */
  config?: SluiceConfig;
  /** plugins: built-in valves and the config's plugins. */
  registry?: ValveRegistry;
  /** schema: the items the schema accepted, for the checks after it. */
  sections?: CheckedSections;
  /** cross-references: the issuer tokens will carry, and the logger. */
  issuer?: string;
  logger?: Logger;
  /** cross-references: where metrics are counted; undefined when they are off. */
  metrics?: SluiceMetrics;
  trustedIssuers?: Map<string, TrustedIssuer>;
  keystores?: Map<string, Keystore>;
  /** Shared by the rotation groups among the keystores; the store phase gives it the store. */
  rotation?: RotationContext;
  /** store: the one the config names (or the running one, on reload). */
  store?: Store;
  authenticator?: ClientAuthenticator;
  verifyContext?: VerifyContext;
  services?: EngineServices;
  pipes?: Map<string, CompiledPipe>;
  /** pipes: the keystores each pipe's valves asked for (they sign with them). */
  keyUses?: KeyUse[];
  clients?: Map<string, RegisteredClient>;
}
