/**
 * Built-in valves use exactly the public plugin API (issue 12): every module a file in
 * valves/ imports is `../engine/index.js` (what `import … from 'sluice'` gives a plugin),
 * a sibling in valves/, or a Node built-in. The imports are read by TypeScript's own
 * pre-processor, so `import type`, `export … from` and `import()` are all seen.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const VALVES = join(import.meta.dirname, '../../valves');
const files = readdirSync(VALVES).filter((f) => f.endsWith('.ts'));

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(VALVES, file), 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

const allowed = (spec: string) => spec === '../engine/index.js' || /^\.\/[\w-]+\.js$/.test(spec) || spec.startsWith('node:');

describe('valves/ imports only the public API', () => {
  it('finds the valve files', () => {
    expect(files).toContain('create-jwt.ts');
    expect(files).toContain('index.ts');
  });

  it.each(files)('%s imports only ../engine/index.js, siblings and node: modules', (file) => {
    expect(importsOf(file).filter((spec) => !allowed(spec))).toEqual([]);
  });

  it('the check sees every kind of import (so a passing file is not a blind spot)', () => {
    const info = ts.preProcessFile(
      "import type { A } from '../engine/flow.js';\nexport { b } from '../engine/errors.js';\nconst c = await import('../engine/template.js');\nimport d = require('../engine/x.js');",
      true,
      true,
    );
    expect(info.importedFiles.map((f) => f.fileName).filter((s) => !allowed(s))).toEqual(['../engine/flow.js', '../engine/errors.js', '../engine/template.js', '../engine/x.js']);
  });
});
