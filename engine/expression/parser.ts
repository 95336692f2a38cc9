/**
 * A Pratt parser for the expression language (written here rather than taken from a
 * library: the grammar is a dozen rules, and a library would bring an evaluator with it
 * that reaches further than this sandbox allows).
 *
 *   expr    := literal | name | expr '.' member | expr '[' expr ']' | expr '.' method '(' args ')'
 *            | '!' expr | expr op expr | '(' expr ')'
 *   op      := '||' | '&&' | '==' | '!=' | '===' | '!==' | '<' | '>' | '<=' | '>='
 *
 * Precedence and associativity are JavaScript's. Size and nesting are capped, so that
 * loading and evaluating an expression cost at most what its size allows.
 */
import { ConfigError, type ConfigErrorCode } from '../errors.js';
import { METHODS, type BinaryOperator, type ExpressionNode, type MethodName } from './ast.js';
import { Lexer, type Token } from './lexer.js';

/** Longest expression source, in characters. */
export const MAX_SOURCE_LENGTH = 2000;
/** Deepest nesting of operators, parentheses and index brackets. */
export const MAX_DEPTH = 32;

/** Binding power of each infix operator (JavaScript's relative order). */
const INFIX: Readonly<Record<string, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3, '!=': 3, '===': 3, '!==': 3,
  '<': 4, '>': 4, '<=': 4, '>=': 4,
};
const PREFIX_NOT = 5;
const KEYWORDS: Readonly<Record<string, boolean | null | undefined>> = { true: true, false: false, null: null, undefined };

export interface ParseOptions {
  /** The ConfigError code of problems (default 'expression'). */
  readonly code?: ConfigErrorCode;
}

/** Parse `source`; throws ConfigError with `offset` into source. */
export function parseExpression(source: string, options: ParseOptions = {}): ExpressionNode {
  const code = options.code ?? 'expression';
  if (source.length > MAX_SOURCE_LENGTH) throw new ConfigError(code, `expression is longer than ${MAX_SOURCE_LENGTH} characters`, [], { offset: 0 });
  return new Parser(source, code).parseAll();
}

/**
 * What to write instead of the Java calls FortifiedID's predicates use (its docs'
 * `state.items.isEmpty()`, `mv.contains(…)`): the language has no such methods.
 */
const JAVA_METHODS: Readonly<Record<string, string>> = {
  isEmpty: "test emptiness with '.length == 0'",
  size: "write '.length' without parentheses; on items, '.size' and '.len' work too",
  length: "'.length' is a property, not a call",
  contains: "'includes' tests a string or a list: item.value.includes('x')",
  equals: "compare with '=='",
  equalsIgnoreCase: "compare with '=='",
};

function unknownFunction(name: string): string {
  const hint = Object.hasOwn(JAVA_METHODS, name) ? ` (${JAVA_METHODS[name]})` : '';
  return `unknown function '${name}': only the methods ${METHODS.join(', ')} may be called${hint}`;
}

class Parser {
  private readonly lexer: Lexer;
  private token: Token;
  private depth = 0;

  constructor(source: string, code: ConfigErrorCode) {
    this.lexer = new Lexer(source, 0, code);
    this.token = this.lexer.next();
  }

  parseAll(): ExpressionNode {
    if (this.token.kind === 'end') this.lexer.fail('empty expression', 0);
    const node = this.expression(0);
    if (!this.atEnd()) this.unexpected();
    return node;
  }

  private atEnd(): boolean {
    return this.token.kind === 'end';
  }

  private advance(afterDot = false): Token {
    const current = this.token;
    this.token = this.lexer.next(afterDot);
    return current;
  }

  private isPunct(value: string): boolean {
    return this.token.kind === 'punct' && this.token.value === value;
  }

  private expect(value: string): void {
    if (!this.isPunct(value)) this.unexpected(`expected '${value}'`);
    this.advance();
  }

  private unexpected(expected?: string): never {
    const { token } = this;
    const found = token.kind === 'end' ? 'end of expression' : token.kind === 'string' ? 'string' : `'${token.value}'`;
    return this.lexer.fail(expected ? `${expected}, found ${found === 'string' ? 'a string' : found}` : `unexpected ${found}`, token.start);
  }

  private expression(minPower: number): ExpressionNode {
    if (++this.depth > MAX_DEPTH) this.lexer.fail(`expression nests deeper than ${MAX_DEPTH}`, this.token.start);
    let left = this.prefix();
    for (;;) {
      const power = this.token.kind === 'punct' ? INFIX[this.token.value] : undefined;
      if (power === undefined || power <= minPower) break;
      const { value: op, start } = this.advance();
      const right = this.expression(power); // left-associative: the right side binds tighter
      left = op === '&&' || op === '||'
        ? { kind: 'logical', op, left, right, start }
        : { kind: 'binary', op: op as BinaryOperator, left, right, start };
    }
    this.depth -= 1;
    return left;
  }

  private prefix(): ExpressionNode {
    const token = this.advance();
    const { start } = token;
    switch (token.kind) {
      case 'string':
        return this.postfix({ kind: 'literal', value: token.value, start });
      case 'number':
        return this.postfix({ kind: 'literal', value: Number(token.value), start });
      case 'name':
        if (Object.hasOwn(KEYWORDS, token.value)) return this.postfix({ kind: 'literal', value: KEYWORDS[token.value], start });
        if (this.isPunct('(')) this.lexer.fail(unknownFunction(token.value), start);
        return this.postfix({ kind: 'root', name: token.value, start });
      case 'punct':
        if (token.value === '!') return { kind: 'not', operand: this.expression(PREFIX_NOT), start };
        if (token.value === '(') {
          const inner = this.expression(0);
          this.expect(')');
          return this.postfix(inner);
        }
        break;
      default:
        break;
    }
    this.token = token;
    return this.unexpected();
  }

  /** Member access, index access and method calls, left to right. */
  private postfix(node: ExpressionNode): ExpressionNode {
    for (;;) {
      if (this.isPunct('.')) {
        this.advance(true);
        const name = this.advance();
        if (this.isPunct('(')) node = this.call(node, name);
        else node = { kind: 'member', object: node, name: name.value, start: name.start };
      } else if (this.isPunct('[')) {
        const { start } = this.advance();
        if (++this.depth > MAX_DEPTH) this.lexer.fail(`expression nests deeper than ${MAX_DEPTH}`, start);
        const index = this.expression(0);
        this.depth -= 1;
        this.expect(']');
        node = { kind: 'index', object: node, index, start };
      } else if (this.isPunct('(')) {
        return this.lexer.fail(`only the methods ${METHODS.join(', ')} may be called`, this.token.start);
      } else {
        return node;
      }
    }
  }

  private call(object: ExpressionNode, name: Token): ExpressionNode {
    const method = name.value;
    if (!(METHODS as readonly string[]).includes(method)) {
      this.lexer.fail(unknownFunction(method), name.start);
    }
    this.advance(); // (
    const args: ExpressionNode[] = [];
    while (!this.isPunct(')')) {
      if (args.length > 0) this.expect(',');
      args.push(this.expression(0));
    }
    this.advance();
    if (args.length !== 1) this.lexer.fail(`'${method}' takes one argument, here ${args.length}`, name.start);
    return { kind: 'call', object, method: method as MethodName, args, start: name.start };
  }
}
