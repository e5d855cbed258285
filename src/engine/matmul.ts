// The dense layers' three products (z = X·Wᵀ + b, ∂J/∂W = δᵀ·X, ∂J/∂X = δ·W) as one kernel,
// C = A·B with A and B row-major (either may be given transposed), in two implementations with
// the same arithmetic: WebAssembly SIMD (matmul.wat, assembled at build time, handed over by the
// host through provideKernel) and plain TypeScript where that kernel is missing or the product
// too small to pay the copy.
//
// Bit-identical whichever runs: every element of C is one running sum taken in index order from
// its initial value, a multiply and a separate add per term (neither JavaScript nor WebAssembly
// fuses them), as the plain triple loop takes it. Blocking and SIMD only run several such sums
// side by side (SIMD: neighbouring columns in the two lanes), sharing loads between them and
// giving the CPU independent addition chains instead of one.

/** Which operand multiply is given transposed: 'a' (a holds Aᵀ, k × m) or 'b' (b holds Bᵀ, n × k). */
export type Transposed = 'a' | 'b';

/**
 * out[i][j] = init[j] + Σ_p A[i][p]·B[p][j] for A: m × k, B: k × n, out: m × n (p ascending;
 * init omitted means 0), where a holds A and b holds B, or one of them transposed. Returns `out`.
 */
export function multiply(
  a: Float64Array, b: Float64Array, m: number, n: number, k: number,
  out: Float64Array, init?: Float64Array, transposed?: Transposed,
): Float64Array {
  if (m * n * k >= WASM_MIN_PRODUCT) {
    const wasm = loadedKernel();
    if (wasm) return wasm.multiply(a, b, m, n, k, out, init, transposed);
  }
  if (transposed === 'a') return multiplyPlain(transpose(a, k, m, scratch(m * k)), b, m, n, k, out, init);
  if (transposed === 'b') return multiplyPlain(a, transpose(b, n, k, scratch(k * n)), m, n, k, out, init);
  return multiplyPlain(a, b, m, n, k, out, init);
}

