// Data-parallel recordings in the inspector (issue 14): the recorder writes one trace per rank
// (`dp.rank{rank}.trace.jsonl`); one of them opened finds its siblings, and at every step the
// inspector shows each rank's own gradient of its share of the batch, their mean and the reduced
// gradient the update used, side by side. No `vscode` import: the panel and the tests call it.
import type { StepRecord } from '../engine/types';
import type { ParameterGradient, RankGradients } from '../protocol/messages';
import type { TraceContents, TraceHeader } from '../protocol/traceFile';

/**
 * Every rank's trace file name for a data-parallel trace (index = rank, this file included):
 * `rank<r>` in place of the file name's `rank<rank>`, as the recorder's `{rank}` template writes
 * them. Undefined when the header names no ranks (or one) or the file name has no `rank<rank>`.
 */
export function rankFileNames(path: string, header: TraceHeader | undefined): string[] | undefined {
  const rank = header?.rank;
  const worldSize = header?.worldSize;
  if (rank === undefined || worldSize === undefined || worldSize < 2) return undefined;
  const folder = path.slice(0, path.lastIndexOf('/') + 1);
  const base = path.slice(folder.length);
  // `rank1` but not the start of `rank10`
  const match = [...base.matchAll(new RegExp(`rank${rank}(?!\\d)`, 'g'))].at(-1);
  if (!match || match.index === undefined) return undefined;
  const before = base.slice(0, match.index);
  const after = base.slice(match.index + match[0].length);
  return Array.from({ length: worldSize }, (_, r) => `${folder}${before}rank${r}${after}`);
}

/**
 * Why the ranks' traces (index = rank) cannot be shown side by side, or undefined when they can:
 * each must say it is that rank of the same world size and carry local gradients.
 */
export function rankTracesProblem(traces: readonly TraceContents[], names: readonly string[]): string | undefined {
  for (const [r, trace] of traces.entries()) {
    const name = names[r];
    if (trace.header?.rank !== r || trace.header.worldSize !== traces.length) {
      return `${name} is not rank ${r} of ${traces.length} (its header says rank ${trace.header?.rank ?? '?'} of ${trace.header?.worldSize ?? '?'})`;
    }
    if (!trace.localGradients) return `${name} has no local gradients (localGradWeights): it was not recorded by a data-parallel run`;
  }
  return undefined;
}

/**
 * The ranks at the step of `record` (the opened file's step, whose gradients are the reduced ones
 * its update used): per layer each rank's local gradient, their mean, the reduced gradient and the
 * largest |mean − reduced|. Undefined when a rank did not record that step's local gradients or
 * the step has no reduced gradient yet.
 */
export function buildRankGradients(record: StepRecord, ranks: readonly TraceContents[]): RankGradients | undefined {
  const local = ranks.map((trace) => trace.localGradients?.[trace.records.findIndex((r) => r.step === record.step)]);
  if (local.some((l) => l === undefined || l.length !== record.layers.length)) return undefined;
  const layers: RankGradients['layers'] = [];
  for (const [l, layer] of record.layers.entries()) {
    if (!layer.gradWeights || !layer.gradBias) return undefined;
    layers.push(compareRanks(local.map((rank) => rank![l]), { weights: layer.gradWeights, bias: layer.gradBias }));
  }
  return { ranks: ranks.map((_, r) => r), layers };
}

/**
 * One layer's ranks side by side: each rank's local gradient (index = rank), their mean, the
 * reduced gradient and the largest |mean − reduced| over W and b. The inspector's card and the
 * live debugger's Ranks scope both read it.
 */
export function compareRanks(local: ParameterGradient[], reduced: ParameterGradient): RankGradients['layers'][number] {
  const mean: ParameterGradient = { weights: meanOf(local.map((p) => p.weights)), bias: meanOf(local.map((p) => p.bias)) };
  const maxDifference = Math.max(largestDifference(mean.weights, reduced.weights), largestDifference(mean.bias, reduced.bias));
  return { local, mean, reduced, maxDifference };
}

function meanOf(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays[0].length);
  for (const a of arrays) for (let i = 0; i < out.length; i++) out[i] += a[i];
  for (let i = 0; i < out.length; i++) out[i] /= arrays.length;
  return out;
}

function largestDifference(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
