// Non-finite numbers across text boundaries. JSON has no Infinity or NaN: `JSON.stringify` writes
// them as `null` (and VS Code serializes webview messages as JSON), which the screen then showed
// as −∞ for a +∞ loss. So every boundary that is JSON says what the number was:
// - host → webview (inspector and explorers): `toWire` replaces each non-finite number outside a
//   typed array with `{ "nonFinite": "Infinity" | "-Infinity" | "NaN" }` and the webview's
//   `fromWire` puts the number back (typed arrays travel as bytes and keep every value);
// - the CLI's JSON Lines (src/cli/jsonLines.ts) write the strings "Infinity", "-Infinity", "NaN".

// The names are JavaScript's own spelling, `String(value)`: "Infinity", "-Infinity", "NaN".
type NonFiniteName = 'Infinity' | '-Infinity' | 'NaN';

const NUMBER_OF: Readonly<Record<NonFiniteName, number>> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

/** A plain object or array: what a message is built of (typed arrays and other objects are not walked). */
function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return Array.isArray(value) || prototype === Object.prototype || prototype === null;
}

/** Whether a plain object is a marker. Only ever given plain objects: Object.keys of a typed array names every element. */
function isNonFiniteMarker(value: Record<string, unknown>): value is { nonFinite: NonFiniteName } {
  const keys = Object.keys(value);
  const name = value.nonFinite;
  return keys.length === 1 && keys[0] === 'nonFinite' && typeof name === 'string' && Object.hasOwn(NUMBER_OF, name);
}

/** A copy of `message` whose non-finite numbers (outside typed arrays) are markers JSON keeps. */
export function toWire<T>(message: T): T {
  const encode = (value: unknown): unknown => {
    if (typeof value === 'number') return Number.isFinite(value) ? value : { nonFinite: String(value) };
    if (!isPlainContainer(value)) return value; // typed arrays, ArrayBuffers and primitives go as they are
    if (Array.isArray(value)) return value.map(encode);
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[key] = encode(value[key]);
    return copy;
  };
  return encode(message) as T;
}

/** The message `toWire` was given: markers back to numbers. */
export function fromWire<T>(message: unknown): T {
  const decode = (value: unknown): unknown => {
    if (!isPlainContainer(value)) return value;
    if (Array.isArray(value)) return value.map(decode);
    if (isNonFiniteMarker(value)) return NUMBER_OF[value.nonFinite];
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[key] = decode(value[key]);
    return copy;
  };
  return decode(message) as T;
}
