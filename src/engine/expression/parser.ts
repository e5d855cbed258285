// A small, safe parser for the chain-rule lesson's expressions, such as `(2*x + y)^2`.
// It builds a syntax tree and never evaluates source text as code. Grammar, loosest first:
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/') unary)*
//   unary   := '-' unary | power
//   power   := primary ('^' unary)?          right-associative; -x^2 reads as -(x^2)
//   primary := number | name | function '(' sum ')' | '(' sum ')'
// Columns are 1-based, counted in characters of the source.

export const FUNCTION_NAMES = ['exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'sqrt', 'abs'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];
export type BinaryOperator = '+' | '-' | '*' | '/' | '^';

export type SyntaxNode =
  | { kind: 'number'; value: number; column: number; text: string }
  | { kind: 'variable'; name: string; column: number; text: string }
  | { kind: 'negate'; operand: SyntaxNode; column: number; text: string }
  | { kind: 'binary'; operator: BinaryOperator; left: SyntaxNode; right: SyntaxNode; column: number; text: string }
  | { kind: 'call'; name: FunctionName; argument: SyntaxNode; column: number; text: string };

/** A problem in an expression, with the 1-based column where it was found. */
export class ExpressionError extends Error {
  constructor(readonly column: number, readonly detail: string) {
    super(`column ${column}: ${detail}`);
    this.name = 'ExpressionError';
  }
}

type TokenKind = 'number' | 'name' | 'operator' | '(' | ')' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  column: number;
  length: number; // characters in the source (`**` reads as the one-character "^")
}

// Typographic signs a learner may paste from the lecture or the walkthrough.
const OPERATOR_ALIASES: Readonly<Record<string, string>> = { '−': '-', '×': '*', '·': '*', '÷': '/' };
const MAX_LENGTH = 500;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    const column = i + 1;
    if (/\s/.test(ch)) {
      i++;
    } else if (/[0-9.]/.test(ch)) {
      const match = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!match) throw new ExpressionError(column, `"${ch}" does not start a number; write a number such as 0.5`);
      tokens.push({ kind: 'number', text: match[0], column, length: match[0].length });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))![0];
      tokens.push({ kind: 'name', text: name, column, length: name.length });
      i += name.length;
    } else if (ch === '*' && source[i + 1] === '*') {
      tokens.push({ kind: 'operator', text: '^', column, length: 2 }); // Python's power, as in the lecture's code
      i += 2;
    } else if ('+-*/^'.includes(ch) || ch in OPERATOR_ALIASES) {
      tokens.push({ kind: 'operator', text: OPERATOR_ALIASES[ch] ?? ch, column, length: 1 });
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch, text: ch, column, length: 1 });
      i++;
    } else {
      throw new ExpressionError(column, `unexpected character "${ch}"; use numbers, names, + - * / ^ and parentheses`);
    }
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1, length: 0 });
  return tokens;
}

function isFunctionName(name: string): name is FunctionName {
  return (FUNCTION_NAMES as readonly string[]).includes(name);
}

class Parser {
  private position = 0;

  constructor(private readonly source: string, private readonly tokens: Token[]) {}

  parse(): SyntaxNode {
    if (this.peek().kind === 'end') throw new ExpressionError(1, 'the expression is empty; write one such as (2*x + y)^2');
    const tree = this.sum();
    const rest = this.peek();
    if (rest.kind === ')') throw new ExpressionError(rest.column, 'this ")" has no matching "("');
    if (rest.kind !== 'end') {
      throw new ExpressionError(rest.column, `expected an operator (+ - * / ^) before "${rest.text}"; write * for multiplication, as in 2*x`);
    }
    return tree;
  }

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    return this.tokens[this.position++];
  }

  private span(start: number): string {
    const last = this.tokens[this.position - 1];
    return this.source.slice(start - 1, last.column - 1 + last.length).trim();
  }

  private isOperator(...operators: string[]): boolean {
    const token = this.peek();
    return token.kind === 'operator' && operators.includes(token.text);
  }

  private sum(): SyntaxNode {
    let left = this.product();
    while (this.isOperator('+', '-')) {
      const operator = this.next().text as BinaryOperator;
      const right = this.product();
      left = { kind: 'binary', operator, left, right, column: left.column, text: this.span(left.column) };
    }
    return left;
  }

  private product(): SyntaxNode {
    let left = this.unary();
    while (this.isOperator('*', '/')) {
      const operator = this.next().text as BinaryOperator;
      const right = this.unary();
      left = { kind: 'binary', operator, left, right, column: left.column, text: this.span(left.column) };
    }
    return left;
  }

  private unary(): SyntaxNode {
    if (this.isOperator('-')) {
      const column = this.next().column;
      const operand = this.unary();
      return { kind: 'negate', operand, column, text: this.span(column) };
    }
    if (this.isOperator('+')) {
      this.next();
      return this.unary();
    }
    return this.power();
  }

  private power(): SyntaxNode {
    const base = this.primary();
    if (!this.isOperator('^')) return base;
    this.next();
    const exponent = this.unary();
    return { kind: 'binary', operator: '^', left: base, right: exponent, column: base.column, text: this.span(base.column) };
  }

  private primary(): SyntaxNode {
    const token = this.next();
    switch (token.kind) {
      case 'number': {
        const value = Number(token.text);
        if (!Number.isFinite(value)) throw new ExpressionError(token.column, `the number ${token.text} is too large`);
        return { kind: 'number', value, column: token.column, text: token.text };
      }
      case 'name':
        return this.nameOrCall(token);
      case '(': {
        const inner = this.sum();
        this.expectClosing(token);
        return { ...inner, column: token.column, text: this.span(token.column) };
      }
      case 'end':
        throw new ExpressionError(token.column, 'the expression ends too early; a number, a name or "(" is missing');
      case ')':
        throw new ExpressionError(token.column, 'expected a number, a name or "(" before ")"');
      default:
        throw new ExpressionError(token.column, `expected a number, a name or "(" where "${token.text}" is`);
    }
  }

  private nameOrCall(token: Token): SyntaxNode {
    if (!isFunctionName(token.text)) {
      if (this.peek().kind === '(') {
        throw new ExpressionError(token.column, `unknown function "${token.text}"; known: ${FUNCTION_NAMES.join(', ')}`);
      }
      return { kind: 'variable', name: token.text, column: token.column, text: token.text };
    }
    const open = this.next();
    if (open.kind !== '(') {
      throw new ExpressionError(token.column, `"${token.text}" is a function; write ${token.text}(...) with its argument in parentheses`);
    }
    const argument = this.sum();
    this.expectClosing(open);
    return { kind: 'call', name: token.text, argument, column: token.column, text: this.span(token.column) };
  }

  private expectClosing(open: Token): void {
    const token = this.next();
    if (token.kind !== ')') {
      throw new ExpressionError(token.column, `expected ")" to close the "(" at column ${open.column}`);
    }
  }
}

/** Parses an expression into a syntax tree, or throws an ExpressionError naming the column. */
export function parseExpression(source: string): SyntaxNode {
  if (source.length > MAX_LENGTH) {
    throw new ExpressionError(MAX_LENGTH + 1, `the expression is longer than ${MAX_LENGTH} characters`);
  }
  return new Parser(source, tokenize(source)).parse();
}
