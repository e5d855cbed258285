// The debugger's expression language, for breakpoint conditions, hit counts, the debug console
// and hovers: `loss > 0.5`, `gradNorm(1) > 10`, `step == 40`, `max(abs(delta[2])) < 1e-6`.
// The grammar is the project's one expression grammar (src/engine/expression/syntax.ts); this
// file is its evaluator over training state, a tree walk that reaches nothing but the scope's
// own names: nothing here reaches JavaScript's eval or Function, or an object's prototype.
//
// Values are numbers, booleans, tensors (row-major float64 with a shape) and per-layer families:
// a family such as `delta` picks a layer with a 1-based layer number (`delta[2]`, as the call
// stack numbers layers), and a tensor picks rows and columns with 0-based indices (`delta[2][0][1]`,
// as the Variables view numbers them). Arithmetic and abs/sqrt/log/exp work element by element.
import { ExpressionError, parseExpression, type SyntaxNode } from '../../engine/expression';

export { ExpressionError };
export type Node = SyntaxNode;

/** Longest condition or console expression read (a pasted megabyte is refused, not parsed). */
export const MAX_DEBUG_EXPRESSION_LENGTH = 4000;

/** Parses a condition or console expression; throws an ExpressionError naming the column. */
export function parse(source: string): Node {
  return parseExpression(source, MAX_DEBUG_EXPRESSION_LENGTH);
}

export interface Tensor {
  kind: 'tensor';
  shape: number[];
  data: Float64Array;
}

/** Values of one quantity per layer; `layer(n)` takes a 1-based layer number. */
export interface LayerFamily {
  kind: 'layers';
  name: string;
  count: number;
  layer(n: number): Tensor;
  /** The layer of the current operation, for a bare `delta`; undefined when there is none. */
  current?: () => Tensor;
}

export type Value = number | boolean | Tensor | LayerFamily;

/** What an expression can read. `lookup` throws ExpressionError-free plain Errors for "not available yet". */
export interface Scope {
  lookup(name: string): Value | undefined;
  /** The names `lookup` knows, for the "unknown name" message. */
  names(): string[];
  /** ‖∂J/∂θ‖₂ of all parameters, or of one layer's (1-based) W and b. */
  gradNorm(layer?: number): number;
}

function isValue(found: unknown): found is Value {
  if (typeof found === 'number' || typeof found === 'boolean') return true;
  const kind = (found as { kind?: unknown } | null)?.kind;
  return typeof found === 'object' && (kind === 'tensor' || kind === 'layers');
}

// ---- evaluation

export function evaluate(source: string | Node, scope: Scope): Value {
  const tree = typeof source === 'string' ? parse(source) : source;
  return new Evaluator(scope).value(tree);
}

/** True or false; anything else is an error naming what the expression gave instead. */
export function evaluateCondition(source: string | Node, scope: Scope): boolean {
  const tree = typeof source === 'string' ? parse(source) : source;
  const result = new Evaluator(scope).value(tree);
  if (typeof result !== 'boolean') {
    throw new ExpressionError(1, `a condition must be true or false, but this gives ${describeValue(result)}; compare it, e.g. "… > 0.5"`);
  }
  return result;
}

export function describeValue(value: Value): string {
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (value.kind === 'tensor') return `a ${value.shape.join('×')} tensor`;
  return `"${value.name}" of every layer`;
}

type Elementwise = (x: number) => number;
const ELEMENTWISE: Record<string, Elementwise> = { abs: Math.abs, sqrt: Math.sqrt, log: Math.log, exp: Math.exp };
const REDUCTIONS: Record<string, (data: Float64Array) => number> = {
  sum: (d) => d.reduce((s, x) => s + x, 0),
  mean: (d) => d.reduce((s, x) => s + x, 0) / d.length,
  norm: (d) => Math.sqrt(d.reduce((s, x) => s + x * x, 0)),
  max: (d) => d.reduce((m, x) => (x > m || Number.isNaN(x) ? x : m), -Infinity),
  min: (d) => d.reduce((m, x) => (x < m || Number.isNaN(x) ? x : m), Infinity),
};
export const FUNCTION_NAMES = [...Object.keys(ELEMENTWISE), ...Object.keys(REDUCTIONS), 'gradNorm'].sort();

class Evaluator {
  constructor(private readonly scope: Scope) {}

  value(node: Node): Value {
    switch (node.kind) {
      case 'number':
      case 'boolean':
        return node.value;
      case 'name':
        return this.name(node.name, node.column);
      case 'call':
        return this.call(node.name, node.args, node.column);
      case 'index':
        return this.index(node);
      case 'unary':
        return this.unary(node.operator, this.value(node.operand), node.column);
      case 'binary':
        return this.binary(node);
    }
  }