/** multiply in TypeScript: the fallback, and the reference the WebAssembly kernel is tested against. */
export function multiplyPlain(
  a: Float64Array, b: Float64Array, m: number, n: number, k: number,
  out: Float64Array, init?: Float64Array,
): Float64Array {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const c0 = init ? init[j] : 0;
    const c1 = init ? init[j + 1] : 0;
    const c2 = init ? init[j + 2] : 0;
    const c3 = init ? init[j + 3] : 0;
    let i = 0;
    // Two rows of A at a time: each load of B then serves two sums, each load of A four.
    for (; i + 2 <= m; i += 2) {
      const a0 = i * k;
      const a1 = a0 + k;
      let s00 = c0;
      let s01 = c1;
      let s02 = c2;
      let s03 = c3;
      let s10 = c0;
      let s11 = c1;
      let s12 = c2;
      let s13 = c3;
      for (let p = 0, bp = j; p < k; p++, bp += n) {
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
        const y0 = b[bp];
        const y1 = b[bp + 1];
        const y2 = b[bp + 2];
        const y3 = b[bp + 3];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      const o0 = i * n + j;
      const o1 = o0 + n;
      out[o0] = s00;
      out[o0 + 1] = s01;
      out[o0 + 2] = s02;
      out[o0 + 3] = s03;
      out[o1] = s10;
      out[o1 + 1] = s11;
      out[o1 + 2] = s12;
      out[o1 + 3] = s13;
    }
    if (i < m) {
      const aRow = i * k;
      let s0 = c0;
      let s1 = c1;
      let s2 = c2;
      let s3 = c3;
      for (let p = 0, bp = j; p < k; p++, bp += n) {
        const x = a[aRow + p];
        s0 += x * b[bp];
        s1 += x * b[bp + 1];
        s2 += x * b[bp + 2];
        s3 += x * b[bp + 3];
      }
      const o = i * n + j;
      out[o] = s0;
      out[o + 1] = s1;
      out[o + 2] = s2;
      out[o + 3] = s3;
    }
  }
  for (; j < n; j++) {
    const c = init ? init[j] : 0;
    for (let i = 0; i < m; i++) {
      const aRow = i * k;
      let s = c;
      for (let p = 0, bp = j; p < k; p++, bp += n) s += a[aRow + p] * b[bp];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** out = aᵀ for a: rows × cols (out: cols × rows). Returns `out`. */
function transpose(a: Float64Array, rows: number, cols: number, out: Float64Array): Float64Array {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[row + c];
  }
  return out;
}

// The fallback's transposed copy of a transposed operand; reused across calls (the engine is
// single-threaded and nothing keeps it past one multiply).
let scratchBuffer = new Float64Array(0);

function scratch(length: number): Float64Array {
  if (scratchBuffer.length < length) scratchBuffer = new Float64Array(length);
  return scratchBuffer;
}

// ---- the WebAssembly kernel

/**
 * Products smaller than this many multiply-adds stay in TypeScript: copying the operands into
 * the kernel's memory and back would cost about what the SIMD saves (a 2-8-8-1 step is all such).
 */
const WASM_MIN_PRODUCT = 1 << 14;

/** Where the kernel's bytes come from (the host reads dist/matmul.wasm); absent: TypeScript only. */
export type KernelSource = () => Uint8Array<ArrayBuffer> | undefined;

let kernelSource: KernelSource | undefined;
/** undefined: not loaded yet; null: unavailable (no source, or no WebAssembly SIMD here). */
let kernel: WasmKernel | null | undefined;

/**
 * Hands the engine the WebAssembly kernel's bytes, read on the first product large enough to
 * need them (so a host that never trains a big network never compiles it). undefined: TypeScript only.
 */
export function provideKernel(source: KernelSource | undefined): void {
  kernelSource = source;
  kernel = undefined;
}

/** Which implementation runs the large products: what the bench and the logs report. */
export function kernelInUse(): 'wasm-simd' | 'typescript' {
  return loadedKernel() ? 'wasm-simd' : 'typescript';
}

function loadedKernel(): WasmKernel | null {
  if (kernel === undefined) {
    const bytes = kernelSource?.();
    // validate is false where WebAssembly SIMD is missing: the fallback then gives the same numbers.
    kernel = bytes && typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WasmKernel(bytes) : null;
  }
  return kernel;
}

const PAGE_BYTES = 65536;
/** The kernel's tiles are 4 × 4: it pads A's rows and B's columns to a multiple of 4. */
const TILE = 4;

class WasmKernel {
  private readonly memory: WebAssembly.Memory;
  private readonly run: (
    a: number, aRowStep: number, aSumStep: number, b: number, bSumStep: number, bColumnStep: number,
    init: number, out: number, m: number, n: number, k: number,
    aPanels: number, bPanels: number, initPanels: number, tile: number,
  ) => void;
  private numbers: Float64Array;

  constructor(bytes: Uint8Array<ArrayBuffer>) {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    this.memory = exports.memory as WebAssembly.Memory;
    this.run = exports.multiply as WasmKernel['run'];
    this.numbers = new Float64Array(this.memory.buffer);
  }

  /**
   * multiply, with the operands copied as they are into the kernel's memory in the order a, b,
   * init, out, followed by the kernel's own regions: A and B in panels, init padded, one tile.
   */
  multiply(
    a: Float64Array, b: Float64Array, m: number, n: number, k: number, out: Float64Array, init: Float64Array | undefined,
    transposed: Transposed | undefined,
  ): Float64Array {
    const paddedRows = Math.ceil(m / TILE) * TILE;
    const paddedColumns = Math.ceil(n / TILE) * TILE;
    const bAt = m * k;
    const initAt = bAt + k * n;
    const outAt = initAt + n;
    const aPanelsAt = outAt + m * n;
    const bPanelsAt = aPanelsAt + paddedRows * k;
    const initPanelsAt = bPanelsAt + paddedColumns * k;
    const tileAt = initPanelsAt + paddedColumns;
    const end = tileAt + TILE * TILE;
    if (end * 8 > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((end * 8 - this.memory.buffer.byteLength) / PAGE_BYTES));
      this.numbers = new Float64Array(this.memory.buffer);
    }
    const numbers = this.numbers;
    numbers.set(a.length === m * k ? a : a.subarray(0, m * k), 0);
    numbers.set(b.length === k * n ? b : b.subarray(0, k * n), bAt);
    if (init) numbers.set(init.length === n ? init : init.subarray(0, n), initAt);
    else numbers.fill(0, initAt, outAt);
    // Where A[i][p] and B[p][j] are, in numbers: a + i·aRowStep + p·aSumStep, b + p·bSumStep + j·bColumnStep.
    const [aRowStep, aSumStep] = transposed === 'a' ? [1, m] : [k, 1];
    const [bSumStep, bColumnStep] = transposed === 'b' ? [1, k] : [n, 1];
    this.run(
      0, aRowStep, aSumStep, bAt * 8, bSumStep, bColumnStep, initAt * 8, outAt * 8, m, n, k,
      aPanelsAt * 8, bPanelsAt * 8, initPanelsAt * 8, tileAt * 8,
    );
    out.set(numbers.subarray(outAt, outAt + m * n));
    return out;
  }
}
