// A growing sequence of float64 values by index (the loss of every step, a million steps and
// more), kept in fixed-size Float64Array chunks: no boxed numbers for the garbage collector to
// trace, and growth adds a chunk instead of copying the whole sequence into a bigger array.

/** Values per chunk by default: 64 KiB of float64 (a session that trains a few steps holds four such chunks). */
const CHUNK_LENGTH = 8_192;

export class Float64Series {
  private readonly chunks: Float64Array[] = [];
  private count = 0;

  constructor(private readonly chunkLength = CHUNK_LENGTH) {
    if (!Number.isInteger(chunkLength) || chunkLength < 1) throw new RangeError(`a series chunk needs at least 1 value, got ${chunkLength}`);
  }

  /** One past the highest index set. */
  get length(): number {
    return this.count;
  }

  /** Sets value `index` (≥ 0); indices skipped over read NaN, as a value never given. */
  set(index: number, value: number): void {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`a series index must be a whole number ≥ 0, got ${index}`);
    while (this.chunks.length * this.chunkLength <= index) this.chunks.push(new Float64Array(this.chunkLength).fill(NaN));
    this.chunks[Math.floor(index / this.chunkLength)][index % this.chunkLength] = value;
    this.count = Math.max(this.count, index + 1);
  }

  /** Values start..end−1 (clamped to 0..length) as one new array. */
  copy(start: number, end: number): Float64Array {
    const from = Math.max(0, start);
    const to = Math.max(from, Math.min(end, this.count));
    const out = new Float64Array(to - from);
    for (let at = from; at < to;) {
      const chunk = Math.floor(at / this.chunkLength);
      const offset = at - chunk * this.chunkLength;
      const take = Math.min(to - at, this.chunkLength - offset);
      out.set(this.chunks[chunk].subarray(offset, offset + take), at - from);
      at += take;
    }
    return out;
  }
}
