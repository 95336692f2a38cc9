/**
 * `sluice check` on exec_if and on expressions inside `${…}`: every problem is an error at
 * FILE:LINE:COL, the column inside the YAML string where the bad part starts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkBoth, expectErrors, fixtureDir, removeTempDirs, requireBuild, type Expected } from './cli.js';
import { checkInProcess } from './in-process.js';

let dir: string;
const ENV = { ALPHA_SECRET: 'alpha-secret-0123456789' };

beforeAll(() => {
  requireBuild();
  dir = fixtureDir();
});
afterAll(removeTempDirs);

/** The first runs the built binary; the others load in-process (test/cli/in-process.ts), the same diagnostics without two processes each. */
const CASES: Array<{ name: string; file: string; errors: Expected[] }> = [
  {
    name: 'a typo in a field in exec_if: at the path, with a hint',
    file: 'exec-if-typo.yaml',
    errors: [{ line: 12, col: 53, code: 'expression', message: /'client' has no field 'atributes' \(did you mean 'attributes'\?\)/ }],
  },
  {
    name: 'a call of anything but startsWith/endsWith/includes in exec_if: at the method name',
    file: 'exec-if-call.yaml',
    errors: [{ line: 12, col: 39, code: 'expression', message: /unknown function 'toLowerCase'/ }],
  },
  {
    name: 'exec_if and exec_if_expr on one valve: at the second key',
    file: 'exec-if-both.yaml',
    errors: [{ line: 13, col: 9, code: 'valve_config', message: /'exec_if' repeats 'exec_if_expr'/ }],
  },
  {
    name: 'an unterminated string in exec_if: where the string opens',
    file: 'exec-if-unterminated.yaml',
    errors: [{ line: 12, col: 34, code: 'expression', message: /unterminated string/ }],
  },
  {
    name: 'a typo in a field anywhere in a ${…} expression: at that path inside the string',
    file: 'template-expression-typo.yaml',
    errors: [{ line: 15, col: 77, code: 'template', message: /'request' has no field 'parms' \(did you mean 'params'\?\)/ }],
  },
];

describe('sluice check: expressions', () => {
  it.each(CASES)('$name', async ({ file, errors }) => {
    if (file === CASES[0]!.file) {
      expectErrors(file, await checkBoth(file, { cwd: dir, env: ENV }), errors);
      return;
    }
    const path = join(dir, file);
    expectErrors(path, await checkInProcess(path, { env: ENV }), errors);
  });
});
