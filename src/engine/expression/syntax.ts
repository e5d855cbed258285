// The one grammar of the project's two expression languages: the chain-rule lesson's expressions
// (`(2*x + y)^2`, evaluated into a computational graph by ./graph.ts) and the debugger's
// conditions (`max(abs(delta[2])) < 1e-6`, evaluated over training state by
// src/extension/debug/expressions.ts). This file only tokenizes and parses into a syntax tree;
// each evaluator decides which constructs it gives a meaning to and rejects the rest with the
// node's column. Nothing here reaches JavaScript's eval or Function. Grammar, loosest first:
//
//   expression := or
//   or         := and ('||' and)*
//   and        := equality ('&&' equality)*
//   equality   := comparison (('==' | '!=') comparison)*
//   comparison := sum (('<' | '<=' | '>' | '>=') sum)*
//   sum        := product (('+' | '-') product)*
//   product    := unary (('*' | '/' | '%') unary)*
//   unary      := ('!' | '-' | '+') unary | power
//   power      := postfix ('^' unary)?           right-associative; -x^2 reads as -(x^2)
//   postfix    := primary ('[' expression ']')*
//   primary    := number | 'true' | 'false' | name | name '(' arguments? ')' | '(' expression ')'
//
// `**` is read as `^` (Python's power, as in the lecture's code) and the typographic signs a
// learner may paste from the lecture (− × · ÷) as their ASCII operators. Columns are 1-based,
// counted in characters of the source.

/** A problem in an expression, with the 1-based column where it was found. */
export class ExpressionError extends Error {
  constructor(readonly column: number, readonly detail: string) {
    super(`column ${column}: ${detail}`);
    this.name = 'ExpressionError';
  }
}

interface Located {
  /** 1-based column where the node's source text begins. */
  column: number;
  /** The node's source text, parentheses included. */
  text: string;
}

export type SyntaxNode = Located & (
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'name'; name: string }
  | { kind: 'call'; name: string; args: SyntaxNode[] }
  | { kind: 'index'; target: SyntaxNode; index: SyntaxNode }
  | { kind: 'unary'; operator: string; operand: SyntaxNode }
  | { kind: 'binary'; operator: string; operatorColumn: number; left: SyntaxNode; right: SyntaxNode }
);

/** Bounds that keep a hostile or pasted source from exhausting the stack or the event loop. */
export const EXPRESSION_LIMITS = {
  /** Nested parentheses, brackets, calls, prefix signs and powers, one inside another. */
  depth: 64,
  /** Left-associative chains (`1+1+…`) nest in the tree too: the evaluators walk it recursively. */
  operations: 1000,
} as const;

type TokenKind = 'number' | 'name' | 'operator' | 'end';
interface Token {
  kind: TokenKind;
  text: string; // the operator as the grammar knows it (`**` → `^`, `−` → `-`)
  column: number;
  length: number; // characters in the source
}

// Longest first, so `**` is not read as two `*` and `<=` not as `<` then `=`.
const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '**', '<', '>', '+', '-', '*', '/', '%', '^', '!', '(', ')', '[', ']', ','];
const ALIASES: Readonly<Record<string, string>> = { '**': '^', '−': '-', '×': '*', '·': '*', '÷': '/' };
const LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];
const PREFIX = ['!', '-', '+'];

function hintFor(character: string): string {
  if (character === '=') return '; compare with "=="';
  if (character === '&' || character === '|') return `; write "${character}${character}"`;
  if (character === "'" || character === '"') return '; there are no strings';
  return '; use numbers, names, operators and parentheses';
}

