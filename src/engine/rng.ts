// The session's one source of randomness (DESIGN.md §4): sfc32 seeded by splitmix32.
// Only 32-bit integer arithmetic (Math.imul, >>> 0) touches the state, so every machine and
// every JavaScript engine produces the same stream, and the whole state (four words plus the
// Box–Muller spare) can be saved in a checkpoint and restored exactly.

const TWO_POW_32 = 4294967296;

/** splitmix32: spreads one seed over the four sfc32 words so nearby seeds give unrelated streams. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return [next, z];
}

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  // Box–Muller yields normals in pairs; the second waits here and is part of the saved state.
  private hasSpare = false;
  private spare = 0;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    // Fold the seed (possibly larger than 32 bits or fractional) into 32 bits deterministically.
    let s = (Math.trunc(seed) >>> 0) ^ (Math.floor(Math.trunc(seed) / TWO_POW_32) >>> 0);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(s);
      s = next;
      words.push(out);
    }
    [this.a, this.b, this.c, this.d] = words;
    // sfc32's authors discard the first outputs so weak seeds mix in.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = (this.b ^ (this.b >>> 9)) >>> 0;
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform on [0, 1) with 53 random bits (two draws), like a float64 can hold. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Standard normal by Box–Muller; consumes four 32-bit draws per pair of normals. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spare = radius * Math.sin(angle);
    this.hasSpare = true;
    return radius * Math.cos(angle);
  }

  /** Uniform integer in [0, n), without modulo bias (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new Error(`Rng.int: n must be an integer in 1..2^32, got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n); // largest multiple of n not above 2^32
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /** Fisher–Yates in place, from the last position down. */
  shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
  }

  /** [a, b, c, d, hasSpare (0|1), spare]: plain numbers, JSON-safe. */
  getState(): number[] {
    return [this.a, this.b, this.c, this.d, this.hasSpare ? 1 : 0, this.spare];
  }

  setState(state: number[]): void {
    if (!Array.isArray(state) || state.length !== 6) {
      throw new Error(`Rng.setState: expected 6 numbers [a, b, c, d, hasSpare, spare], got ${JSON.stringify(state)}`);
    }
    for (let i = 0; i < 4; i++) {
      const w = state[i];
      if (!Number.isInteger(w) || w < 0 || w >= TWO_POW_32) {
        throw new Error(`Rng.setState: state[${i}] must be an unsigned 32-bit integer, got ${w}`);
      }
    }
    if (!Number.isFinite(state[5])) throw new Error(`Rng.setState: state[5] (spare) must be finite, got ${state[5]}`);
    [this.a, this.b, this.c, this.d] = state;
    this.hasSpare = state[4] === 1;
    this.spare = state[5];
  }
}
