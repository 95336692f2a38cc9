/** Whether two config values mean the same: deep, and blind to the order of a mapping's keys (YAML does not order them). */
export function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  }) ?? 'undefined';
}

/** Items of `a` not in `b`, in `a`'s order. */
export function minus<T>(a: Iterable<T>, b: Iterable<T>): T[] {
  const exclude = new Set(b);
  return [...a].filter((x) => !exclude.has(x));
}
