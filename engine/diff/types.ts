/**
 * What `sluice diff OLD NEW` reports: the changes a reload from OLD to NEW would apply.
 * This is the `--json` shape; the text form (format.ts) is one line per change. Values
 * that may be secret (client secrets and their hashes, valve configs, the store's URL)
 * are never carried, only the fact that they changed.
 */
import type { Engine } from '../engine.js';
import type { KeyUse } from '../keystores/key-use.js';

/** One loaded config, as `check` loads it. */
export interface LoadedConfig {
  readonly file: string;
  readonly engine: Engine;
  readonly keyUses: readonly KeyUse[];
}

export type RpChange =
  | { readonly field: 'pipe'; readonly grant_type: string; readonly from: string | null; readonly to: string | null }
  | { readonly field: 'token_endpoint_auth_method'; readonly from: string; readonly to: string }
  | { readonly field: 'scopes'; readonly added: readonly string[]; readonly removed: readonly string[] }
  /** A secret, hash or rotation list changed: which one and how is not said. */
  | { readonly field: 'secret' }
  /** Any other field: its name only (attributes, audiences, jwks…). */
  | { readonly field: string; readonly changed: true };

export interface PipeSummary {
  readonly id: string;
  /** The clients that use it, for any grant type (in NEW; in OLD for a removed pipe). */
  readonly used_by: readonly string[];
}

export type PipeChange =
  | { readonly kind: 'valves'; readonly from: readonly string[]; readonly to: readonly string[] }
  /** The same valves in the same order; these (1-based) changed their config, enabled or exec_if. */
  | { readonly kind: 'valve'; readonly position: number; readonly name: string; readonly fields: readonly string[] };

export interface KeyChange {
  readonly kid: string;
  readonly keystore: string;
  /**
   * Retired keys: OLD signs tokens with it, so tokens it issued stop verifying before they
   * expire (keep a key published for the longest token lifetime after it stops signing).
   */
  readonly still_signing?: boolean;
}

export interface GeneratedKeystoreChange {
  readonly keystore: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** alg and publish, old and new (a generated keystore has no other settings). */
  readonly from?: { readonly alg: string; readonly publish: boolean };
  readonly to?: { readonly alg: string; readonly publish: boolean };
}

export interface SigningChange {
  /** A pipe, or a keystore whose own key changed. */
  readonly pipe?: string;
  readonly keystore?: string;
  /** kids; a generated keystore is `generated:ID` (its kid is new at every start). */
  readonly from: readonly string[];
  readonly to: readonly string[];
  /**
   * kids in `to` that OLD does not publish: a resource server holding OLD's /jwks in its
   * cache cannot verify tokens they sign until it fetches /jwks again (publish first, then sign).
   */
  readonly unannounced: readonly string[];
}

export interface SettingChange {
  /** `issuer`, `server.port`, `store.type`, `store.url`, `log.level`, `plugins`, `roles`, `oidc.discovery_meta`. */
  readonly setting: string;
  /** Shown for settings that are never secret; absent for the others. */
  readonly from?: unknown;
  readonly to?: unknown;
  /** The running server keeps the old value until it restarts: a reload does not apply it. */
  readonly restart: boolean;
}

export interface ConfigDiff {
  readonly old: string;
  readonly new: string;
  readonly changed: boolean;
  readonly rps: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: ReadonlyArray<{ readonly client_id: string; readonly changes: readonly RpChange[] }> };
  readonly pipes: { readonly added: readonly PipeSummary[]; readonly removed: readonly PipeSummary[]; readonly changed: ReadonlyArray<PipeSummary & { readonly changes: readonly PipeChange[] }> };
  readonly keys: { readonly published: readonly KeyChange[]; readonly retired: readonly KeyChange[]; readonly replaced: readonly KeyChange[]; readonly generated: readonly GeneratedKeystoreChange[] };
  readonly signing: readonly SigningChange[];
  readonly trusted_issuers: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: ReadonlyArray<{ readonly id: string; readonly fields: readonly string[] }> };
  readonly settings: readonly SettingChange[];
}
