// `run <model>`: train for some steps and print each one, as tables or as JSON Lines.
import type { Phase, StepRecord } from '../engine/types';
import { Trainer } from '../engine/trainer';
import { phaseAt } from '../engine/phases';
import { describePhase } from '../engine/nonFinite';
import { runLoopSync } from '../engine/runLoop';
import { toLocalGrad, toMatrix, toStepTrace } from '../engine/trace';
import { integerFlag, modelPath, parseFlags } from './args';
import { InputError, UsageError } from './errors';
import type { CliIo } from './io';
import { loadModelFile } from './load';
import { phaseSection, stepHeading, style } from './tables';
import { jsonLine } from '../engine/jsonLines';
import { MovingAverage, ONLINE_LOSS_WINDOW } from '../engine/movingAverage';

export const RUN_USAGE = `run <model> [--steps N] [--grain step|op] [--json]
    Train the model file for N steps (default: one epoch) and print every step.
    --grain step   one block of per-layer tables per step (default)
    --grain op     one section per operation: forward of each layer, loss, backward, update
    --json         JSON Lines on stdout: one StepTrace (DESIGN.md §3) per step. With --grain op,
                   each forward, loss and backward operation first writes a line
                   {"step", "epoch", "phase", "values"} holding what it computed; the update's
                   line is the step's StepTrace.`;

export function runCommand(args: string[], io: CliIo): void {
  const { positionals, flags } = parseFlags('run', args, {
    steps: { type: 'string' },
    grain: { type: 'string' },
    json: { type: 'boolean' },
  });
  const path = modelPath('run', positionals);
  const grain = flags.grain ?? 'step';
  if (grain !== 'step' && grain !== 'op') throw new UsageError(`run: --grain is "step" or "op", got ${JSON.stringify(grain)}`);
  const requested = integerFlag('run', 'steps', flags.steps, 1);

  const { model, data, warnings } = loadModelFile(path, flags['data-root']);
  for (const warning of warnings) io.err(warning + '\n');
  const trainer = new Trainer(model, data);
  const steps = requested ?? trainer.plan.batchesPerEpoch;
  const s = style(io.color);
  const json = flags.json === true;

  const online = data.stream ? new MovingAverage(ONLINE_LOSS_WINDOW) : undefined;
  if (!json) {
    io.out(s.heading(`${model.name ?? path}: ${describeNetwork(trainer)}, loss ${model.loss}, optimizer ${model.optimizer.type}`) + '\n');
    const samples = online
      ? `online: ${trainer.plan.size} fresh sample${trainer.plan.size === 1 ? '' : 's'} per step from the seeded stream (samples are numbered in stream order), an epoch of ${trainer.plan.batchesPerEpoch} steps ends with the loss on a reference sample of ${data.dataset.samples}`
      : `${trainer.plan.samples} training samples, ${trainer.plan.mode} of ${trainer.plan.size}, ${trainer.plan.batchesPerEpoch} batches per epoch`;
    io.out(s.dim(`${samples}; weights are W[unit][input] (torch's [out][in]); indices are 0-based\n`));
  }
  trainer.subscribe((event) => {
    if (event.type === 'op' && grain === 'op') writeOp(event.phase, event.record, trainer, json, io);
    if (event.type === 'step') writeStep(event.record, trainer, json, grain === 'op', io);
    if (event.type === 'epoch' && !json) {
      for (const e of event.evaluations) {
        const accuracy = e.accuracy === undefined ? '' : `, accuracy ${(100 * e.accuracy).toFixed(1)}%`;
        io.out(s.dim(`  end of epoch ${e.epoch}: ${e.split} loss ${e.loss}${accuracy}\n`));
      }
    }
  });

  try {
    const outcome = runLoopSync(trainer, { until: { kind: 'steps', value: steps } });
    if (outcome.kind === 'non-finite') throw new InputError(`${path}: error: ${outcome.error.message}`);
  } catch (error) {
    // What the load-time checks cannot foresee: an allocation or a trace line the JavaScript
    // engine refuses ("Array buffer allocation failed", "Invalid string length").
    if (error instanceof RangeError) {
      const { step, nextPhase } = trainer.position;
      throw new InputError(`${path}: error: step ${step}, ${describePhase(nextPhase)}: ${error.message} (a memory or size limit of the JavaScript engine); use smaller mini-batches or layers`);
    }
    throw error;
  }

  function writeOp(phase: Phase, record: StepRecord, t: Trainer, asJson: boolean, out: CliIo): void {
    if (phase.kind === 'update') return; // the step's own output follows
    if (asJson) {
      out.out(jsonLine({ step: record.step, epoch: record.epoch, phase, values: phaseValues(record, phase) }));
      return;
    }
    if (phase.kind === 'forward' && phase.layer === 0) out.out('\n' + stepHeading(record, t.position, batchNumberOf(t, record), s) + '\n');
    out.out(phaseSection(record, phase, s).join('\n') + '\n');
  }

  function writeStep(record: StepRecord, t: Trainer, asJson: boolean, opsAlreadyShown: boolean, out: CliIo): void {
    if (asJson) {
      out.out(jsonLine(toStepTrace(record)));
      return;
    }
    const phases: Phase[] = [];
    if (!opsAlreadyShown) {
      out.out('\n' + stepHeading(record, t.position, batchNumberOf(t, record), s) + '\n');
      for (let op = 0; op < t.opsPerStep - 1; op++) phases.push(phaseAt(op, t.network.layers.length));
    }
    phases.push({ kind: 'update' });
    for (const phase of phases) out.out(phaseSection(record, phase, s).join('\n') + '\n');
    if (online) {
      const average = online.push(record.loss!);
      out.out(s.dim(`  loss of this step's fresh batch ${record.loss} · moving average of the last ${Math.min(record.step, online.window) === 1 ? "step" : `${Math.min(record.step, online.window)} steps`} ${average}\n`));
    }
  }
}

/** 1-based batch number of a record's step within its epoch. */
function batchNumberOf(t: Trainer, record: StepRecord): number {
  return ((record.step - 1) % t.plan.batchesPerEpoch) + 1;
}

function describeNetwork(t: Trainer): string {
  const net = t.network;
  return [net.inputs, ...net.layers.map((l) => `${l.units} ${l.activation}`)].join(' → ');
}

/** What one operation computed, as nested arrays (the op-grain JSON line). */
function phaseValues(record: StepRecord, phase: Phase): Record<string, unknown> {
  if (phase.kind === 'loss') {
    const out = record.layers[record.layers.length - 1];
    return { loss: record.loss, dataLoss: record.dataLoss, regLoss: record.regLoss, upstream: toMatrix(out.upstream!, out.rows, out.units) };
  }
  if (phase.kind === 'update') return {};
  const layer = record.layers[phase.layer];
  const { rows, units, inputs } = layer;
  if (phase.kind === 'forward') {
    return { layer: phase.layer, input: toMatrix(layer.input!, rows, inputs), z: toMatrix(layer.z!, rows, units), a: toMatrix(layer.a!, rows, units) };
  }
  return {
    layer: phase.layer,
    localGrad: toLocalGrad(layer, layer.localGrad!),
    upstream: toMatrix(layer.upstream!, rows, units),
    delta: toMatrix(layer.delta!, rows, units),
    gradWeights: toMatrix(layer.gradWeights!, units, inputs),
    gradBias: Array.from(layer.gradBias!),
  };
}
