// Reading an optimizer block of a model file: the defaults table (./defaults.ts) for what is left
// out, and a message naming the JSON path ("optimizer.momentum") for what is wrong.
import type { OptimizerSpec } from '../types';

type Defaults = Readonly<Record<string, number | boolean | string | readonly number[]>>;

/** A bad optimizer setting, with the model-file path to fix. */
export class OptimizerConfigError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'OptimizerConfigError';
  }
}

type Check = (value: number) => string | undefined;

export const nonNegative: Check = (v) => (v >= 0 ? undefined : 'must be ≥ 0');
export const positive: Check = (v) => (v > 0 ? undefined : 'must be > 0');
export const aboveOne: Check = (v) => (v > 1 ? undefined : 'must be > 1');
export const positiveInteger: Check = (v) => (Number.isInteger(v) && v >= 1 ? undefined : 'must be a whole number ≥ 1');

/** Reads the hyperparameters of one optimizer type, rejecting keys that type does not have. */
export class HyperparameterReader {
  private readonly allowed = new Set<string>(['type']);

  constructor(private readonly spec: OptimizerSpec, private readonly defaults: Defaults) {}

  /** The default of `key` from the table; a key missing from it is a bug here, not in the file. */
  private fallback<T>(key: string): T {
    if (!Object.hasOwn(this.defaults, key)) throw new Error(`no default for optimizer.${key} of "${this.spec.type}"`);
    return this.defaults[key] as T;
  }

  /** `key` as a number; left out, the table's default, or `derived` for a default computed from other values. */
  number(key: string, check: Check = nonNegative, derived?: number): number {
    this.allowed.add(key);
    const fallback = derived ?? this.fallback<number>(key);
    const value = this.spec[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new OptimizerConfigError(`optimizer.${key}`, `expected a finite number, got ${JSON.stringify(value)}`);
    }
    const problem = check(value);
    if (problem) throw new OptimizerConfigError(`optimizer.${key}`, `${problem}, got ${value}`);
    return value;
  }

  /** `key` as a number, or undefined when the file leaves it out (a default the optimizer derives itself). */
  optionalNumber(key: string, check: Check = nonNegative): number | undefined {
    return this.spec[key] === undefined ? (this.allowed.add(key), undefined) : this.number(key, check, 0);
  }

  boolean(key: string): boolean {
    this.allowed.add(key);
    const value = this.spec[key];
    if (value === undefined) return this.fallback<boolean>(key);
    if (typeof value !== 'boolean') {
      throw new OptimizerConfigError(`optimizer.${key}`, `expected true or false, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  choice<T extends string>(key: string, choices: readonly T[]): T {
    this.allowed.add(key);
    const value = this.spec[key];
    if (value === undefined) return this.fallback<T>(key);
    if (!choices.includes(value as T)) {
      throw new OptimizerConfigError(
        `optimizer.${key}`,
        `expected one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(value)}`,
      );
    }
    return value as T;
  }

  /** torch's `betas` pair: two coefficients in [0, 1). */
  betas(): [number, number] {
    this.allowed.add('betas');
    const value = this.spec.betas as unknown;
    if (value === undefined) {
      const [beta1, beta2] = this.fallback<readonly number[]>('betas');
      return [beta1, beta2];
    }
    if (!Array.isArray(value) || value.length !== 2) {
      throw new OptimizerConfigError('optimizer.betas', `expected two numbers [beta1, beta2], got ${JSON.stringify(value)}`);
    }
    value.forEach((b, i) => {
      if (typeof b !== 'number' || !(b >= 0 && b < 1)) {
        throw new OptimizerConfigError(`optimizer.betas[${i}]`, `must be a number in [0, 1), got ${JSON.stringify(b)}`);
      }
    });
    return [value[0], value[1]];
  }

  /**
   * Every hyperparameter of the defaults table, read by the kind of its default: numbers (checked
   * by `checks[key]`, else ≥ 0), booleans, a choice among `choices[key]`, the betas pair.
   */
  settings<T>(checks: Readonly<Record<string, Check>> = {}, choices: Readonly<Record<string, readonly string[]>> = {}): T {
    const out: Record<string, unknown> = {};
    for (const [key, fallback] of Object.entries(this.defaults)) {
      if (key === 'betas') out[key] = this.betas();
      else if (typeof fallback === 'number') out[key] = this.number(key, checks[key]);
      else if (typeof fallback === 'boolean') out[key] = this.boolean(key);
      else if (typeof fallback === 'string') out[key] = this.choice(key, choices[key] ?? [fallback]);
    }
    return out as T;
  }

  /** Call after reading every key: a key this type does not use is most likely a typo. */
  rejectUnknown(): void {
    for (const key of Object.keys(this.spec)) {
      if (!this.allowed.has(key)) {
        const known = [...this.allowed].filter((k) => k !== 'type').join(', ');
        throw new OptimizerConfigError(
          `optimizer.${key}`,
          `"${this.spec.type}" has no hyperparameter "${key}"; it accepts ${known}`,
        );
      }
    }
  }
}
