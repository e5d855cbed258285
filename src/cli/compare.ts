// `compare <model>`: training runs from the same initial weights (different training units or
// optimizers), their loss curves, their paths on a 2-D slice of parameter space and J on a grid
// over it (issue 3, item 6). --json prints the engine's CompareResult.
import {
  type CompareResult, type CompareRun, OPTIMIZER_ALIASES, compareRuns, parseBatchRuns, parseOptimizerRuns,
} from '../engine/experiments/compare';
import type { SliceRequest } from '../engine/experiments/slice';
import { integerFlag, modelPath, parseFlags } from './args';
import { InputError, UsageError } from './errors';
import type { CliIo } from './io';
import { loadModelFile } from './load';
import { onlineRefusal } from '../engine/data/stream';
import { formatNumber, style } from './tables';
import { alignedTable } from './columns';
import { jsonLine } from '../engine/jsonLines';

export const COMPARE_USAGE = `compare <model> (--runs LIST | --optimizers LIST) [--epochs E] [--params P1,P2 | --seed N [--normalize filter|layer]] [--grid G] [--json]
    Trains several runs from the same initial weights for E epochs (default 5), each with its own
    trainer and optimizer, and records each run's loss per step and per epoch and its path on a
    2-D slice θ₀ + α·d₁ + β·d₂ of parameter space, plus J on the whole training split on a G × G
    grid (default 41) over the slice, its range fitted to the paths.
    --runs "batch,mini-batch:16,stochastic"      the model's optimizer with each training unit
    --optimizers "sgd,momentum,adam,lbfgs"       each optimizer with the model's training unit;
        the model's own type keeps its hyperparameters, other first-order types take its
        learningRate and torch's defaults, full-batch methods their defaults; aliases
        ${Object.keys(OPTIMIZER_ALIASES).join(', ')} (sgd; momentum/nesterov: momentum 0.9);
        override with name:key=value, e.g. adam:learningRate=0.01, adam:betas=0.8/0.99
    --params "layers[0].weights[0][1],layers[1].bias[0]"   the slice along two parameters
    --seed N           two random directions (default seed: the model's), normalized per filter
                       as in Li et al. 2018 (--normalize layer: per layer)
    --json             the CompareResult object (src/engine/experiments/compare.ts)`;

export function compareCommand(args: string[], io: CliIo): void {
  const { positionals, flags } = parseFlags('compare', args, {
    runs: { type: 'string' },
    optimizers: { type: 'string' },
    epochs: { type: 'string' },
    params: { type: 'string' },
    seed: { type: 'string' },
    normalize: { type: 'string' },
    grid: { type: 'string' },
    json: { type: 'boolean' },
  });
  const path = modelPath('compare', positionals);
  if ((flags.runs === undefined) === (flags.optimizers === undefined)) {
    throw new UsageError('compare: give exactly one of --runs "batch,mini-batch:16,stochastic" or --optimizers "sgd,momentum,adam,lbfgs"');
  }
  if (flags.params !== undefined && (flags.seed !== undefined || flags.normalize !== undefined)) {
    throw new UsageError('compare: --params picks the slice; --seed and --normalize are for random directions');
  }
  const normalize = flags.normalize ?? 'filter';
  if (normalize !== 'filter' && normalize !== 'layer') throw new UsageError(`compare: --normalize is "filter" or "layer", got ${JSON.stringify(normalize)}`);
  const epochs = integerFlag('compare', 'epochs', flags.epochs, 1) ?? 5;
  const grid = integerFlag('compare', 'grid', flags.grid, 2) ?? 41;
  const seedFlag = integerFlag('compare', 'seed', flags.seed, 0);

  const { model, data, warnings } = loadModelFile(path, flags['data-root']);
  for (const warning of warnings) io.err(warning + '\n');
  if (data.stream) throw new InputError(`${path}: error: ${onlineRefusal('compare')}`);
  let slice: SliceRequest;
  if (flags.params !== undefined) {
    const names = String(flags.params).split(',').map((s) => s.trim());
    if (names.length !== 2) throw new UsageError(`compare: --params needs two parameters separated by a comma, got ${JSON.stringify(flags.params)}`);
    slice = { kind: 'parameters', parameters: [names[0], names[1]] };
  } else {
    slice = { kind: 'random', seed: seedFlag ?? model.seed ?? 0, normalization: normalize };
  }
  let result: CompareResult;
  try {
    const runs: CompareRun[] = flags.runs !== undefined ? parseBatchRuns(String(flags.runs), model) : parseOptimizerRuns(String(flags.optimizers), model);
    result = compareRuns(model, data, { runs, epochs, slice, grid });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(`compare: ${error.message}`);
    throw error;
  }
  io.out(flags.json ? jsonLine(result) : describe(result, io.color));
}

const f = formatNumber;

function describe(r: CompareResult, color: boolean): string {
  const s = style(color);
  const axes = r.slice.kind === 'parameters'
    ? `α = change of ${r.slice.labels[0]} (start ${f(r.slice.start![0])}), β = change of ${r.slice.labels[1]} (start ${f(r.slice.start![1])})${r.parameterCount > 2 ? '; the other parameters move off the slice' : ''}`
    : `two random directions (seed ${r.slice.seed}), normalized per ${r.slice.normalization} to the initial weights (Li et al. 2018)`;
  const shown = Math.min(r.epochs, 8);
  const epochColumns = Array.from({ length: shown + 1 }, (_, i) => Math.round((i * r.epochs) / shown));
  const lines = [
    s.heading(`${r.model}: ${r.runs.length} runs from the same initial weights, ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}`),
    `  ${r.trainingSamples} training samples, ${r.parameterCount} parameters`,
    `  slice θ₀ + α·d₁ + β·d₂: ${axes}`,
    '',
    s.heading('  J on the whole training split, at the start and after epochs'),
    ...alignedTable(
      ['run', 'optimizer', 'unit', 'steps', ...epochColumns.map((e) => (e === 0 ? 'start' : `epoch ${e}`))],
      r.runs.map((run) => [
        run.label, run.optimizer.type, run.batch.mode === 'mini-batch' ? `mini-batch ${run.batch.size}` : run.batch.mode,
        String(run.steps), ...epochColumns.map((e) => (e < run.epochLoss.length ? f(run.epochLoss[e]) : '—')),
      ]),
    ),
    '',
    s.heading('  Paths on the slice'),
    ...alignedTable(
      ['run', 'end α', 'end β', 'distance from the slice', 'stopped'],
      r.runs.map((run) => {
        const [a, b] = run.path[run.path.length - 1];
        return [run.label, f(a), f(b), f(run.offSlice[run.offSlice.length - 1]), run.stopped ?? ''];
      }),
    ),
    '',
    `  grid ${r.grid.alphas.length} × ${r.grid.betas.length}: α ${f(r.grid.alphas[0])} .. ${f(r.grid.alphas[r.grid.alphas.length - 1])}, β ${f(r.grid.betas[0])} .. ${f(r.grid.betas[r.grid.betas.length - 1])}, J ${f(r.grid.min)} .. ${f(r.grid.max)}`,
    s.dim('  --json gives every step\'s loss, the paths and the grid values.'),
  ];
  return lines.join('\n') + '\n';
}
