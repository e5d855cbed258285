// Child process of bench/engineVsTfjs.ts: the bench's network in TensorFlow.js's WASM backend
// (its SIMD build, chosen by the backend where WebAssembly SIMD exists), in a process of its own
// because TensorFlow.js has one backend at a time. argv[2]: the shape's index in SHAPES. On each
// line of stdin "<count>": runs count steps and answers with the seconds they took; the first
// line it prints says which build runs.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createInterface } from 'node:readline';
import { SHAPES, tfjsStep } from './engineVsTfjs';

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  process.stdout.write(`${tf.getBackend()} simd=${simd} threads=${threads}\n`);
  const { step } = tfjsStep(SHAPES[Number(process.argv[2])]);
  for await (const line of createInterface({ input: process.stdin })) {
    const count = Number(line);
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) step();
    process.stdout.write(`${Number(process.hrtime.bigint() - start) / 1e9}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
