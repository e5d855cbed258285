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
  /** Numbers asked for since the last reset, those beyond the capacity included: what this use needs. */
  private asked = 0;

  /**
   * `capacity`: the numbers one use is expected to take (taking more only costs extra
   * allocations), in a buffer of its own or in `region`, a zero-filled part of a shared one.
   */
  constructor(capacity: number, region: Float64Array = new Float64Array(capacity)) {
    this.buffer = region;
  }

  get capacity(): number {
    return this.buffer.length;
  }

  /** The numbers asked for since the last reset (the capacity the next use of this kind should have). */
  get demand(): number {
    return this.asked;
  }

  /** A view of the next `length` numbers. */
  readonly take: Allocate = (length) => {
    this.asked += length;
    if (this.used + length > this.buffer.length) return new Float64Array(length);
    // The constructor, not subarray: subarray goes through a species lookup and costs more.
    const { buffer, byteOffset } = this.buffer;
    const view = new Float64Array(buffer, byteOffset + this.used * Float64Array.BYTES_PER_ELEMENT, length);
    this.used += length;
    return view;
  };

  /**
   * Hands the same memory out again, grown to what the last use asked for: views taken before
   * now share it with later ones and hold stale numbers, so only callers that overwrite every
   * number and keep nothing may reset (a scratch arena, never a step's).
   */
  reset(): void {
    if (this.asked > this.buffer.length) this.buffer = new Float64Array(this.asked);
    this.used = 0;
    this.asked = 0;
  }
}

/**
 * Arenas for successive steps, carved from shared buffers of about SHARED_BUFFER_NUMBERS numbers.
 * Allocating an off-heap buffer costs microseconds (zero-filling, external-memory accounting that
 * hastens garbage collection), which for a small network is a good part of a step; one buffer for
 * many small steps pays it once. Each arena's region is its own and never handed out again, so a
 * record keeps its tensors as long as it lives (and with them its neighbours' buffer: at most
 * SHARED_BUFFER_NUMBERS numbers). Steps larger than that get a buffer each.
 *
 * An arena's size is learned, not computed: each new arena is as large as the most any arena of
 * this source was asked for, so the sizes come from the allocations themselves (the first step
 * allocates separately what its arena, still empty, cannot hold).
 */
export class ArenaSource {
  private buffer = new Float64Array(0);
  private used = 0;
  private expected = 0;
  private last: Arena | undefined;

  arena(): Arena {
    if (this.last) this.expected = Math.max(this.expected, this.last.demand);
    const capacity = this.expected;
    if (this.used + capacity > this.buffer.length) {
      if (capacity * 2 > SHARED_BUFFER_NUMBERS) return (this.last = new Arena(capacity));
      this.buffer = new Float64Array(SHARED_BUFFER_NUMBERS);
      this.used = 0;
    }
    // The constructor, not subarray (see Arena.take).
    const region = new Float64Array(this.buffer.buffer, this.used * Float64Array.BYTES_PER_ELEMENT, capacity);
    this.used += capacity;
    return (this.last = new Arena(capacity, region));
  }
}

const SHARED_BUFFER_NUMBERS = 1 << 16; // 512 KiB
