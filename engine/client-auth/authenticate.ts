/**
 * Client authentication by the RP's registered token_endpoint_auth_method, and only that
 * method. Methods are a table so that private_key_jwt and client_secret_jwt (RFC 7523)
 * slot in beside the secret methods.
 */
import { InvalidClient } from '../errors.js';
import type { Flow } from '../flow.js';
import { markAuthenticated, presentedCredentials } from '../flow-state.js';
import type { PresentedCredentials } from './credentials.js';
import { secretsEqual, verifySecretHash, type SecretHash } from './secret-hash.js';
import { VerifiedSecretCache } from './verified-cache.js';

export type ClientSecret = { readonly kind: 'plain'; readonly value: string } | { readonly kind: 'hash'; readonly hash: SecretHash };

/** What the authenticator needs to know of a registered client. */
export interface ClientCredentialsConfig {
  readonly client_id: string;
  readonly token_endpoint_auth_method: string;
  /** Any one of them authenticates (a seam for rotation without downtime). */
  readonly secrets: readonly ClientSecret[];
}

type MethodVerifier = (presented: PresentedCredentials, client: ClientCredentialsConfig) => Promise<boolean>;

const FAILED = 'client authentication failed';

export class ClientAuthenticator {
  private readonly cache = new VerifiedSecretCache();
  private readonly methods: ReadonlyMap<string, MethodVerifier>;

  constructor() {
    const secret: MethodVerifier = (presented, client) => this.verifySecret(presented, client);
    this.methods = new Map([
      ['client_secret_basic', secret],
      ['client_secret_post', secret],
    ]);
  }

  supportedMethods(): string[] {
    return [...this.methods.keys()];
  }

  /** Throws invalid_client (401); on success the flow is marked authenticated. */
  async authenticate(flow: Flow, client: ClientCredentialsConfig): Promise<void> {
    if (flow.authentication) return;
    const presented = presentedCredentials(flow);
    if (!presented || presented.client_id !== client.client_id) throw InvalidClient(FAILED);
    const registered = client.token_endpoint_auth_method;
    if (presented.method === 'none') throw InvalidClient(`client authentication required (${registered})`);
    if (presented.method !== registered) {
      throw InvalidClient(`${presented.method} is not the authentication method registered for this client`);
    }
    const verify = this.methods.get(registered);
    if (!verify || !(await verify(presented, client))) throw InvalidClient(FAILED);
    markAuthenticated(flow, { method: registered, client_id: client.client_id });
  }

  private async verifySecret(presented: PresentedCredentials, client: ClientCredentialsConfig): Promise<boolean> {
    if (presented.secret === undefined) return false;
    if (await this.matchesAny(presented.secret, client)) return true;
    return presented.rawSecret !== undefined && this.matchesAny(presented.rawSecret, client);
  }

  private async matchesAny(secret: string, client: ClientCredentialsConfig): Promise<boolean> {
    let ok = false;
    // Check every registered secret, so timing does not tell which one matched.
    for (const candidate of client.secrets) {
      if (candidate.kind === 'plain') {
        ok = secretsEqual(secret, candidate.value) || ok;
      } else if (this.cache.has(client.client_id, secret, candidate.hash.encoded)) {
        ok = true;
      } else if (await verifySecretHash(secret, candidate.hash)) {
        this.cache.add(client.client_id, secret, candidate.hash.encoded);
        ok = true;
      }
    }
    return ok;
  }
}
