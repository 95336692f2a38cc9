/**
 * The expression lexer. One pass, no backtracking; positions are offsets into the text so
 * that errors point inside the YAML string.
 *
 * After a `.` comes a member name, read as template paths always were: [A-Za-z0-9_:-]+,
 * so `client.attributes.x-y` names the attribute `x-y` and `a.b.0` the first element of
 * `a.b` (there is no arithmetic, so `-` and `:` cannot mean anything else there).
 */
import { ConfigError, type ConfigErrorCode } from '../errors.js';

export type TokenKind = 'name' | 'member' | 'string' | 'number' | 'punct' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The name, the punctuator, the decoded string, or the number's text. */
  readonly value: string;
  readonly start: number;
}

/** Longest first, so that `===` is not read as `==` then `=`. */
const PUNCTUATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', ',', '}'];
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const MEMBER_NAME = /[A-Za-z0-9_:-]+/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };

export class Lexer {
  private pos: number;

  constructor(
    private readonly text: string,
    start: number,
    private readonly code: ConfigErrorCode,
  ) {
    this.pos = start;
  }

  fail(message: string, offset: number): never {
    throw new ConfigError(this.code, message, [], { offset });
  }

  /** The next token; `afterDot` reads a member name. */
  next(afterDot = false): Token {
    const { text } = this;
    while (this.pos < text.length && /\s/.test(text[this.pos]!)) this.pos += 1;
    const start = this.pos;
    if (start >= text.length && !afterDot) return { kind: 'end', value: '', start };
    if (afterDot) {
      const name = this.match(MEMBER_NAME);
      if (name === undefined) this.fail(`expected a name after '.', found ${start < text.length ? `'${text[start]}'` : 'the end'}`, start);
      return { kind: 'member', value: name, start };
    }
    const char = text[start]!;
    if (char === "'" || char === '"') return { kind: 'string', value: this.string(char), start };
    const number = this.match(NUMBER);
    if (number !== undefined) return { kind: 'number', value: number, start };
    const identifier = this.match(IDENTIFIER);
    if (identifier !== undefined) return { kind: 'name', value: identifier, start };
    const punct = PUNCTUATORS.find((p) => text.startsWith(p, start));
    if (punct === undefined) {
      const hint = char === '$' ? ' (an expression reads names directly: write request.params.x, not ${request.params.x})' : '';
      this.fail(`unexpected character '${char}'${hint}`, start);
    }
    this.pos += punct.length;
    return { kind: 'punct', value: punct, start };
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text);
    if (!found) return undefined;
    this.pos += found[0].length;
    return found[0];
  }

  /** A quoted string, JS escapes: \n \t \r \b \f \v \0 \xHH \uHHHH; any other \c is c. */
  private string(quote: string): string {
    const { text } = this;
    const start = this.pos;
    let out = '';
    for (let i = start + 1; i < text.length; i++) {
      const c = text[i]!;
      if (c === quote) {
        this.pos = i + 1;
        return out;
      }
      if (c === '\n' || c === '\r') break;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[++i];
      if (e === undefined) break;
      const hex = e === 'x' ? text.slice(i + 1, i + 3) : e === 'u' ? text.slice(i + 1, i + 5) : undefined;
      if (hex !== undefined) {
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== (e === 'x' ? 2 : 4)) this.fail(`invalid escape '\\${e}${hex}'`, i - 1);
        out += String.fromCharCode(parseInt(hex, 16));
        i += hex.length;
      } else {
        out += ESCAPES[e] ?? e;
      }
    }
    return this.fail('unterminated string', start);
  }
}

/**
 * Where the expression that starts at `from` ends: the offset of the first `}` outside a
 * string, so that `${request.params['a}b']}` is one expression. Throws ConfigError when
 * there is none.
 */
export function findClosingBrace(text: string, from: number, code: ConfigErrorCode): number {
  const lexer = new Lexer(text, from, code);
  let afterDot = false;
  for (;;) {
    const token = lexer.next(afterDot);
    if (token.kind === 'end') lexer.fail("unterminated '${': no closing '}'", from - 2);
    if (token.kind === 'punct' && token.value === '}') return token.start;
    afterDot = token.kind === 'punct' && token.value === '.';
  }
}
