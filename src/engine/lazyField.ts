// Record fields computed when first read. A traced step keeps every tensor, and each one it
// allocates is fresh memory, which on a big network costs more than the arithmetic that fills it
// (784-128-10: a fresh megabyte costs about a millisecond of page faults and zeroing). A field
// that follows exactly from tensors the record keeps anyway (the SGD step from the gradient and
// the velocity, what an update added) is therefore computed by the same code from the same
// numbers when someone reads it, bit for bit what computing it during the step would have given.

/**
 * Makes `target[key]` the value of `compute()`, run when the field is first read (or never):
 * an enumerable field like any other, which becomes a plain data field once computed. `compute`
 * may read only arrays nothing writes again (a step's own tensors).
 */
export function defineLazy<T extends object>(target: T, key: keyof T & string, compute: () => unknown): void {
  const settle = (value: unknown) => Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      settle(value);
      return value;
    },
    set: settle,
  });
}
