// Assembles the engine's WebAssembly SIMD kernel (src/engine/matmul.wat) with wabt from the npm
// registry: the build writes it to dist/matmul.wasm, the kernel tests assemble it afresh.
import wabtInit from 'wabt';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const KERNEL_SOURCE = fileURLToPath(new URL('../src/engine/matmul.wat', import.meta.url));

/** The kernel's WebAssembly bytes. */
export async function assembleKernel() {
  const wabt = await wabtInit();
  const module = wabt.parseWat('matmul.wat', readFileSync(KERNEL_SOURCE, 'utf8'), { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
