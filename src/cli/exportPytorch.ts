// `export-pytorch <model> [-o FILE.py] [--epochs E]`: the model file as a PyTorch training script
// (src/export/pytorchScript.ts writes it; this command only reads the model and writes the file).
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_EXPORT_EPOCHS, ExportError, pytorchScript } from '../export/pytorchScript';
import { integerFlag, modelPath, parseFlags } from './args';
import { InputError, UsageError } from './errors';
import type { CliIo } from './io';
import { loadModelFile } from './load';

export const EXPORT_PYTORCH_USAGE = `export-pytorch <model> [-o FILE.py] [--epochs E]
    Write the model as a runnable PyTorch script (float64, torch.optim): the same initial weights,
    training data, batch order, loss, regularization and optimizer as "run". On stdout unless -o.
    Run it with: python3 FILE.py --steps N [--trace OUT.jsonl] (--trace needs backprop_stepper
    from python/ on PYTHONPATH). newton, conjugate-gradient and levenberg-marquardt are not in
    torch.optim and are refused.
    --epochs E     epochs of shuffled batch order written into the script (default ${DEFAULT_EXPORT_EPOCHS})`;

export function exportPytorchCommand(args: string[], io: CliIo): void {
  const { positionals, flags } = parseFlags('export-pytorch', args, {
    output: { type: 'string', short: 'o' },
    epochs: { type: 'string' },
  });
  const path = modelPath('export-pytorch', positionals);
  const epochs = integerFlag('export-pytorch', 'epochs', flags.epochs, 1) ?? DEFAULT_EXPORT_EPOCHS;
  const { model, data, warnings } = loadModelFile(path);
  for (const warning of warnings) io.err(warning + '\n');
  let script: string;
  try {
    script = pytorchScript(model, data, { source: basename(path), epochs });
  } catch (error) {
    if (error instanceof ExportError) throw new InputError(`${path}: error: ${error.message}`);
    throw error;
  }
  const output = flags.output;
  if (typeof output !== 'string') {
    io.out(script);
    return;
  }
  try {
    writeFileSync(output, script);
  } catch (error) {
    throw new UsageError(`export-pytorch: cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  io.err(`wrote ${output}\n`);
}
