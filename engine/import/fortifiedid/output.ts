/**
 * The imported config as YAML, under a header that says where it came from and what the
 * operator must still do: the list of what was not carried over is repeated there, since
 * stderr is gone by the time someone opens the file.
 */
import { stringify } from 'yaml';
import type { Json } from './modules.js';
import { ISSUER_ENV, OIDC_KEYSTORE_ID, type OidcPart } from './oidc.js';

export interface RenderInput {
  readonly files: readonly string[];
  readonly oidc: OidcPart | undefined;
  readonly pipes: readonly Json[];
  /** Diagnostic lines (FILE:LINE:COL: warning: …), never holding a secret. */
  readonly notCarried: readonly string[];
  readonly outputName: string | undefined;
}

export function renderConfig({ files, oidc, pipes, notCarried, outputName }: RenderInput): string {
  const config: Json = { issuer: oidc?.issuer ?? `\${env.${ISSUER_ENV}}` };
  if (oidc?.port !== undefined) config.server = { port: oidc.port };
  if (oidc?.discoveryMeta && Object.keys(oidc.discoveryMeta).length > 0) config.oidc = { discovery_meta: oidc.discoveryMeta };
  if (oidc?.keystore) config.keystores = [oidc.keystore];
  config.rps = oidc?.rps ?? [];
  config.pipes = pipes;
  // lineWidth 0: a long template or claim value stays on its line, as in the input.
  return header({ files, oidc, notCarried, outputName }) + stringify(config, { lineWidth: 0 });
}

function header({ files, oidc, notCarried, outputName }: Omit<RenderInput, 'pipes'>): string {
  const review: string[] = [];
  if (!oidc?.issuerFromInput) review.push(`issuer: set ${ISSUER_ENV} to the iss FortifiedID's tokens carried (resource servers check it)`);
  if (!oidc) review.push('rps: no OIDC module was given; add the clients (client_id, client_secret, client_credentials_pipe_id)');
  if (oidc?.rps.some((rp) => typeof rp.client_secret === 'string' && !rp.client_secret.startsWith('${'))) {
    review.push('client_secret values are copied in clear: move them to ${env.NAME}, or client_secret_hash (sluice secret hash)');
  }
  if (oidc?.keystore) review.push(`keystores: '${OIDC_KEYSTORE_ID}' is the OIDC module's; its path is read relative to this file`);
  review.push('pipes are as written in FortifiedID; `sluice check` warns where Sluice reads them differently');
  const lines = [
    `Imported from FortifiedID by \`sluice import fortifiedid\` from: ${files.join(', ')}`,
    '',
    'Review before serving:',
    ...review.map((r) => `  - ${r}`),
    `  - then run: sluice check ${outputName ?? 'THIS_FILE'}`,
  ];
  if (notCarried.length > 0) lines.push('', 'What was not carried over, and what to look at (FILE:LINE:COL in the input):', ...notCarried.map((l) => `  ${l}`));
  // A control character (a newline in a client_id or file name) would end the comment and
  // put the rest of the line into the YAML: each one is shown escaped instead.
  const safe = (l: string): string => l.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return lines.map((l) => (l ? `# ${safe(l)}` : '#')).join('\n') + '\n\n';
}
