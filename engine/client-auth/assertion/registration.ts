/**
 * What an RP entry registers for client assertions, checked and compiled once at load:
 * its key set (inline `jwks` or `jwks_uri`), its certificates, and its assertion rules.
 * Problems point at the YAML node: a jwks_uri that is not https outside loopback, a key
 * that cannot verify (private, symmetric, RSA under 2048 bits), a certificate that does
 * not parse (error) or expires within 30 days (warning).
 */
import { createPublicKey } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import type { RpConfig } from '../../config/types.js';
import type { DiagnosticSink } from '../../diagnostics.js';
import { createKeySet, jwksUriProblem, type KeySet } from '../../jwks/key-set.js';
import { MIN_RSA_BITS } from '../../keystores/algs.js';
import { CERTIFICATE_WARNING_DAYS as WARN_BEFORE_EXPIRY_DAYS } from '../../keystores/key-warnings.js';
import { parseCertificate, type ClientCertificate } from './certificates.js';
import type { AssertionRules } from './verify.js';

const DAY_MS = 86_400_000;

export interface AssertionCredentials {
  readonly keySet: KeySet | undefined;
  readonly certificates: readonly ClientCertificate[];
  readonly assertionRules: AssertionRules;
}

export function assertionCredentialsOf(rp: RpConfig, index: number, sink: DiagnosticSink, nowSeconds: number): AssertionCredentials {
  const at = (...path: Array<string | number>) => ['rps', index, ...path];
  const keyFields = (['jwks', 'jwks_uri', 'certificates'] as const).filter((f) => rp[f] !== undefined);
  if (keyFields.length > 0 && rp.token_endpoint_auth_method !== 'private_key_jwt') {
    sink.warn('schema', `${keyFields.join(', ')} ${keyFields.length > 1 ? 'are' : 'is'} used only by private_key_jwt; this client is registered for ${rp.token_endpoint_auth_method}`, at(keyFields[0]!));
  }
  let keySet: KeySet | undefined;
  if (rp.jwks_uri !== undefined) {
    const problem = jwksUriProblem(rp.jwks_uri);
    if (problem) sink.add('schema', `jwks_uri ${problem}`, at('jwks_uri'));
    else keySet = createKeySet({ jwks_uri: rp.jwks_uri });
  } else if (rp.jwks !== undefined) {
    const usable = rp.jwks.keys.filter((jwk, k) => {
      const problem = verificationKeyProblem(jwk);
      if (problem) sink.add('keystore_invalid', problem, at('jwks', 'keys', k));
      return !problem;
    });
    if (usable.length > 0) keySet = createKeySet({ jwks: { keys: usable } as JSONWebKeySet });
  }
  return { keySet, certificates: certificatesOf(rp, at, sink, nowSeconds), assertionRules: { maxLifetime: rp.assertion_max_lifetime, clockSkew: rp.assertion_clock_skew } };
}

/** Shared by every client without certificates (100,000 RPs need not hold one empty list each). */
const NO_CERTIFICATES: readonly ClientCertificate[] = Object.freeze([]);

function certificatesOf(rp: RpConfig, at: (...path: Array<string | number>) => Array<string | number>, sink: DiagnosticSink, nowSeconds: number): readonly ClientCertificate[] {
  if (rp.certificates === undefined || rp.certificates.length === 0) return NO_CERTIFICATES;
  const certificates: ClientCertificate[] = [];
  (rp.certificates ?? []).forEach((pem, k) => {
    const cert = parseCertificate(pem);
    if (typeof cert === 'string') {
      sink.add('keystore_invalid', `certificate ${cert}`, at('certificates', k));
      return;
    }
    const now = nowSeconds * 1000;
    const expires = new Date(cert.notAfter).toISOString();
    if (cert.notAfter < now) sink.warn('keystore_invalid', `certificate '${cert.subject}' expired on ${expires}: assertions that name it are refused`, at('certificates', k));
    else if (cert.notAfter - now < WARN_BEFORE_EXPIRY_DAYS * DAY_MS) sink.warn('keystore_invalid', `certificate '${cert.subject}' expires on ${expires} (within ${WARN_BEFORE_EXPIRY_DAYS} days): register its successor`, at('certificates', k));
    certificates.push(cert);
  });
  return certificates;
}

/** Why a JWK cannot verify a client's assertions, or undefined when it can. */
function verificationKeyProblem(jwk: Record<string, unknown>): string | undefined {
  if (jwk.kty === 'oct') return 'a symmetric (oct) key cannot verify private_key_jwt assertions; use client_secret_jwt for HMAC';
  if (jwk.d !== undefined) return 'this JWK holds a private key: register only the public key';
  try {
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType === 'rsa' && (bits ?? 0) < MIN_RSA_BITS) return `RSA key is ${bits ?? '?'} bits; at least ${MIN_RSA_BITS} are required (RFC 7518 section 3.3)`;
  } catch (error) {
    return `not a usable public JWK (${(error as Error).message})`;
  }
  return undefined;
}
