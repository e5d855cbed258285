// Where the tensors of one training step live. A step makes a few dozen arrays; as separate
// Float64Arrays each one is its own off-heap buffer that the garbage collector must track and
// free, and for a small network that bookkeeping costs more than the arithmetic. An arena hands
// out views of one buffer instead, so a step (and the record that keeps its tensors) is one
// allocation.

/** Gives a zero-filled array of `length` numbers, or (from a reused arena) one to overwrite. */
export type Allocate = (length: number) => Float64Array;

/** Plain allocation: a fresh, zero-filled array per call. */
export const freshArray: Allocate = (length) => new Float64Array(length);

/** A copy of `values` in an array from `allocate`. */
export function copyWith(allocate: Allocate, values: Float64Array): Float64Array {
  const copy = allocate(values.length);
  copy.set(values);
  return copy;
}

export class Arena {
  private buffer: Float64Array;
  private used = 0;

  /** `capacity`: the numbers one step is expected to take; taking more only costs extra allocations. */
  constructor(capacity: number) {
    this.buffer = new Float64Array(capacity);
  }

  get capacity(): number {
    return this.buffer.length;
  }

  /** A view of the next `length` numbers. */
  readonly take: Allocate = (length) => {
    if (this.used + length > this.buffer.length) return new Float64Array(length);
    const view = this.buffer.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  };

  /**
   * Hands the same memory out again: views taken before now share it with later ones and hold
   * stale numbers, so only callers that overwrite every number and keep nothing may reset.
   */
  reset(): void {
    this.used = 0;
  }
}
