// The four operations of a training step (DESIGN.md §2) on the step in progress: forward of one
// layer, the loss, backward of one layer, the update. Each fills its part of the StepRecord and
// returns where it first produced NaN/±Infinity, if it did. The trainer (trainer.ts) decides
// which operation runs next and keeps the books; this module is the arithmetic it calls.
import type { LayerRecord, Phase, StepRecord } from './types';
import {
  type LayerForward, type Network, backwardLayer, batchLoss, forwardLayer, layerLocalGradient, newLayerRecord, outputLoss, recordBackward,
  recordForward, weightGradient,
} from './network';
import { localGradientLength } from './activations';
import type { LossSpec, Regularization } from './losses';
import type { Objective, Optimizer } from './optimizers';
import { type NonFiniteDetail, type WatchPlace, watchLoss, watchOptimizerState, watchParameter, watchPenalty, watchRows } from './nonFinite';
import { type Allocate, type Arena, type ArenaSource, copyWith, freshArray } from './arena';
import { defineLazy, deferred } from './lazyField';

/** What the operations work with: the trainer's network, loss, optimizer, and whether to record. */
export interface StepContext {
  net: Network;
  lossSpec: LossSpec;
  regularization: Regularization;
  optimizer: Optimizer;
  /** The network's parameters (live) and their names, in parameters() order. */
  params: Float64Array[];
  names: string[];
  /** J on the whole training split, for the full-batch (second-order) methods. */
  objective: Objective | undefined;
  /** Record every tensor (else only what later operations and run conditions need). */
  recording: boolean;
  /** Scratch for lossAfter's forward pass, reused every step. */
  scratch: Arena;
  /**
   * Where each recorded update puts its copy of the parameters after it: apart from the step's
   * arena, because the next step's record shares the copy (so a record keeps two such copies
   * alive, not its neighbour's whole arena).
   */
  parameterCopies: ArenaSource;
  /**
   * The last recorded update's copy of the parameters (parameters() order), kept only while the
   * live parameters still equal it bit for bit: the next recorded step takes it as its weights
   * before the update instead of copying them again. Whatever else changes the parameters
   * (an unrecorded update, a restored checkpoint) must drop it.
   */
  parametersAsRecorded: Float64Array[] | undefined;
}

/** The step in progress: its record and what later operations of the step need. */
export interface StepWork {
  record: StepRecord;
  rows: number;
  x: Float64Array;
  y: Float64Array;
  /**
   * Where this step's tensors live: a recorded step's in an arena of its own (the record keeps
   * them), an unrecorded step's in `reused` (its record keeps none).
   */
  arena: Arena;
  /**
   * Memory every step reuses (the trainer resets it as a step begins), for what this step's record
   * does not keep; an unrecorded step's arena is this too.
   */
  reused: Arena;
  /**
   * A recorded step whose input rows live in reused memory: gathers them again (from the data,
   * by the batch's indices) for the record's layers[0].input, when first read.
   */
  gatherInput?: () => Float64Array;
  forwards: LayerForward[];
  upstream?: Float64Array; // ∂J/∂a of the layer whose backward is next
  outputDelta?: Float64Array; // ∂J/∂z at the output, from the loss
  grads: Float64Array[]; // parameters() order, filled by the backward operations
  /** ‖∂J/∂θ‖₂, once the update has run. */
  gradNorm?: number;
}

