#!/usr/bin/env node
/**
 * `sluice`: serve, check, diff, schema, keys generate, secret hash, secret generate, token, import fortifiedid.
 * Exit codes: 0 success, 1 failure (an invalid config, a refused request), 2 usage error.
 */
import { commandHelp, isCommand, USAGE, version } from './help.js';
import { UsageError } from './usage.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (isCommand(command) && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  switch (command) {
    case 'serve': return (await import('./serve.js')).serve(rest);
    case 'check': return (await import('./check.js')).check(rest);
    case 'diff': return (await import('./diff.js')).diff(rest);
    case 'schema': return (await import('./schema.js')).schema(rest);
    case 'keys': return (await import('./keys.js')).keys(rest);
    case 'secret': return (await import('./secret.js')).secret(rest);
    case 'token': return (await import('./token.js')).token(rest);
    case 'import': return (await import('./import.js')).importConfig(rest);
    case 'help': case '-h': case '--help': {
      const topic = rest[0];
      if (topic !== undefined && !isCommand(topic)) throw new UsageError(`unknown command '${topic}'`);
      process.stdout.write(topic === undefined ? USAGE : commandHelp(topic));
      return 0;
    }
    case '--version': case '-V':
      process.stdout.write(`${version()}\n`);
      return 0;
    default:
      throw new UsageError(command ? `unknown command '${command}'` : 'no command given');
  }
}

const command = process.argv[2];
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      // A usage error shows the help of the command it is about.
      process.stderr.write(`sluice: ${error.message}\n\n${isCommand(command) ? commandHelp(command) : USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`sluice: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
