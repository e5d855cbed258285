// Record fields computed when first read. A traced step keeps every tensor, and each one it
// allocates is fresh memory, which on a big network costs more than the arithmetic that fills it
// (784-128-10: a fresh megabyte costs about a millisecond of page faults and zeroing). A field
// that follows exactly from tensors the record keeps anyway (the SGD step from the gradient and
// the velocity, what an update added) is therefore computed by the same code from the same
// numbers when someone reads it, bit for bit what computing it during the step would have given.

/** Where an object keeps its lazy fields: per name, the function that computes it, or its value once read. */
const FIELDS = Symbol('fields computed when first read');

interface Holder {
  [FIELDS]: Record<string, unknown>;
}

/**
 * One getter and setter per field name, shared by every object: objects that define the same
 * fields in the same order then share their shape, and the code reading them stays fast (a
 * closure of its own per object would give each object a shape of its own).
 */
const accessors = new Map<string, PropertyDescriptor>();

function accessorOf(key: string): PropertyDescriptor {
  let accessor = accessors.get(key);
  if (!accessor) {
    accessor = {
      enumerable: true,
      configurable: true,
      get(this: Holder) {
        const fields = this[FIELDS];
        let value = fields[key];
        if (value instanceof Pending) fields[key] = value = value.compute();
        return value;
      },
      set(this: Holder, value: unknown) {
        this[FIELDS][key] = value;
      },
    };
    accessors.set(key, accessor);
  }
  return accessor;
}

/** A field not computed yet (a class of its own, so no value is mistaken for one). */
class Pending {
  constructor(readonly compute: () => unknown) {}
}

/**
 * Makes `target[key]` the value of `compute()`, run when the field is first read (or never):
 * an enumerable field like any other, whose value is kept once computed. `compute` may read only
 * arrays nothing writes again (a step's own tensors).
 */
export function defineLazy<T extends object>(target: T, key: keyof T & string, compute: () => unknown): void {
  const holder = target as T & Holder;
  if (!Object.prototype.hasOwnProperty.call(holder, FIELDS)) {
    Object.defineProperty(holder, FIELDS, { value: {}, enumerable: false, writable: false, configurable: false });
  }
  holder[FIELDS][key] = new Pending(compute);
  Object.defineProperty(holder, key, accessorOf(key));
}

/**
 * Below this many numbers a derived array is computed in the step, in its arena: deferring it
 * costs more than that (the accessor's definition, about a microsecond; a 2-8-8-1 step takes
 * about 60 µs), and a small array's fresh memory little.
 */
const DEFER_MIN_NUMBERS = 1 << 12;

/** Whether a derived array of `length` numbers is computed when first read (defineLazy) rather than in the step. */
export function deferred(length: number): boolean {
  return length >= DEFER_MIN_NUMBERS;
}