/** A new step on `batch` (positions in the training split) whose rows of x and y are given. */
export function beginStepWork(
  ctx: StepContext, header: { step: number; epoch: number; batch: number[] },
  rows: { x: Float64Array; y: Float64Array; rows: number; gatherInput?: () => Float64Array }, memory: { arena: Arena; reused: Arena },
): StepWork {
  // A recorded step's weights before it: the last recorded update's copy while it still holds, else a copy of their own.
  const before = ctx.recording ? (ctx.parametersAsRecorded ?? copyParameters(ctx)) : undefined;
  const layers: LayerRecord[] = ctx.net.layers.map((layer, l) =>
    before
      ? newLayerRecord(layer, l, rows.rows, { weights: before[2 * l], bias: before[2 * l + 1] })
      : { index: l, units: layer.units, inputs: layer.inputs, activation: layer.activation, rows: rows.rows, weights: layer.weights, bias: layer.bias },
  );
  return {
    record: { ...header, layers },
    ...rows,
    ...memory,
    forwards: new Array(ctx.net.layers.length),
    grads: new Array(2 * ctx.net.layers.length),
  };
}

/**
 * A copy of the live parameters (parameters() order) for a record, in parameterCopies: apart
 * from the step's arena, so that a record sharing it keeps only the copy alive, and so that the
 * step arena's learned size (arena.ts) is the same whether a step copies its weights or shares them.
 */
function copyParameters(ctx: StepContext): Float64Array[] {
  const take = ctx.parameterCopies.arena().take;
  return ctx.params.map((p) => copyWith(take, p));
}

/** Runs operation `phase` on the step in progress; returns where it first produced NaN/±Infinity, if it did. */
export function runOperation(ctx: StepContext, phase: Phase, w: StepWork, at: WatchPlace): NonFiniteDetail | undefined {
  const { net, lossSpec } = ctx;
  const { record } = w;
  const last = net.layers.length - 1;
  switch (phase.kind) {
    case 'forward': {
      const l = phase.layer;
      const input = l === 0 ? w.x : w.forwards[l - 1].a;
      const pass = forwardLayer(net.layers[l], input, w.rows, w.arena.take);
      w.forwards[l] = pass;
      if (ctx.recording) {
        recordForward(record.layers[l], pass);
        if (l === 0 && w.gatherInput) defineLazy(record.layers[0], 'input', w.gatherInput);
      }
      return watchRows(at, net, l, 'z', pass.z, record.batch) ?? watchRows(at, net, l, 'a', pass.a, record.batch);
    }
    case 'loss': {
      const out = outputLoss(net, lossSpec, w.forwards[last], w.y, w.arena.take);
      record.loss = out.loss;
      record.dataLoss = out.dataLoss;
      record.regLoss = out.regLoss;
      if (ctx.recording) record.layers[last].upstream = out.upstream;
      w.upstream = out.upstream;
      w.outputDelta = out.delta;
      return watchLoss(at, net, 'dataLoss', out.dataLoss, out.perSample, record.batch) ?? watchPenalty(at, net, ctx.regularization, out.regLoss);
    }
    case 'backward': {
      const l = phase.layer;
      const layer = net.layers[l];
      // A recorded step's large ∂J/∂W (784-128-10: 800 KB) follows from the recorded δ, input and
      // weights before: the step computes it into reused memory and the record computes it again when read.
      const gradientAgain = ctx.recording && deferred(layer.units * layer.inputs);
      const back = backwardLayer(layer, w.forwards[l], w.upstream!, {
        delta: l === last ? w.outputDelta : undefined,
        regularization: ctx.regularization,
        recordLocalGrad: ctx.recording && !deferred(localGradientLength(layer.activation, w.rows, layer.units)),
        downstream: l > 0,
        allocate: w.arena.take,
        gradWeights: gradientAgain ? w.reused.take(layer.units * layer.inputs) : undefined,
      });
      if (ctx.recording) {
        const r = record.layers[l];
        recordBackward(r, back);
        if (!back.localGrad) {
          // A large f′ follows from the recorded z and a; the layer's activation and broken
          // derivative never change (a new derivative builds a new network), so it is computed when read.
          const { z, a, rows } = w.forwards[l];
          defineLazy(r, 'localGrad', () => layerLocalGradient(layer, z, a, rows));
        }
        if (gradientAgain) {
          const { delta } = back;
          const { rows } = w;
          const { regularization } = ctx;
          defineLazy(r, 'gradWeights', () => weightGradient(layer, delta, r.input!, r.weights, rows, regularization));
        }
      }
      w.grads[2 * l] = back.gradWeights;
      w.grads[2 * l + 1] = back.gradBias;
      if (back.downstream) {
        w.upstream = back.downstream;
        if (ctx.recording) record.layers[l - 1].upstream = back.downstream;
      }
      return (
        watchRows(at, net, l, 'delta', back.delta, record.batch) ??
        watchParameter(at, net, l, 'gradWeights', back.gradWeights) ??
        watchParameter(at, net, l, 'gradBias', back.gradBias)
      );
    }
    case 'update':
      return update(ctx, w, at);
  }
}

