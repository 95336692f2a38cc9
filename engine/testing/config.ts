/**
 * The config the test kit loads: an issuer, one generated keystore (`signing`), the test's
 * clients bound to the pipe under test, and that pipe. It goes through the same loader as
 * `sluice serve`, so the pipe is validated and compiled exactly as it would be there.
 *
 * A pipe given as YAML text is embedded verbatim (re-indented) at the end, so that a
 * diagnostic inside it can be told at the pipe text's own line and column.
 */
import { parse, stringify } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import type { TestClient } from './requests.js';

export const KIT_KEYSTORE = 'signing';
export const KIT_ISSUER = 'https://sluice.test';
/** The env variable each client's secret is read from (so the config holds no secret). */
export const secretVariable = (index: number) => `SLUICE_TEST_KIT_SECRET_${index}`;

/** A pipe: `{ id?, valves: [{ name, config?, enabled? }, …] }`, as under `pipes:`. */
export interface TestPipe {
  readonly id?: string;
  readonly valves: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly [key: string]: unknown;
}

export interface KitConfigInput {
  readonly pipe: TestPipe | string;
  readonly clients: readonly TestClient[];
  readonly plugins: readonly string[];
  readonly issuer: string;
}

export interface KitConfig {
  readonly text: string;
  readonly pipeId: string;
  /** Where a diagnostic is, for a reader of the test: in the pipe text, or in the kit's config. */
  locate(d: Diagnostic): string;
}

const DEFAULT_PIPE_ID = 'test';

/** The lines without the common indentation (a pipe written inside a template literal), and that indentation. */
function dedent(text: string): { lines: string[]; margin: number } {
  const lines = text.replace(/^\s*\n/, '').replace(/\s+$/, '').split('\n');
  const margin = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return { lines: lines.map((l) => l.slice(margin)), margin };
}

/** Clients authenticated by a secret get one from the kit, unless the test gave their own. */
function needsSecret(client: TestClient): boolean {
  const method = client.token_endpoint_auth_method ?? 'client_secret_basic';
  const own = ['client_secret', 'client_secret_hash', 'client_secrets'].some((key) => key in client);
  return !own && ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'].includes(method);
}

export function buildKitConfig(input: KitConfigInput): KitConfig {
  const head = stringify({
    issuer: input.issuer,
    ...(input.plugins.length ? { plugins: input.plugins } : {}),
    keystores: [{ id: KIT_KEYSTORE, type: 'generated' }],
    rps: input.clients.map((client, i) => ({
      ...(needsSecret(client) ? { client_secret: `\${env.${secretVariable(i)}}` } : {}),
      ...client,
      client_credentials_pipe_id: (client.client_credentials_pipe_id as string | undefined) ?? '__PIPE__',
    })),
  });
  const pipe = typeof input.pipe === 'string' ? pipeText(input.pipe) : pipeObject(input.pipe);
  const headLines = head.split('\n').length; // head ends with a newline: its last "line" is pipes:
  const text = `${head.replaceAll('__PIPE__', pipe.id)}pipes:\n${pipe.text}\n`;
  return {
    text,
    pipeId: pipe.id,
    locate(d) {
      if (pipe.lineOffset !== undefined && d.line > headLines) return `pipe line ${d.line - headLines + pipe.lineOffset}, column ${Math.max(d.col - 4, 1) + pipe.margin}`;
      const source = text.split('\n')[d.line - 1]?.trim();
      return `the kit's config, at "${source}"`;
    },
  };
}

interface EmbeddedPipe {
  readonly id: string;
  readonly text: string;
  /** For a pipe given as text: its line number = the embedded line number + this. */
  readonly lineOffset?: number;
  readonly margin: number;
}

function pipeObject(pipe: TestPipe): EmbeddedPipe {
  const id = pipe.id ?? DEFAULT_PIPE_ID;
  return { id, text: stringify([{ id, ...pipe }]).trimEnd(), margin: 0 };
}

/** YAML text of one pipe (a block mapping), embedded as the one item of `pipes:`. */
function pipeText(yaml: string): EmbeddedPipe {
  const parsed: unknown = parse(yaml);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError('a pipe in YAML must be a mapping with valves (and an id)');
  }
  const { lines, margin } = dedent(yaml);
  // A flow mapping (`{ valves: [...] }`) cannot be re-indented line by line: re-written instead.
  if (lines[0]!.trimStart().startsWith('{')) return pipeObject(parsed as TestPipe);
  const given = (parsed as { id?: unknown }).id;
  const id = typeof given === 'string' ? given : DEFAULT_PIPE_ID;
  const leading = yaml.replace(/^\s*\n/, '') === yaml ? 0 : yaml.slice(0, yaml.length - yaml.replace(/^\s*\n/, '').length).split('\n').length - 1;
  const body = typeof given === 'string' ? lines : [`id: ${id}`, ...lines];
  const indented = body.map((l, i) => (i === 0 ? `  - ${l}` : l ? `    ${l}` : l));
  // The pipe text's line 1 is its first line, blank lines before it counted.
  return { id, text: indented.join('\n'), lineOffset: leading - (typeof given === 'string' ? 0 : 1), margin };
}
