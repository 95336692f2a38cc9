/**
 * FortifiedID's documented client_credentials pipe as issue 13 quotes it (the docs' text from
 * the token-endpoint page; the issue shortens keystore.path to "keystore.p12"), and an RP as
 * FortifiedID writes it, for tests to paste into a config beside keystore.p12.
 */

/** The JSON, verbatim. */
export const DOCUMENTED_PIPE = `{ "id": "client_credentials_pipe",
  "config": { "valves": [
    { "name": "CreateJwt", "enabled": true, "config": {
        "dest": "access_token", "jwt_ttl": 60,
        "jwt_headers": { "test_header": "test_header", "typ": "at+jwt" },
        "jwt_claims": { "test_claim": "test_claim", "sub": "\${request.client_id}", "iss": "https://op.example.com",
                        "aud": ["https://api.example.com/"], "scope": "\${request.scope}" },
        "keystore": { "path": "keystore.p12", "password": "supersecret", "type": "PKCS12" },
        "keystore_password": "supersecret", "keystore_alias": "jwt" } },
    { "name": "JsonObjectCreate", "enabled": true, "config": {
        "src": { "access_token": "\${item.access_token}", "token_type": "Bearer", "expires_in": 3600, "scope": "read" },
        "dest": "client_credentials" } } ] } }`;

/** An RP as FortifiedID writes it, under Sluice's `rps:`. */
export const RP = '{ "client_id": "m2m-client", "client_secret": "${env.M2M_SECRET}", "client_credentials_pipe_id": "client_credentials_pipe" }';

export const indent = (text: string) => text.replace(/^/gm, '  ').replace(/^ {2}/, '- ');

/** The documented pipe and RP (and `more` of each) in a config; `extra` is appended as YAML. */
export function documentedConfig(extra = '', more: { rps?: string[]; pipes?: string[] } = {}): string {
  const list = (items: string[]) => items.map(indent).join('\n');
  return `issuer: http://127.0.0.1:8080\nrps:\n${list([RP, ...(more.rps ?? [])])}\npipes:\n${list([DOCUMENTED_PIPE, ...(more.pipes ?? [])])}\n${extra}`;
}

