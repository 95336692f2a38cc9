#!/usr/bin/env node
/**
 * `sluice`: serve, check, schema, keys generate, secret hash, token.
 * Exit codes: 0 success, 1 failure (an invalid config, a refused request), 2 usage error.
 */
import { UsageError } from './usage.js';

const USAGE = `usage: sluice <command> [options]

  serve [-c FILE] [--host H] [--port N]     serve FILE (default: the embedded config/sluice.yaml)
  check [FILE] [--json]                     validate FILE without serving
  schema [-c FILE]                          print the config JSON Schema (valves of FILE's plugins too)
  keys generate --alg ALG --out FILE        write a new signing key (.pem, or .p12 with --password-env)
  secret hash                               read a client secret on stdin, print its client_secret_hash
  token --issuer URL --client-id ID         get a token from a running server (secret from --secret-env or stdin)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (command) {
    case 'serve': return (await import('./serve.js')).serve(rest);
    case 'check': return (await import('./check.js')).check(rest);
    case 'schema': return (await import('./schema.js')).schema(rest);
    case 'keys': return (await import('./keys.js')).keys(rest);
    case 'secret': return (await import('./secret.js')).secret(rest);
    case 'token': return (await import('./token.js')).token(rest);
    case '-h': case '--help': case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      throw new UsageError(command ? `unknown command '${command}'` : 'no command given');
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`sluice: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`sluice: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
