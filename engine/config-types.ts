/**
 * The TypeScript type of a valve's config, read from its JSON Schema at compile time, so
 * that a plugin author writes the schema once and `create(config)` is typed by it:
 *
 *   configSchema: { type: 'object', properties: { tenant: { type: 'string' } }, required: ['tenant'] }
 *   → config: { readonly tenant: string }
 *
 * Understood: `type` (string, number, integer, boolean, null, array, object, or a list of
 * them), `enum`, `const`, `properties`, `required`, `items`, `additionalProperties`,
 * `anyOf`/`oneOf`, and `default` (the engine fills defaults in before create(), so a
 * property with one is always there). Anything else is `unknown`: still safe, just
 * untyped. The schema must be a literal (inline in defineValve, or `as const`), or the
 * author passes the config type instead: `defineValve<MyConfig>({...})`.
 *
 * Configs are compiled once and shared by every request: the type is deeply readonly.
 */

type Primitive = {
  string: string;
  number: number;
  integer: number;
  boolean: boolean;
  null: null;
};

/** `unknown` when TypeScript sees only `Record<string, unknown>` (a schema that is not a literal). */
type IsWide<S> = string extends keyof S ? true : false;

type FromType<T, S> = T extends keyof Primitive
  ? Primitive[T]
  : T extends 'array'
    ? S extends { readonly items: infer I } ? ReadonlyArray<ValueOf<I>> : readonly unknown[]
    : T extends 'object'
      ? ObjectOf<S>
      : unknown;

type Union<L> = L extends readonly unknown[] ? ValueOf<L[number]> : unknown;

/** The value a schema describes. */
export type ValueOf<S> = S extends { readonly const: infer V }
  ? V
  : S extends { readonly enum: readonly (infer V)[] }
    ? V
    : S extends { readonly anyOf: infer L }
      ? Union<L>
      : S extends { readonly oneOf: infer L }
        ? Union<L>
        : S extends { readonly type: infer T }
          ? T extends readonly (infer U)[] ? FromType<U, S> : FromType<T, S>
          : S extends { readonly properties: object }
            ? ObjectOf<S>
            : unknown;

type RequiredKeys<S> = S extends { readonly required: readonly (infer K)[] } ? K : never;
/** Properties with a `default`: filled in before create(), so always present. */
type Defaulted<P> = { [K in keyof P]: P[K] extends { readonly default: unknown } ? K : never }[keyof P];
type Present<S, P> = Extract<keyof P, RequiredKeys<S> | Defaulted<P>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Extra keys: `additionalProperties` false (the engine's default for object schemas) means none. */
type Extra<S> = S extends { readonly additionalProperties: false }
  ? {}
  : S extends { readonly additionalProperties: infer A extends object }
    ? { readonly [key: string]: ValueOf<A> }
    : S extends { readonly properties: object }
      ? {} // the engine adds additionalProperties: false (registry.ts)
      : { readonly [key: string]: unknown };

type ObjectOf<S> = S extends { readonly properties: infer P }
  ? Simplify<
      { readonly [K in Present<S, P>]: ValueOf<P[K]> } &
      { readonly [K in Exclude<keyof P, Present<S, P>>]?: ValueOf<P[K]> } &
      Extra<S>
    >
  : Extra<S>;

/** The config type of a valve whose schema is `S` (a schema TypeScript cannot read: any object). */
export type ConfigOf<S> = IsWide<S> extends true ? Readonly<Record<string, unknown>> : ValueOf<S>;

/** Marks "no config type given": then the type comes from the schema. */
declare const FROM_SCHEMA: unique symbol;
export type FromSchema = { readonly [FROM_SCHEMA]: true };

/** The config a definition's create() receives: the type the author gave, else the schema's. */
export type ValveConfig<C, S> = [C] extends [FromSchema] ? ConfigOf<S> : C;
