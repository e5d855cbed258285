// Seeded generators of random and hostile input for the fuzz tests: values a webview could post
// (anything the structured-clone algorithm carries) and source text for the expression languages.
// The same seed gives the same cases, so a failure names a case that can be run again.
import { Rng } from '../../src/engine/rng';

/** How many cases a fuzz test runs: a few hundred in `npm test`, more with FUZZ_CASES=5000. */
export const FUZZ_CASES = Number(process.env.FUZZ_CASES) > 0 ? Number(process.env.FUZZ_CASES) : 300;

export class Fuzzer {
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  int(below: number): number {
    return Math.floor(this.rng.uniform() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.rng.uniform() < p;
  }

  /** A number a JSON or structured-clone message can hold, extremes included. */
  number(): number {
    return this.pick([
      0, -0, 1, -1, 0.5, 2, 3, 1e-300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2,
      NaN, Infinity, -Infinity, 1e9, 1e10, 1.5, this.rng.uniform() * 200 - 100, this.int(10),
    ]);
  }

  string(): string {
    return this.pick([
      '', 'ready', 'command', 'select', 'request', 'step', 'run', 'layers[0].weights', 'layers[99].z', 'optimizer/x',
      'mean', 'inf', 'norms', 'expression', '__proto__', 'constructor', 'toString', 'x', '\u0000', '\ud800', '\u202e',
      '\u001b[31mred', 'a'.repeat(3000), 'NaN', 'Infinity', '<script>', '{"type":"ready"}',
    ]);
  }

  /** Any value structured clone carries, nested up to `depth`, with the awkward ones weighted up. */
  value(depth = 3): unknown {
    const leaf = (): unknown => this.pick<() => unknown>([
      () => this.number(), () => this.string(), () => this.chance(0.5), () => null, () => undefined,
      () => BigInt(this.int(1000)) - 500n, () => new Date(this.int(1e9)), () => /x+/g,
      () => new Uint8Array(this.int(4)), () => new Float64Array([NaN, Infinity]), () => new ArrayBuffer(8),
      () => new Error('e'),
    ])();
    if (depth <= 0 || this.chance(0.4)) return leaf();
    return this.pick<() => unknown>([
      () => Array.from({ length: this.int(4) }, () => this.value(depth - 1)),
      () => this.record(depth - 1),
      () => new Map([[this.string(), this.value(depth - 1)]]),
      () => new Set([this.value(depth - 1)]),
      () => this.cyclic(),
      () => this.deep(200 + this.int(5000)),
      () => ({ type: this.string(), toString: 0, valueOf: 0, n: 1n }),
      () => Object.assign(Object.create(null) as object, { type: 'ready' }),
    ])();
  }

  /** An object with keys from `keys` (message fields) and random values. */
  record(depth: number, keys: readonly string[] = FIELD_NAMES): Record<string, unknown> {
    const record: Record<string, unknown> = {};
    const count = this.int(5);
    for (let i = 0; i < count; i++) {
      Object.defineProperty(record, this.pick(keys), { value: this.value(depth), enumerable: true, configurable: true, writable: true });
    }
    return record;
  }

  /** A copy of `valid` with one field somewhere replaced, removed or added. */
  mutate(valid: unknown, depth = 0): unknown {
    if (valid === null || typeof valid !== 'object' || depth > 6) return this.chance(0.5) ? this.value(2) : valid;
    const copy: Record<string, unknown> = Array.isArray(valid) ? ([...valid] as unknown as Record<string, unknown>) : { ...valid };
    const keys = Object.keys(copy);
    const key = keys.length && this.chance(0.8) ? this.pick(keys) : this.pick(FIELD_NAMES);
    const roll = this.int(4);
    if (roll === 0) delete copy[key];
    else if (roll === 1) copy[key] = this.value(2);
    else Object.defineProperty(copy, key, { value: this.mutate(copy[key], depth + 1), enumerable: true, configurable: true, writable: true });
    return copy;
  }

  private cyclic(): unknown {
    const a: Record<string, unknown> = { type: 'command' };
    a.command = a;
    a.request = a;
    return a;
  }

  private deep(levels: number): unknown {
    let nested: unknown = 1;
    for (let i = 0; i < levels; i++) nested = this.chance(0.5) ? [nested] : { state: nested, request: nested };
    return nested;
  }

  /** Source text for an expression: fragments of both languages, hostile names, odd characters. */
  source(): string {
    const parts = this.int(30);
    let text = '';
    for (let i = 0; i < parts; i++) text += this.pick(SOURCE_FRAGMENTS);
    if (this.chance(0.05)) text = '('.repeat(100 + this.int(2000)) + text;
    if (this.chance(0.05)) text += '+1'.repeat(this.int(3000));
    return text;
  }
}

const FIELD_NAMES = [
  'type', 'command', 'name', 'step', 'layer', 'parameter', 'kind', 'out', 'in', 'sample', 'state', 'until', 'value',
  'stepsPerSecond', 'reason', 'request', 'view', 'orders', 'a', 'b', 'p', 'q', 'bits', 'slope', 'source', 'values',
  'learningRate', 'steps', 'draws', '__proto__', 'constructor', 'toString',
];

const SOURCE_FRAGMENTS = [
  'x', 'y', 'loss', 'step', 'delta', 'delta[1]', 'gradNorm(1)', 'max(', 'abs(', 'exp(', 'sigmoid(', 'foo(', ')', '(', '[', ']',
  ',', '+', '-', '*', '/', '^', '**', '%', '!', '&&', '||', '==', '!=', '<', '>=', ' ', '1', '0', '2.5', '1e308', '1e-7', '.5',
  '1.2.3', '3x', 'true', 'false', 'constructor', 'toString(1)', '__proto__', 'hasOwnProperty(', '−', '×', '·', '÷', '=', '&',
  '"', "'", ';', '.', '\u0000', '\u202e', '😀', '\n', 'process.exit(1)', 'this', 'eval(',
];
