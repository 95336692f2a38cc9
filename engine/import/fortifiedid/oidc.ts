/**
 * A FortifiedID OIDC module's config → the parts of a Sluice config it maps to: issuer,
 * server.port, oidc.discovery_meta, a keystore, and the client_credentials RPs. What has
 * no Sluice meaning is reported where it is written (a warning: the rest still imports).
 */
import { COMPUTED_METADATA, isUnservedEndpoint } from '../../config/discovery-meta.js';
import { FORTIFIEDID_RP_KEYS, FORTIFIEDID_SAME_RP_KEYS } from '../../config/fortifiedid-rp-keys.js';
import type { ConfigPath } from '../../errors.js';
import { isMap, type FoundModule, type Json } from './modules.js';

/** The id the module's keystore gets in `keystores:` (a CreateJwt `keystore: oidc` signs with it). */
export const OIDC_KEYSTORE_ID = 'oidc';
/** Where the issuer comes from when the input does not say it. */
export const ISSUER_ENV = 'SLUICE_ISSUER';

const AUTH_CODE = 'Sluice serves machine-to-machine clients only (no authorization code flow)';
const NO_REFRESH = 'no refresh tokens are issued (client_credentials clients ask again, RFC 6749 section 4.4.3)';

/** Module keys read here (pipes: by pipes.ts, when one config is both), and the ones dropped with why; any other is reported. */
const READ_KEYS = new Set(['pipes', 'rps', 'discovery_meta', 'http_port', 'http_context', 'tenant_op_path', 'keystore', 'sign_jwt_keystore_password', 'sign_jwt_keystore_alias']);
const DROPPED_KEYS: Readonly<Record<string, string>> = {
  required_request_parameters: AUTH_CODE,
  code_verifier_hash_alg: `${AUTH_CODE}, so no PKCE`,
  enable_refresh_token: NO_REFRESH,
  use_refresh_token: NO_REFRESH,
  reuse_refresh_token: NO_REFRESH,
};

export interface OidcPart {
  readonly issuer: string;
  /** The issuer came from the input (discovery_meta.issuer), not the environment. */
  readonly issuerFromInput: boolean;
  readonly port?: number;
  readonly discoveryMeta?: Json;
  readonly keystore?: Json;
  readonly rps: Json[];
}

export function convertOidcModule(module: FoundModule, leftOutPipes: ReadonlySet<string>, carriedPipes: ReadonlySet<string>): OidcPart {
  const { config, path, input } = module;
  const warn = (message: string, at: ConfigPath, atKey = false): void => input.sink.add('schema', message, [...path, ...at], { atKey, severity: 'warning' });
  for (const key of Object.keys(config)) {
    if (READ_KEYS.has(key)) continue;
    const why = DROPPED_KEYS[key];
    warn(why ? `'${key}' is not carried over: ${why}` : `'${key}' is not carried over: Sluice has no equivalent`, [key], true);
  }

  const meta = isMap(config.discovery_meta) ? { ...config.discovery_meta } : undefined;
  if (config.discovery_meta !== undefined && !meta) warn('discovery_meta is not an object: not carried over', ['discovery_meta']);
  let issuer: string | undefined;
  if (meta && typeof meta.issuer === 'string') {
    issuer = meta.issuer;
    warn('the issuer is written as issuer: (Sluice publishes discovery from it)', ['discovery_meta', 'issuer'], true);
  }
  // FortifiedID's endpoints (its host, its paths) would point Sluice's callers at the old server.
  for (const key of [...COMPUTED_METADATA, ...Object.keys(meta ?? {}).filter(isUnservedEndpoint)]) {
    if (!meta || !Object.hasOwn(meta, key)) continue;
    const why = isUnservedEndpoint(key) ? 'Sluice has no such endpoint' : 'Sluice computes it from the issuer';
    if (key !== 'issuer') warn(`discovery_meta '${key}' is not carried over: ${why}`, ['discovery_meta', key], true);
    delete meta[key];
  }
  if (issuer === undefined) {
    const at = ['http_context', 'tenant_op_path'].find((k) => Object.hasOwn(config, k));
    warn(`the issuer is not in the input (FortifiedID derives it from http_context and tenant_op_path): the output says issuer: \${env.${ISSUER_ENV}}; set ${ISSUER_ENV} to the iss FortifiedID's tokens carry, which resource servers check`, at ? [at] : [], at !== undefined);
  }

  let port: number | undefined;
  if (Number.isInteger(config.http_port)) port = config.http_port as number;
  else if (config.http_port !== undefined) warn('http_port is not a whole number: not carried over', ['http_port']);

  return {
    issuer: issuer ?? `\${env.${ISSUER_ENV}}`,
    issuerFromInput: issuer !== undefined,
    port,
    discoveryMeta: meta,
    keystore: convertKeystore(config, warn),
    rps: convertRps(module, leftOutPipes, carriedPipes),
  };
}

