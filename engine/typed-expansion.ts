/**
 * FortifiedID's typed expansion: a type directive at the very start of a value, outside any
 * `${…}`, converts what the rest expands to: `"@int:${item.count}"`, `"@boolean:${x}"`, and
 * on a plain value too, `"@int:99"`. Without a directive a value is expanded as before.
 *
 * As FortifiedID defines it: an unknown directive leaves the whole value a string
 * (`"@foo:x"` is the text `@foo:x`); a value that cannot be converted is an error; for
 * booleans only `true` (any case) is true, everything else false.
 *
 * Sluice's choices: a value whose expansion is absent (`@int:${item.missing}`) stays
 * absent, as an untyped `${…}` does (the claim or key is left out). A constant is converted
 * at load, so a bad one is a config error. A conversion that fails at request time is
 * invalid_request when the value reads what the caller sent (`request`, `assertion`), since
 * the caller can correct it, and server_error otherwise (the configuration or an upstream
 * gave a value the configuration said would be, say, an int).
 */
import { ConfigError, InvalidRequest, ServerError } from './errors.js';
import type { PathRead } from './expression/index.js';

/** `long` is an integer JavaScript can hold exactly (2^53), not Java's full 64 bits. */
const INT32 = 2 ** 31;

type Converter = (text: string) => unknown;

const integer = (limit: number): Converter => (text) => {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) && n >= -limit && n < limit ? n : undefined;
};

const decimal: Converter = (text) => {
  const trimmed = text.trim();
  // Number('') is 0 and Number('0x10') is 16: only decimal notation is a number here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
};

function json(accept: (v: unknown) => boolean): Converter {
  return (text) => {
    try {
      const value: unknown = JSON.parse(text);
      return accept(value) ? value : undefined;
    } catch {
      return undefined;
    }
  };
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The directives, by name: one list, read by the compiler and the README. */
export const TYPE_DIRECTIVES: Readonly<Record<string, Converter>> = {
  string: (text) => text,
  number: decimal,
  int: integer(INT32),
  long: integer(Number.MAX_SAFE_INTEGER + 1),
  float: decimal,
  double: decimal,
  bool: (text) => text.trim().toLowerCase() === 'true',
  boolean: (text) => text.trim().toLowerCase() === 'true',
  json: json((v) => v !== null && typeof v === 'object'),
  'json-object': json(isObject),
  'json-array': json(Array.isArray),
};

export interface TypeDirective {
  readonly type: string;
  /** The value after the directive: a template or plain text. */
  readonly rest: string;
  /** Where `rest` starts in the value. */
  readonly offset: number;
}

/** The directive a value starts with, when it names a known type; otherwise undefined. */
export function typeDirective(text: string): TypeDirective | undefined {
  const match = /^@([a-z]+(?:-[a-z]+)?):/.exec(text);
  if (!match || !Object.hasOwn(TYPE_DIRECTIVES, match[1]!)) return undefined;
  return { type: match[1]!, rest: text.slice(match[0].length), offset: match[0].length };
}

/** An expanded value as the text a directive converts (objects and lists as JSON). */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function describe(type: string): string {
  return type === 'json' ? 'JSON (an object or a list)' : type === 'json-object' ? 'a JSON object' : type === 'json-array' ? 'a JSON list' : `a valid ${type}`;
}

/** Convert a constant at load: a bad one is a ConfigError at the value. */
export function convertConstant(directive: TypeDirective): unknown {
  const converted = TYPE_DIRECTIVES[directive.type]!(directive.rest);
  if (converted === undefined) {
    throw new ConfigError('template', `'@${directive.type}:${directive.rest}' is not ${describe(directive.type)}`, [], { offset: directive.offset });
  }
  return converted;
}

/** The request-time conversion of an expanded value; `reads` decides whose fault a failure is. */
export function converterFor(directive: TypeDirective, reads: readonly PathRead[]): (value: unknown) => unknown {
  const convert = TYPE_DIRECTIVES[directive.type]!;
  const callerSent = reads.some((r) => r.namespace === 'request' || r.namespace === 'assertion');
  const written = `@${directive.type}:${directive.rest}`;
  return (value) => {
    if (value === undefined) return undefined;
    const converted = convert(asText(value));
    if (converted !== undefined) return converted;
    // The value itself is not quoted: it may be anything an upstream or a caller sent.
    const description = `'${written}' did not expand to ${describe(directive.type)}`;
    throw callerSent ? InvalidRequest(description) : ServerError(description);
  };
}
