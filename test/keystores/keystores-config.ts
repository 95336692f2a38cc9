/** A config around some `keystores:` entries, for keystore tests: one client, one pipe signing with `keystore`. */
export function keystoresConfig(keystores: string, options: { createJwt?: string; authenticate?: boolean } = {}): string {
  return `
keystores:
${keystores.trim().split('\n').map((l) => `  ${l}`).join('\n')}
rps:
  - client_id: svc
    client_secret: \${env.SVC_SECRET}
    client_credentials_pipe_id: p
pipes:
  - id: p
    valves:
${options.authenticate ? '      - name: ClientAuthenticate\n' : ''}      - { name: CreateJwt, config: ${options.createJwt ?? '{ keystore: a }'} }
      - name: TokenResponse
`;
}