/** Quotes a character for a message, spelling out the invisible ones. */
function shown(character: string): string {
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(character) ? `"${character}"` : `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

// Sticky patterns read at a position without copying the rest of the source.
const NUMBER = /(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const WORD = /[\w.]{1,40}/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const column = i + 1;
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number) {
      if (/[A-Za-z_.]/.test(source[i + number[0].length] ?? '')) {
        WORD.lastIndex = i;
        const word = WORD.exec(source)![0];
        throw new ExpressionError(column, `malformed number "${word}"; write numbers like 0.5 or 1e-6, and * to multiply, as in 2*x`);
      }
      tokens.push({ kind: 'number', text: number[0], column, length: number[0].length });
      i += number[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(source);
    if (name) {
      tokens.push({ kind: 'name', text: name[0], column, length: name[0].length });
      i += name[0].length;
      continue;
    }
    const operator = OPERATORS.find((o) => source.startsWith(o, i)) ?? (Object.hasOwn(ALIASES, c) ? c : undefined);
    if (operator) {
      tokens.push({ kind: 'operator', text: ALIASES[operator] ?? operator, column, length: operator.length });
      i += operator.length;
      continue;
    }
    throw new ExpressionError(column, `unexpected character ${shown(String.fromCodePoint(source.codePointAt(i)!))}${hintFor(c)}`);
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1, length: 0 });
  return tokens;
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : `"${token.text}"`;
}

class Parser {
  private at = 0;
  private depth = 0;
  private operations = 0;

  constructor(private readonly source: string, private readonly tokens: Token[]) {}

  parse(): SyntaxNode {
    if (this.peek().kind === 'end') throw new ExpressionError(1, 'the expression is empty');
    const tree = this.expression();
    const rest = this.peek();
    if (rest.kind === 'operator' && rest.text === ')') throw new ExpressionError(rest.column, 'this ")" has no matching "("');
    if (rest.kind !== 'end') {
      throw new ExpressionError(rest.column, `unexpected ${describe(rest)} after a complete expression; an operator is missing before it`);
    }
    return tree;
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private isOperator(...operators: readonly string[]): boolean {
    const token = this.peek();
    return token.kind === 'operator' && operators.includes(token.text);
  }

  /** The source from `column` to the end of the last token read. */
  private span(column: number): string {
    const last = this.tokens[this.at - 1];
    return this.source.slice(column - 1, last.column - 1 + last.length);
  }

  private expect(operator: string, what: string): void {
    if (!this.isOperator(operator)) throw new ExpressionError(this.peek().column, `expected "${operator}" ${what}, found ${describe(this.peek())}`);
    this.at++;
  }

  /** Counts one more level of nesting around `inner`, refusing past the limit at `column`. */
  private nested<T>(column: number, inner: () => T): T {
    if (++this.depth > EXPRESSION_LIMITS.depth) {
      throw new ExpressionError(column, `the expression nests more than ${EXPRESSION_LIMITS.depth} levels deep here; simplify it`);
    }
    const result = inner();
    this.depth--;
    return result;
  }

  private counted(column: number): void {
    if (++this.operations > EXPRESSION_LIMITS.operations) {
      throw new ExpressionError(column, `the expression has more than ${EXPRESSION_LIMITS.operations} operations; shorten it`);
    }
  }

  private expression(level = 0): SyntaxNode {
    if (level === LEVELS.length) return this.unary();
    let left = this.expression(level + 1);
    while (this.isOperator(...LEVELS[level])) {
      const { text: operator, column: operatorColumn } = this.tokens[this.at++];
      this.counted(operatorColumn);
      const right = this.expression(level + 1);
      left = { kind: 'binary', operator, operatorColumn, left, right, column: left.column, text: this.span(left.column) };
    }
    return left;
  }

  private unary(): SyntaxNode {
    const token = this.peek();
    if (!this.isOperator(...PREFIX)) return this.power();
    this.at++;
    this.counted(token.column);
    const operand = this.nested(token.column, () => this.unary());
    return { kind: 'unary', operator: token.text, operand, column: token.column, text: this.span(token.column) };
  }

  private power(): SyntaxNode {
    const base = this.postfix();
    if (!this.isOperator('^')) return base;
    const operatorColumn = this.tokens[this.at++].column;
    this.counted(operatorColumn);
    const exponent = this.nested(operatorColumn, () => this.unary());
    return { kind: 'binary', operator: '^', operatorColumn, left: base, right: exponent, column: base.column, text: this.span(base.column) };
  }

  private postfix(): SyntaxNode {
    let node = this.primary();
    while (this.isOperator('[')) {
      const open = this.tokens[this.at++];
      this.counted(open.column);
      const index = this.nested(open.column, () => this.expression());
      this.expect(']', `to close the "[" at column ${open.column}`);
      node = { kind: 'index', target: node, index, column: node.column, text: this.span(node.column) };
    }
    return node;
  }

  private primary(): SyntaxNode {
    const token = this.tokens[this.at];
    if (token.kind === 'number') {
      this.at++;
      const value = Number(token.text);
      if (!Number.isFinite(value)) throw new ExpressionError(token.column, `the number ${token.text} is too large`);
      return { kind: 'number', value, column: token.column, text: token.text };
    }
    if (token.kind === 'name') {
      this.at++;
      if (token.text === 'true' || token.text === 'false') return { kind: 'boolean', value: token.text === 'true', column: token.column, text: token.text };
      if (!this.isOperator('(')) return { kind: 'name', name: token.text, column: token.column, text: token.text };
      this.at++;
      const args = this.nested(token.column, () => {
        const list: SyntaxNode[] = [];
        if (this.isOperator(')')) return list;
        list.push(this.expression());
        while (this.isOperator(',')) {
          this.at++;
          list.push(this.expression());
        }
        return list;
      });
      this.expect(')', `to close the arguments of ${token.text}(`);
      return { kind: 'call', name: token.text, args, column: token.column, text: this.span(token.column) };
    }
    if (token.kind === 'operator' && token.text === '(') {
      this.at++;
      const inner = this.nested(token.column, () => this.expression());
      this.expect(')', `to close the "(" at column ${token.column}`);
      return { ...inner, column: token.column, text: this.span(token.column) };
    }
    throw new ExpressionError(token.column, `expected a number, a name or "(", found ${describe(token)}`);
  }
}

/**
 * Parses `source` into a syntax tree, or throws an ExpressionError naming the column. Sources
 * longer than `maxLength` characters are refused before anything is read.
 */
export function parseExpression(source: string, maxLength: number): SyntaxNode {
  if (source.length > maxLength) {
    throw new ExpressionError(maxLength + 1, `the expression is longer than ${maxLength} characters (${source.length}); shorten it`);
  }
  return new Parser(source, tokenize(source)).parse();
}