/**
 * The module's keystore as a Sluice keystore, when it is written inline ({path, password,
 * type}). FortifiedID signs ID tokens with it; Sluice issues none, so it only matters
 * when a pipe's CreateJwt names it (keystore: oidc).
 */
function convertKeystore(config: Json, warn: (message: string, at: ConfigPath, atKey?: boolean) => void): Json | undefined {
  const ks = config.keystore;
  if (ks === undefined) {
    for (const key of ['sign_jwt_keystore_password', 'sign_jwt_keystore_alias']) {
      if (Object.hasOwn(config, key)) warn(`'${key}' is not carried over: there is no keystore beside it`, [key], true);
    }
    return undefined;
  }
  if (!isMap(ks) || typeof ks.path !== 'string') {
    warn('keystore is not carried over: only an inline {path, password, type} keystore can be; declare it under keystores: yourself', ['keystore']);
    return undefined;
  }
  const type = keystoreType(ks.type, ks.path);
  if (!type) {
    warn(`keystore type '${String(ks.type)}' is not carried over: Sluice reads PKCS#12 and PEM (convert a JKS with keytool -importkeystore -deststoretype pkcs12)`, isMap(ks) && ks.type !== undefined ? ['keystore', 'type'] : ['keystore']);
    return undefined;
  }
  const password = ks.password ?? config.sign_jwt_keystore_password;
  const alias = ks.alias ?? config.sign_jwt_keystore_alias;
  if (typeof password === 'string' && !password.startsWith('${')) {
    const at = ks.password !== undefined ? ['keystore', 'password'] : ['sign_jwt_keystore_password'];
    warn(`the keystore password is written in clear into the output: move it to \${env.NAME}`, at);
  }
  return {
    id: OIDC_KEYSTORE_ID,
    type,
    path: ks.path,
    ...(typeof password === 'string' ? { password } : {}),
    ...(typeof alias === 'string' ? { alias } : {}),
  };
}

function keystoreType(type: unknown, path: string): 'pkcs12' | 'pem' | undefined {
  const written = typeof type === 'string' ? type.toLowerCase() : undefined;
  if (written === 'pkcs12' || (written === undefined && /\.(p12|pfx)$/i.test(path))) return 'pkcs12';
  if (written === 'pem' || (written === undefined && /\.pem$/i.test(path))) return 'pem';
  return undefined;
}

/** The RPs Sluice can serve: those with a client_credentials pipe that came over. */
function convertRps(module: FoundModule, leftOutPipes: ReadonlySet<string>, carriedPipes: ReadonlySet<string>): Json[] {
  const { config, path, input } = module;
  const warn = (message: string, at: ConfigPath, atKey = false): void => input.sink.add('schema', message, [...path, 'rps', ...at], { atKey, severity: 'warning' });
  if (config.rps === undefined) return [];
  if (!Array.isArray(config.rps)) {
    warn('rps is not a list: not carried over', []);
    return [];
  }
  const rps: Json[] = [];
  config.rps.forEach((rp: unknown, i) => {
    if (!isMap(rp) || typeof rp.client_id !== 'string') {
      warn('an RP needs a client_id: not carried over', [i]);
      return;
    }
    const who = `RP '${rp.client_id}'`;
    const pipeId = rp.client_credentials_pipe_id;
    if (typeof pipeId !== 'string') {
      warn(`${who} has no client_credentials_pipe_id (an authorization-code RP): Sluice serves client_credentials only; not carried over`, [i, 'client_id']);
      return;
    }
    if (!carriedPipes.has(pipeId)) {
      const why = leftOutPipes.has(pipeId) ? 'was not carried over' : 'is in none of the inputs';
      warn(`${who}: its pipe '${pipeId}' ${why}; the RP is not carried over`, [i, 'client_credentials_pipe_id']);
      return;
    }
    const out: Json = {};
    for (const key of Object.keys(rp)) {
      if ((FORTIFIEDID_SAME_RP_KEYS as readonly string[]).includes(key)) {
        out[key] = rp[key];
        continue;
      }
      const advice = Object.hasOwn(FORTIFIEDID_RP_KEYS, key) ? FORTIFIEDID_RP_KEYS[key]!.advice : 'Sluice has no equivalent';
      warn(`${who}: '${key}' is not carried over: ${advice}`, [i, key], true);
    }
    // The secret is the config, so it is carried; the message never holds it.
    if (typeof rp.client_secret === 'string' && !rp.client_secret.startsWith('${')) {
      warn(`${who}: client_secret is written in clear into the output: move it to \${env.NAME}, or to client_secret_hash (sluice secret hash)`, [i, 'client_secret']);
    } else if (rp.client_secret === undefined) {
      warn(`${who} has no client_secret: Sluice authenticates every client; give it one (or private_key_jwt keys)`, [i, 'client_id']);
    }
    rps.push(out);
  });
  return rps;
}
