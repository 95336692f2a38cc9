/** Where a piece of text sits in a YAML string: 1-based line and column, as diagnostics give them. */
export function positionOf(yaml: string, needle: string, occurrence = 1): { line: number; col: number } {
  let index = -1;
  for (let n = 0; n < occurrence; n++) {
    index = yaml.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`'${needle}' (occurrence ${occurrence}) is not in the YAML`);
  }
  const before = yaml.slice(0, index);
  const line = before.split('\n').length;
  return { line, col: index - before.lastIndexOf('\n') };
}