  private name(name: string, column: number): Value {
    let found: Value | undefined;
    try {
      found = this.scope.lookup(name);
    } catch (error) {
      throw new ExpressionError(column, (error as Error).message);
    }
    if (!isValue(found)) {
      if (FUNCTION_NAMES.includes(name)) throw new ExpressionError(column, `${name} is a function: write ${name}(…)`);
      const near = this.scope.names().filter((known) => known.toLowerCase() === name.toLowerCase());
      const hint = near.length ? `; did you mean "${near[0]}"?` : `; known names: ${this.scope.names().join(', ')}`;
      throw new ExpressionError(column, `unknown name "${name}"${hint}`);
    }
    return found;
  }

  private call(name: string, argNodes: Node[], column: number): Value {
    const args = argNodes.map((a) => this.value(a));
    const arity = (min: number, max: number) => {
      if (args.length < min || args.length > max) {
        const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} or ${max}`;
        throw new ExpressionError(column, `${name}() takes ${wanted} argument${max === 1 ? '' : 's'}, got ${args.length}`);
      }
    };
    if (Object.hasOwn(ELEMENTWISE, name)) {
      arity(1, 1);
      return this.map(this.numeric(args[0], argNodes[0], `${name}()`), ELEMENTWISE[name]);
    }
    if (name === 'gradNorm') {
      arity(0, 1);
      if (args.length === 0) return this.scope.gradNorm();
      const layer = this.integer(args[0], argNodes[0], 'gradNorm() takes a layer number');
      try {
        return this.scope.gradNorm(layer);
      } catch (error) {
        throw new ExpressionError(argNodes[0].column, (error as Error).message);
      }
    }
    if (Object.hasOwn(REDUCTIONS, name)) {
      arity(1, Infinity);
      if (args.length > 1 && (name === 'max' || name === 'min')) {
        const numbers = args.map((a, i) => this.scalar(a, argNodes[i], `${name}() of several values`));
        return name === 'max' ? Math.max(...numbers) : Math.min(...numbers);
      }
      arity(1, 1);
      const arg = this.numeric(args[0], argNodes[0], `${name}()`);
      if (typeof arg === 'number') return name === 'norm' ? Math.abs(arg) : arg;
      if (arg.data.length === 0) throw new ExpressionError(column, `${name}() of an empty tensor`);
      return REDUCTIONS[name](arg.data);
    }
    throw new ExpressionError(column, `unknown function "${name}"; functions: ${FUNCTION_NAMES.join(', ')}`);
  }

  private index(node: Extract<Node, { kind: 'index' }>): Value {
    const target = this.value(node.target);
    const indexValue = this.value(node.index);
    if (typeof target === 'object' && target.kind === 'layers') {
      const n = this.integer(indexValue, node.index, `${target.name}[…] takes a layer number`);
      if (n < 1 || n > target.count) {
        throw new ExpressionError(node.index.column, `layer ${n} does not exist: ${target.name}[n] takes a layer number from 1 to ${target.count}`);
      }
      try {
        return target.layer(n);
      } catch (error) {
        throw new ExpressionError(node.target.column, (error as Error).message);
      }
    }
    const tensor = this.tensor(target, node.target, 'only tensors and per-layer names can be indexed');
    const i = this.integer(indexValue, node.index, 'an index');
    const rows = tensor.shape[0];
    if (i < 0 || i >= rows) throw new ExpressionError(node.index.column, `index ${i} is out of range: this dimension has indices 0 to ${rows - 1}`);
    const inner = tensor.shape.slice(1);
    const size = inner.reduce((p, s) => p * s, 1);
    if (inner.length === 0) return tensor.data[i];
    return { kind: 'tensor', shape: inner, data: tensor.data.subarray(i * size, (i + 1) * size) };
  }

  private unary(op: string, operand: Value, column: number): Value {
    if (op === '!') {
      if (typeof operand !== 'boolean') throw new ExpressionError(column, `"!" needs true or false, got ${describeValue(operand)}`);
      return !operand;
    }
    const value = this.numericValue(operand, column, `"${op}"`);
    return op === '-' ? this.map(value, (x) => -x) : value;
  }

  private binary(node: Extract<Node, { kind: 'binary' }>): Value {
    const { operator: op, operatorColumn: column } = node;
    if (op === '&&' || op === '||') {
      const left = this.value(node.left);
      if (typeof left !== 'boolean') throw new ExpressionError(node.left.column, `"${op}" needs true or false on its left, got ${describeValue(left)}`);
      if (op === '&&' ? !left : left) return left; // short-circuit, so `step > 3 && delta[2]…` is safe early on
      const right = this.value(node.right);
      if (typeof right !== 'boolean') throw new ExpressionError(node.right.column, `"${op}" needs true or false on its right, got ${describeValue(right)}`);
      return right;
    }
    const left = this.value(node.left);
    const right = this.value(node.right);
    if (op === '==' || op === '!=') {
      if (typeof left === 'boolean' && typeof right === 'boolean') return (left === right) === (op === '==');
    }
    if (['==', '!=', '<', '<=', '>', '>='].includes(op)) {
      const a = this.scalar(left, node.left, `"${op}" compares numbers`);
      const b = this.scalar(right, node.right, `"${op}" compares numbers`);
      switch (op) {
        case '==': return a === b;
        case '!=': return a !== b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        default: return a >= b;
      }
    }
    const a = this.numericValue(left, node.left.column, `"${op}"`);
    const b = this.numericValue(right, node.right.column, `"${op}"`);
    const f = ARITHMETIC[op];
    if (typeof a === 'number' && typeof b === 'number') return f(a, b);
    if (typeof a === 'number') return this.map(b, (x) => f(a, x));
    if (typeof b === 'number') return this.map(a, (x) => f(x, b));
    if (a.shape.join('×') !== b.shape.join('×')) {
      throw new ExpressionError(column, `"${op}" of tensors of different shapes: ${a.shape.join('×')} and ${b.shape.join('×')}`);
    }
    const out = new Float64Array(a.data.length);
    for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i]);
    return { kind: 'tensor', shape: a.shape, data: out };
  }

  private map(value: number | Tensor, f: Elementwise): number | Tensor {
    if (typeof value === 'number') return f(value);
    return { kind: 'tensor', shape: value.shape, data: value.data.map(f) };
  }

  /** A number or a tensor; a bare per-layer name means the current operation's layer. */
  private numericValue(value: Value, column: number, what: string): number | Tensor {
    if (typeof value === 'number') return value;
    if (typeof value === 'boolean') throw new ExpressionError(column, `${what} needs numbers, got ${value}`);
    if (value.kind === 'tensor') return value;
    if (value.current) {
      try {
        return value.current();
      } catch (error) {
        throw new ExpressionError(column, (error as Error).message);
      }
    }
    throw new ExpressionError(column, `"${value.name}" is one tensor per layer here: say which layer, e.g. ${value.name}[1]`);
  }

  private numeric(value: Value, node: Node, what: string): number | Tensor {
    return this.numericValue(value, node.column, what);
  }

  private tensor(value: Value, node: Node, what: string): Tensor {
    const v = this.numericValue(value, node.column, what);
    if (typeof v === 'number') throw new ExpressionError(node.column, `${what}; this is the number ${v}`);
    return v;
  }

  private scalar(value: Value, node: Node, what: string): number {
    const v = this.numericValue(value, node.column, what);
    if (typeof v !== 'number') {
      throw new ExpressionError(node.column, `${what}, but this is ${describeValue(v)}; reduce it first, e.g. max(…), mean(…) or norm(…)`);
    }
    return v;
  }

  private integer(value: Value, node: Node, what: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new ExpressionError(node.column, `${what}: a whole number, got ${typeof value === 'number' ? value : describeValue(value)}`);
    }
    return value;
  }
}

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '^': (a, b) => a ** b,
};

/**
 * A hit-count condition as VS Code's breakpoint UI takes it, turned into an expression over
 * `hits` (how many times the breakpoint's place and condition were met, this one included):
 * "5" stops on the 5th hit only, ">= 5" / "> 5" / "< 5" / "<= 5" / "== 5" compare, "% 3" stops on
 * every 3rd hit; anything else is read as an expression over `hits`, e.g. "hits > 2 && hits < 6".
 */
export function hitConditionExpression(hitCondition: string): { expression: string; shift: number } {
  const lead = hitCondition.length - hitCondition.trimStart().length;
  const text = hitCondition.trim();
  // `shift` maps a column of the expression back to the user's text, for error messages.
  if (/^\d+$/.test(text)) return { expression: `hits == ${text}`, shift: 'hits == '.length - lead };
  const modulo = /^%\s*(\d+)$/.exec(text);
  if (modulo) return { expression: `hits % ${modulo[1]} == 0`, shift: 0 };
  if (/^(==|!=|<=|>=|<|>)/.test(text)) return { expression: `hits ${text}`, shift: 'hits '.length - lead };
  return { expression: text, shift: -lead };
}
