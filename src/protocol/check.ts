// The one set of checks for messages that arrive from a webview (untrusted content, DESIGN.md §1):
// the inspector's validator (./validate.ts) and the explorers' (src/extension/lessons/validate.ts)
// are written with these. Every check answers any structured-clone value (BigInt, cycles, deep
// nesting, objects whose `toString` is not a function, Maps, Dates, typed arrays, …) with the
// checked value or a rejection naming the path and the problem; none of them converts the value
// to a string, serializes it or walks it recursively, so none of them can throw anything else.

/** A rejected message: `reason` is "path: problem". */
export class Rejection extends Error {}

export function reject(path: string, problem: string): never {
  throw new Rejection(`${path}: ${problem}`);
}

/** Runs `parse`; a rejection becomes `{ ok: false, reason }`. */
export function checked<T>(parse: () => T): { ok: true; message: T } | { ok: false; reason: string } {
  try {
    return { ok: true, message: parse() };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.message };
    throw error;
  }
}

/** A short, safe description of any value, for a rejection: never its contents beyond a short excerpt. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'string': return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
    case 'number': return String(value);
    case 'bigint': return 'a BigInt';
    case 'boolean': return String(value);
    case 'undefined': return 'undefined';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
    default: return `a ${typeof value}`;
  }
}

/** A plain object (not an array, Map, Date, typed array or other built-in). */
export function object(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    reject(path, `expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

export function finite(value: unknown, path: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) reject(path, `expected a finite number, got ${describe(value)}`);
  if (value < min || value > max) reject(path, `${value} is out of range ${min}..${max}`);
  return value;
}

export function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) reject(path, `expected a whole number, got ${describe(value)}`);
  if (value < min || value > max) reject(path, `${value} is out of range ${min}..${max}`);
  return value;
}

export function text(value: unknown, path: string, maxLength: number): string {
  if (typeof value !== 'string') reject(path, `expected a string, got ${describe(value)}`);
  if (value.length > maxLength) reject(path, `string of ${value.length} characters is longer than ${maxLength}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    reject(path, `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** An array of `min`..`max` entries, each checked by `entry` at `path[i]`. */
export function list<T>(value: unknown, path: string, min: number, max: number, entry: (item: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) reject(path, `expected an array, got ${describe(value)}`);
  if (value.length < min || value.length > max) reject(path, `expected ${min}..${max} entries, got ${value.length}`);
  const result: T[] = [];
  for (let i = 0; i < value.length; i++) result.push(entry(value[i], `${path}[${i}]`));
  return result;
}

/** A bounded, one-line preview of any value for a log line; never throws. */
export function preview(value: unknown, limit = 200): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? describe(value);
  } catch {
    // Cycles and nesting too deep to serialize: say what it is instead.
    text = value !== null && typeof value === 'object' && !Array.isArray(value)
      ? `an object with keys ${Object.keys(value).slice(0, 10).join(', ')}`
      : describe(value);
  }
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
