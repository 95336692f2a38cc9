/**
 * `exec_if` on a valve entry: the valve runs only when its expression is truthy.
 * `exec_if_expr` is FortifiedID's spelling of the same key. One list, read by the schema,
 * the load-time resolver (which leaves conditions as written), the pipe compiler and the
 * config walkers.
 */
export const CONDITION_KEYS = ['exec_if', 'exec_if_expr'] as const;
export type ConditionKey = (typeof CONDITION_KEYS)[number];

/** The key holding the entry's condition; the first written when both are (check refuses that). */
export function conditionKey(entry: object): ConditionKey | undefined {
  return Object.keys(entry).find((key): key is ConditionKey => (CONDITION_KEYS as readonly string[]).includes(key));
}

/** The key written second, when an entry has both spellings. */
export function duplicateConditionKey(entry: object): ConditionKey | undefined {
  const keys = Object.keys(entry).filter((key): key is ConditionKey => (CONDITION_KEYS as readonly string[]).includes(key));
  return keys[1];
}
