// `noise <model>`: the gradient-noise experiment (issue 3, item 5) and the lecture's 100 vs
// 10,000 table, at the initial weights or after --step S training steps.
import type { ModelFile } from '../engine/types';
import type { TrainingData } from '../engine/trainer';
import { Trainer } from '../engine/trainer';
import { NonFiniteError } from '../engine/nonFinite';
import {
  type GradientNoiseResult, type LectureBatchTable, checkNoiseOptions, gradientNoise, lectureBatchTable,
} from '../engine/experiments/gradientNoise';
import { integerFlag, modelPath, parseFlags } from './args';
import { InputError, UsageError } from './errors';
import type { CliIo } from './io';
import { loadModelFile } from './load';
import { onlineRefusal } from '../engine/data/stream';
import { formatNumber, style } from './tables';
import { alignedTable, wholeNumberList } from './columns';
import { jsonLine } from '../engine/jsonLines';

export const NOISE_USAGE = `noise <model> [--sizes 1,4,16,64] [--samples 300] [--step S] [--seed N] [--with-replacement] [--json]
  noise <model> --lecture-table [--samples 300] [--step S] [--seed N] [--json]
    The spread of the mini-batch gradient: for each size n, --samples mini-batches drawn as the
    trainer draws them (a shuffled order per epoch cut into runs of n: without replacement), and
    sqrt(E‖g_B − g‖²) next to the prediction σ/√n · √((N−n)/(N−1)), σ² = E‖gᵢ − g‖² over the
    per-sample gradients of the training split. Data part of J only (the regularization gradient
    is the same for every batch). Weights: initial, or after S training steps (--step).
    --with-replacement   draw n independent samples instead; the prediction is then σ/√n
    --lecture-table      the lecture's comparison of mini-batches of 100 and 10,000 (needs ≥ 10,000
                         training samples, e.g. examples/09-training-units.backprop.json), both ways
    --json               {"sizes", "std", "predicted", "sigma", "populationCorrection", "slope", ...}`;