function update(ctx: StepContext, w: StepWork, at: WatchPlace): NonFiniteDetail | undefined {
  const { net, optimizer } = ctx;
  const { record } = w;
  // A report tensor computed when first read takes the gradients the record keeps (some of the
  // step's own are in reused memory by then).
  const recordedGradient = (p: number) => {
    const r = record.layers[p >> 1];
    return (p % 2 === 0 ? r.gradWeights : r.gradBias)!;
  };
  const report = optimizer.step(ctx.params, w.grads, ctx.objective, w.arena.take, recordedGradient);
  let sumSquares = 0;
  for (const g of w.grads) for (let i = 0; i < g.length; i++) sumSquares += g[i] * g[i];
  w.gradNorm = Math.sqrt(sumSquares);
  ctx.parametersAsRecorded = undefined;
  if (ctx.recording) {
    const after = copyParameters(ctx);
    net.layers.forEach((_layer, l) => {
      const r = record.layers[l];
      r.weightsAfter = after[2 * l];
      r.biasAfter = after[2 * l + 1];
      recordAdded(r, 'updateWeights', report.state[ctx.names[2 * l]], r.weights, r.weightsAfter, w.arena.take);
      recordAdded(r, 'updateBias', report.state[ctx.names[2 * l + 1]], r.bias, r.biasAfter, w.arena.take);
    });
    record.optimizer = { type: optimizer.type, state: report.state };
    ctx.parametersAsRecorded = after;
  }
  ctx.scratch.reset();
  record.lossAfter = batchLoss(net, ctx.lossSpec, w.x, w.y, w.rows, ctx.scratch.take);
  for (let l = 0; l < net.layers.length; l++) {
    const problem = watchParameter(at, net, l, 'weights', net.layers[l].weights) ?? watchParameter(at, net, l, 'bias', net.layers[l].bias);
    if (problem) return problem;
  }
  return watchOptimizerState(at, net, optimizer.carriedState()) ?? watchLoss(at, net, 'lossAfter', record.lossAfter);
}

/**
 * Records what the update added to a parameter (addedStep): a large one is computed when first
 * read, from the optimizer's report and the record's own weights before and after, which nothing writes again.
 */
function recordAdded(
  r: LayerRecord, field: 'updateWeights' | 'updateBias', report: unknown, before: Float64Array, after: Float64Array, allocate: Allocate,
): void {
  if (deferred(after.length)) defineLazy(r, field, () => addedStep(report, before, after, freshArray));
  else r[field] = addedStep(report, before, after, allocate);
}

/**
 * What the update added to a parameter: the optimizer's own `step` report when it gives one
 * (exactly the number added), else after − before. The report is not copied: the optimizer
 * never writes it again (the record keeps it as optimizer.state too), and reusing optimizers
 * put it in the step's arena.
 */
function addedStep(report: unknown, before: Float64Array, after: Float64Array, allocate: Allocate): Float64Array {
  const step = (report as { step?: unknown } | undefined)?.step;
  if (step instanceof Float64Array && step.length === after.length) return step;
  const out = allocate(after.length);
  for (let i = 0; i < out.length; i++) out[i] = after[i] - before[i];
  return out;
}
