// The one place the engine's product kernel touches Node's file system: the WebAssembly SIMD
// kernel that scripts/build.mjs assembles into dist/ beside the bundles (see matmul.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { provideKernel } from './matmul';

export const KERNEL_FILE = 'matmul.wasm';

/**
 * Lets the engine read the kernel from `dir` (the running bundle's folder) when a product first
 * needs it. Where the file is absent (sources run by tsx in the tests) the TypeScript fallback
 * computes the same numbers, so a missing kernel costs speed, never a result.
 */
export function useKernelIn(dir: string): void {
  provideKernel(() => {
    try {
      return readFileSync(join(dir, KERNEL_FILE));
    } catch {
      return undefined;
    }
  });
}
