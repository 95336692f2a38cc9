/**
 * CreateJwt's key: the id of a `keystores:` entry, or FortifiedID's inline form
 *
 *   keystore: { path: keystore.p12, password: ${env.P12_PASSWORD}, type: PKCS12 }
 *   keystore_alias: jwt          # FortifiedID: "If no alias is configured, the first alias will be used"
 *   keystore_password: …         # the key's password; for PKCS#12 the file's (see below)
 *
 * loaded at load time through the engine (engine.inlineKeystore), like any keystore, and
 * published at /jwks. What check() refuses here, create() refuses with the same message
 * at the same place (told once), so a disabled valve is checked too.
 */
import { ConfigError, parseTemplate, type ConfigPath, type EngineServices, type InlineKeystoreConfig, type JsonSchema, type Keystore, type ValveProblem } from '../engine/index.js';

export interface InlineKeystore {
  path: string;
  password?: string;
  type?: string;
}

export interface KeystoreKeys {
  keystore: string | InlineKeystore;
  keystore_alias?: string;
  keystore_password?: string;
}

export const KEYSTORE_PROPERTIES: Readonly<Record<string, JsonSchema>> = {
  keystore: {
    // One schema for both forms: pattern applies to the id, the object keywords to the inline form.
    type: ['string', 'object'],
    minLength: 1,
    pattern: '^[^$]*$',
    patternMessage: 'must be a keystore id, not an expression',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', minLength: 1, description: 'The key file, relative to the config file.' },
      password: { type: 'string', description: 'The file\'s password; prefer ${env.NAME} or ${file.PATH}.' },
      type: { type: 'string', description: 'PKCS12 (any case; the default). JKS must be converted to PKCS12.' },
    },
    description: 'Id of the keystore that signs, or inline as FortifiedID writes it: {path, password, type: PKCS12}.',
  },
  keystore_alias: { type: 'string', minLength: 1, description: 'Inline keystore: the key\'s alias (friendly name). Default: the first key.' },
  keystore_password: { type: 'string', description: 'Inline keystore: the key\'s password; PKCS#12 has one password, so it must equal keystore.password when both are given.' },
};

/** FortifiedID passes `type` to Java's KeyStore, which reads these; Sluice reads PKCS#12 only. */
const JAVA_ONLY_TYPES = ['jks', 'jceks'];

const INLINE_ONLY = ['keystore_alias', 'keystore_password'] as const;

/** A load-time value as its text (resolve-load-time spells it as template source), or undefined when it holds a per-request `${…}`. */
function literal(source: string): string | undefined {
  let parts;
  try {
    parts = parseTemplate(source);
  } catch {
    return source; // a syntax error is reported by the template check, and the valve is not created
  }
  return parts.every((p): p is string => typeof p === 'string') ? parts.join('') : undefined;
}

function typeProblem(type: string | undefined): ValveProblem | undefined {
  if (type === undefined || type.toLowerCase() === 'pkcs12') return undefined;
  const path = ['keystore', 'type'];
  if (JAVA_ONLY_TYPES.includes(type.toLowerCase())) {
    return {
      path,
      code: 'keystore_invalid',
      message: `Sluice cannot read ${type} keystores (a Java-only format): convert the file to PKCS#12 with \`keytool -importkeystore -srckeystore FILE -destkeystore FILE.p12 -deststoretype PKCS12\`, then give that path and type: PKCS12`,
    };
  }
  return { path, code: 'keystore_invalid', message: `keystore type '${type}' is not supported inline: use PKCS12 (a .p12/.pfx file), or declare the key under keystores: and give its id` };
}

/** What the inline form means, or the first thing wrong with it. */
function resolveInline(config: KeystoreKeys, keystore: InlineKeystore): { spec: InlineKeystoreConfig } | { problem: ValveProblem } {
  const fields: Array<[ConfigPath, string | undefined]> = [
    [['keystore', 'path'], keystore.path],
    [['keystore', 'password'], keystore.password],
    [['keystore_alias'], config.keystore_alias],
    [['keystore_password'], config.keystore_password],
  ];
  const values = fields.map(([path, value]) => {
    const text = value === undefined ? undefined : literal(value);
    return { path, given: value !== undefined, text };
  });
  const perRequest = values.find((v) => v.given && v.text === undefined);
  if (perRequest) {
    // The value itself is not repeated: it may be (part of) a password.
    return { problem: { path: perRequest.path, message: 'the keystore is opened once, at load: use a literal, ${env.NAME} or ${file.PATH} here, not a per-request value' } };
  }
  const type = typeProblem(keystore.type);
  if (type) return { problem: type };
  const [path, storePassword, alias, keyPassword] = values.map((v) => v.text);
  // RFC 7292 lets each bag have its own password, but OpenSSL writes one, keytool ignores
  // -keypass for PKCS12 stores, and Sluice's reader opens the file with one: telling apart
  // a mistake from a second password is not possible, so two different ones are refused.
  if (storePassword !== undefined && keyPassword !== undefined && storePassword !== keyPassword) {
    return {
      problem: {
        path: ['keystore_password'],
        code: 'keystore_password',
        message: 'keystore_password differs from keystore.password: a PKCS#12 file has one password for the file and its keys (keytool ignores -keypass for PKCS12), so give the same one, or leave keystore_password out',
      },
    };
  }
  const password = storePassword ?? keyPassword;
  return { spec: { type: 'pkcs12', path: path!, ...(password === undefined ? {} : { password }), ...(alias === undefined ? {} : { alias }) } };
}

export function keystoreProblems(config: KeystoreKeys): ValveProblem[] {
  if (typeof config.keystore === 'string') {
    return INLINE_ONLY.filter((key) => config[key] !== undefined).map((key) => ({
      path: [key],
      atKey: true,
      message: `${key} applies to an inline keystore ({path, password, type}); keystore '${config.keystore}' is declared under keystores:, so set its alias and password there`,
    }));
  }
  const inline = resolveInline(config, config.keystore);
  return 'problem' in inline ? [inline.problem] : [];
}

/** Where a loader's error (relative to the keystore it loaded) is in CreateJwt's config. */
function configPath(loaderPath: ConfigPath, config: KeystoreKeys & { keystore: InlineKeystore }): ConfigPath {
  switch (loaderPath[0]) {
    case 'path':
      return ['keystore', 'path'];
    case 'alias':
      return ['keystore_alias'];
    case 'password':
      if (config.keystore.password !== undefined) return ['keystore', 'password'];
      return config.keystore_password !== undefined ? ['keystore_password'] : ['keystore'];
    default:
      return ['keystore'];
  }
}

/** The keystore CreateJwt signs with; throws ConfigError at the config key to fix. */
export async function signingKeystore(config: KeystoreKeys, engine: EngineServices): Promise<Keystore> {
  const { keystore } = config;
  if (typeof keystore === 'string') {
    const [problem] = keystoreProblems(config);
    if (problem) throw new ConfigError(problem.code ?? 'valve_config', problem.message, problem.path, { atKey: problem.atKey ?? false });
    const found = engine.keystore(keystore);
    if (!found) {
      throw new ConfigError('unknown_keystore', `unknown keystore '${keystore}'; keystores: ${engine.keystoreIds().join(', ') || 'none'}`, ['keystore']);
    }
    return found;
  }
  const inline = resolveInline(config, keystore);
  if ('problem' in inline) throw new ConfigError(inline.problem.code ?? 'valve_config', inline.problem.message, inline.problem.path);
  try {
    return await engine.inlineKeystore(inline.spec);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(error.code, error.message, configPath(error.path, { ...config, keystore }), { cause: error });
  }
}
