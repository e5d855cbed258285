// The upper bounds a model file must keep, in one place (README, "Limits of a model file").
// Together with the schema's own maxima (64 layers, 4,096 units or inputs, 100,000 generated
// samples, 1,000 inner iterations per step) they keep every accepted file within a memory budget
// of about 1 GiB for the engine, its step record and one step's JSON trace, and every check
// that needs them runs when the file is loaded, so the editor's Problems panel shows it.

/** A model file's text. Its JSON tree costs about 150 bytes per number, so 4 MiB of inline data stays under 1 GiB. */
export const MAX_MODEL_FILE_BYTES = 4 * 1024 * 1024;

/** A CSV data file, counted in bytes actually read (a /proc file reports size 0). */
export const MAX_CSV_BYTES = 10 * 1024 * 1024;

/** Arrays and objects inside one another. A valid model file needs 5 (layers[l].weights[r]). */
export const MAX_NESTING = 16;

/** Weights and biases of the network: six copies of them (W, ∂J/∂W, ΔW, W after, ...) are in every step's trace. */
export const MAX_PARAMETERS = 1_000_000;

/** Numbers in a dataset (samples × (inputs + outputs)): 80 MB as float64, twice when normalized. */
export const MAX_DATASET_VALUES = 10_000_000;

/**
 * CPU seconds one step may take, as estimated from the file when it is loaded (model/stepCost.ts:
 * the batch's pass and its record, the epoch-end measurement, the full-batch optimizers' inner
 * iterations at their most). Measured on the project's 2-core machine: a file just under it
 * (25,000 whole-batch samples of 2-3-3-3-1, estimated 2.0 s) ran 3 steps in 5.1 s of CPU with
 * the CLI's JSON trace, load included. It also bounds what one step records to about 1.7 million
 * numbers (13 MB as float64, about 35 MB as one JSON line).
 */
export const MAX_STEP_CPU_SECONDS = 2;

/**
 * Numbers of one forward pass over a whole split (samples × (inputs + z and a of every layer)):
 * the per-epoch evaluation and the full-batch optimizers' objective take the split at once. 256 MB.
 */
export const MAX_PASS_VALUES = 32_000_000;

/** Problems reported for one file; the rest are counted in one last line. */
export const MAX_REPORTED_PROBLEMS = 50;

/** Bytes as people read them: "10 MiB", or exact bytes when rounding would hide the difference. */
export function describeBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (Number.isInteger(mib)) return `${mib} MiB`;
  const rounded = `${mib.toFixed(1)} MiB`;
  return mib >= 0.1 ? `${rounded} (${bytes.toLocaleString('en-US')} bytes)` : `${bytes.toLocaleString('en-US')} bytes`;
}