export function noiseCommand(args: string[], io: CliIo): void {
  const { positionals, flags } = parseFlags('noise', args, {
    sizes: { type: 'string' },
    samples: { type: 'string' },
    step: { type: 'string' },
    seed: { type: 'string' },
    'with-replacement': { type: 'boolean' },
    'lecture-table': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const path = modelPath('noise', positionals);
  const lecture = flags['lecture-table'] === true;
  if (lecture && (flags.sizes !== undefined || flags['with-replacement'])) {
    throw new UsageError('noise: --lecture-table uses sizes 100 and 10,000 and both ways of drawing; leave out --sizes and --with-replacement');
  }
  const sizes = flags.sizes === undefined ? [1, 4, 16, 64] : wholeNumberList(String(flags.sizes));
  if (!sizes) throw new UsageError(`noise: --sizes needs whole numbers ≥ 1 separated by commas, e.g. 1,4,16,64; got ${JSON.stringify(flags.sizes)}`);
  const draws = integerFlag('noise', 'samples', flags.samples, 1) ?? 300;
  const step = integerFlag('noise', 'step', flags.step, 0) ?? 0;

  const { model, data, warnings } = loadModelFile(path, flags['data-root']);
  for (const warning of warnings) io.err(warning + '\n');
  if (data.stream) throw new InputError(`${path}: error: ${onlineRefusal('noise')}`);
  const seed = integerFlag('noise', 'seed', flags.seed, 0) ?? model.seed ?? 0;
  const trainer = trainedTo(path, model, data, step);
  try {
    checkNoiseOptions({ sizes: lecture ? [100, 10000] : sizes, draws, seed }, data.split.train.length);
  } catch (error) {
    const hint = lecture ? '; the lecture table needs at least 10,000, e.g. examples/09-training-units.backprop.json' : '';
    throw new InputError(`${path}: error: ${(error as Error).message}${hint}`);
  }
  const where = step === 0 ? 'the initial weights' : `the weights after step ${step}`;
  const title = `${model.name ?? path} at ${where}`;

  if (lecture) {
    const table = lectureBatchTable(trainer.network, trainer.lossSpec, data, { draws, seed });
    io.out(flags.json ? jsonLine({ step, ...table }) : describeLectureTable(table, title, io.color));
    return;
  }
  const sampling = flags['with-replacement'] ? 'replacement' : 'epochs';
  const result = gradientNoise(trainer.network, trainer.lossSpec, data, { sizes, draws, seed, sampling });
  io.out(flags.json ? jsonLine({ step, ...result }) : describeNoise(result, title, io.color));
}

function trainedTo(path: string, model: ModelFile, data: TrainingData, step: number): Trainer {
  const trainer = new Trainer(model, data, { trace: false, evaluateEpochs: false });
  try {
    trainer.history.goTo(step);
  } catch (error) {
    if (error instanceof NonFiniteError) throw new InputError(`${path}: error: cannot reach step ${step}: ${error.message}`);
    throw error;
  }
  return trainer;
}

const f = formatNumber;

function describeNoise(r: GradientNoiseResult, title: string, color: boolean): string {
  const s = style(color);
  const lines = [
    s.heading(`Gradient noise of ${title}`),
    `  N = ${r.samples} training samples, P = ${r.parameters} parameters, ${r.draws} mini-batches per size`,
    `  σ = sqrt(mean over samples of ‖gᵢ − g‖²) = ${f(r.sigma)}    ‖g‖ (full-batch gradient) = ${f(r.gradientNorm)}`,
    s.dim(r.withReplacement
      ? '  Each mini-batch: n independent uniform draws (with replacement); prediction σ/√n.'
      : '  Each mini-batch as the trainer draws it: a shuffled order per epoch cut into runs of n (without\n  replacement), so the prediction is σ/√n · √((N−n)/(N−1)), the finite-population factor.'),
    s.dim('  Data part of J only: the regularization gradient is the same for every batch and cancels.'),
    '',
    ...alignedTable(
      ['n', 'measured sqrt(E‖g_B − g‖²)', 'predicted', 'measured / predicted', 'σ/√n', '√((N−n)/(N−1))'],
      r.sizes.map((n, i) => [
        String(n), f(r.std[i]), f(r.predicted[i]), r.predicted[i] > 0 ? (r.std[i] / r.predicted[i]).toFixed(3) : '—',
        f(r.sigma / Math.sqrt(n)), f(r.populationCorrection[i]),
      ]),
    ),
    '',
    `  log-log slope of the measured spread against n: ${f(r.slope)}` +
      (r.withReplacement ? '   (σ/√n: −0.5)' : `; with the population factor divided out: ${f(r.correctedSlope)}   (σ/√n: −0.5)`),
  ];
  return lines.join('\n') + '\n';
}

function describeLectureTable(t: LectureBatchTable, title: string, color: boolean): string {
  const s = style(color);
  const [small, large] = t.sizes;
  const ratio = (v: number) => `1/${f(1 / v)}`;
  const w = t.withReplacement;
  const o = t.withoutReplacement;
  const lines = [
    s.heading(`The lecture's mini-batch table (미니 배치 크기) on ${title}`),
    `  N = ${t.samples} training samples, σ = ${f(t.sigma)}, ${t.draws} mini-batches per size`,
    '',
    ...alignedTable(
      ['', `mini-batch ${small}`, `mini-batch ${large}`, `${large} vs ${small}`],
      [
        ['computation (per-sample gradients per step)', String(small), String(large), `${f(t.computationRatio)}×`],
        ['std, independent draws: measured', f(w.std[0]), f(w.std[1]), ratio(w.ratio)],
        ['                        σ/√n', f(w.predicted[0]), f(w.predicted[1]), ratio(w.predictedRatio)],
        ["std, trainer's draws:   measured", f(o.std[0]), f(o.std[1]), ratio(o.ratio)],
        ['  σ/√n · √((N−n)/(N−1))', f(o.predicted[0]), f(o.predicted[1]), ratio(o.predictedRatio)],
        ['  population factor √((N−n)/(N−1))', f(o.populationCorrection[0]), f(o.populationCorrection[1]), ''],
      ],
    ),
    '',
    s.dim(`  Independent draws give the lecture's 100× computation for 1/10 the standard deviation. The trainer's`),
    s.dim(`  batches are distinct samples of a finite training set, so once n is a sizeable share of N the spread`),
    s.dim(`  shrinks further by the population factor (with N = ${t.samples}: ${f(o.populationCorrection[1])} at n = ${large}).`),
  ];
  return lines.join('\n') + '\n';
}
