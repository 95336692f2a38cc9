/** The verification the two secret methods share. */
import type { ClientCredentialsConfig } from '../authenticate.js';
import { authenticationFailed } from '../failure.js';
import type { SecretVerifier } from '../secret-verifier.js';
import type { MethodContext, PresentedCredentials, RegisteredCredentials } from './types.js';

export async function verifyPresentedSecret(presented: PresentedCredentials, client: ClientCredentialsConfig, context: MethodContext): Promise<void> {
  if (presented.secret === undefined) throw authenticationFailed('secret_missing', 'no secret');
  const ok = await context.secrets.verify({ secret: presented.secret, alternate: presented.alternateSecret }, client, context.kdf, context.now());
  if (!ok) throw authenticationFailed('secret_mismatch', 'wrong secret');
}

/** The success of verifyPresentedSecret without its promise, when it needs no derivation. */
export function secretProvesAtOnce(presented: PresentedCredentials, client: ClientCredentialsConfig, secrets: SecretVerifier, now: number): boolean {
  return presented.secret !== undefined && secrets.matchesCheaply({ secret: presented.secret, alternate: presented.alternateSecret }, client, now);
}

export function secretRegistrationProblem(rp: RegisteredCredentials): string | undefined {
  const registered = rp.client_secret !== undefined || rp.client_secret_hash !== undefined || (rp.client_secrets?.length ?? 0) > 0;
  return registered ? undefined : 'needs client_secret, client_secret_hash or client_secrets';
}
