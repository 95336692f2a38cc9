/**
 * What each command takes, in one place: `sluice --help` lists the commands, `sluice CMD
 * --help` (or `sluice help CMD`) the flags of one, and a usage error shows its command's.
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-root.js';

interface CommandHelp {
  readonly synopsis: string;
  readonly summary: string;
  readonly flags: ReadonlyArray<readonly [flag: string, meaning: string]>;
}

const CONFIG_FLAG = ['-c, --config FILE', 'the config file (or give FILE as the argument); default: ./sluice.yaml, else the embedded demo config'] as const;
const HELP_FLAG = ['-h, --help', 'print this help'] as const;

export const COMMANDS = {
  serve: {
    synopsis: 'serve [FILE | -c FILE] [--host H] [--port N] [--workers N|auto] [--watch]',
    summary: 'validate, compile and serve FILE; SIGHUP reloads it, SIGTERM or Ctrl-C stops it',
    flags: [
      CONFIG_FLAG,
      ['--host H', 'listen on H (overrides server.host)'],
      ['--port N', 'listen on port N (overrides server.port)'],
      ['--workers N|auto', 'serve from N processes on one port (auto: one per core); they share keys and the store. Default 1'],
      ['--watch', 'reload when the config file, a ${file.…} file or a key file it reads changes'],
      HELP_FLAG,
    ],
  },
  check: {
    synopsis: 'check [FILE | -c FILE] [--json]',
    summary: 'validate FILE without serving; exit 0 valid, 1 invalid, 2 usage error',
    flags: [CONFIG_FLAG, ['--json', 'print {file, valid, diagnostics} as JSON'], HELP_FLAG],
  },
  diff: {
    synopsis: 'diff OLD NEW [--json]',
    summary: 'what a reload from config OLD to NEW would change (RPs, pipes, keys, signing keys, settings); exit 0 no change, 1 changes, 2 usage error or an invalid config',
    flags: [['--json', 'print the changes as one JSON object'], HELP_FLAG],
  },
  schema: {
    synopsis: 'schema [FILE | -c FILE]',
    summary: "print the config JSON Schema (with FILE's plugin valves when given)",
    flags: [['-c, --config FILE', "include the valves of FILE's plugins (or give FILE as the argument)"], HELP_FLAG],
  },
  keys: {
    synopsis: 'keys generate --alg ALG --out FILE [--password-env NAME]',
    summary: 'write a new signing key (.pem, or .p12/.pfx for PKCS#12) and print its keystore entry',
    flags: [
      ['--alg ALG', 'ES256 (default), ES384, ES512, RS256…, PS256…, EdDSA'],
      ['--out FILE', 'where to write the key; .p12/.pfx writes PKCS#12'],
      ['--password-env NAME', 'encrypt with the password in $NAME (default for PKCS#12: SLUICE_KEYSTORE_PASSWORD)'],
      HELP_FLAG,
    ],
  },
  secret: {
    synopsis: 'secret hash | secret generate [--json]',
    summary: 'hash: read a client secret on stdin, print its $scrypt$ hash; generate: print a new random secret (line 1) and its $sha256$ hash (line 2)',
    flags: [['--json', 'generate: print {secret, hash} as JSON'], HELP_FLAG],
  },
  token: {
    synopsis: 'token --issuer URL --client-id ID [--secret-env VAR] [--scope S] [--resource R] [--auth basic|post] [--json]',
    summary: 'act as a client: get a token from a running server (secret from $VAR or stdin)',
    flags: [
      ['--issuer URL', 'the server (default http://127.0.0.1:8080); its token endpoint comes from discovery'],
      ['--client-id ID', 'the client_id (required)'],
      ['--secret-env VAR', 'read the client secret from $VAR (default: stdin)'],
      ['--scope S', 'requested scope, space-separated'],
      ['--resource R', 'a resource indicator (RFC 8707); repeatable'],
      ['--auth basic|post', 'client_secret_basic (default) or client_secret_post'],
      ['--json', 'print the whole token response'],
      HELP_FLAG,
    ],
  },
  import: {
    synopsis: 'import fortifiedid FILE.json [FILE.json…] [-o OUT [--force]] [--tenant NAME]',
    summary: "write a Sluice config from FortifiedID's OIDC and pipes module configs; what could not come over is listed on stderr as FILE:LINE:COL",
    flags: [
      ['-o, --output OUT', 'write the YAML to OUT (default: stdout); an existing OUT is refused'],
      ['--force', 'overwrite OUT'],
      ['--tenant NAME', 'with several OIDC modules: the one to import (its tenant_op_path or module name)'],
      HELP_FLAG,
    ],
  },
} satisfies Record<string, CommandHelp>;

export type Command = keyof typeof COMMANDS;

export function isCommand(name: string | undefined): name is Command {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

export const USAGE = `usage: sluice <command> [options]

${Object.values(COMMANDS).map((c) => `  ${c.synopsis}\n      ${c.summary}`).join('\n')}

  sluice <command> --help    the flags of one command
  sluice --version           the version
`;

export function commandHelp(command: Command): string {
  const { synopsis, summary, flags } = COMMANDS[command];
  const width = Math.max(...flags.map(([flag]) => flag.length));
  return `usage: sluice ${synopsis}\n\n${summary}\n\n${flags.map(([flag, meaning]) => `  ${flag.padEnd(width)}  ${meaning}`).join('\n')}\n`;
}

export function version(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}
