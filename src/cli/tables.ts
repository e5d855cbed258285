// Readable per-layer tables of one step for the terminal: one section per operation, so the
// op grain prints each section as it completes and the step grain prints them all at once.
import type { LayerRecord, Phase, StepRecord } from '../engine/types';
import type { NextOperation } from '../engine/phases';

const MAX_COLUMNS = 8; // per group; wider layers end in "…"
const MAX_ROWS = 12; // batch rows shown; the rest are counted

export interface Style {
  heading(text: string): string;
  dim(text: string): string;
}

export function style(color: boolean): Style {
  return color
    ? { heading: (t) => `\x1b[1m${t}\x1b[22m`, dim: (t) => `\x1b[2m${t}\x1b[22m` }
    : { heading: (t) => t, dim: (t) => t };
}

/** Five significant digits, no trailing zeros: 0.76254, -0.2, 1.2346e-7. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  return String(Number(v.toPrecision(5)));
}

interface Group {
  title: string;
  labels: string[];
  cell: (row: number, column: number) => number;
}

/** Column groups side by side, separated by │, one line per row. */
function table(rowTitle: string, rowLabels: string[], groups: Group[]): string[] {
  const shown = groups.map((g) => {
    const count = Math.min(g.labels.length, MAX_COLUMNS);
    const cols = g.labels.slice(0, count);
    if (g.labels.length > count) cols.push(`…+${g.labels.length - count}`);
    return { ...g, count, cols };
  });
  const rowsShown = Math.min(rowLabels.length, MAX_ROWS);
  const body: string[][] = [];
  for (let r = 0; r < rowsShown; r++) {
    const cells = [rowLabels[r]];
    for (const g of shown) {
      for (let c = 0; c < g.count; c++) cells.push(formatNumber(g.cell(r, c)));
      if (g.cols.length > g.count) cells.push('…');
    }
    body.push(cells);
  }
  const header = [rowTitle, ...shown.flatMap((g) => g.cols)];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  // Each group is as wide as its title; its last column takes up the slack.
  const spans: number[] = [];
  let at = 1;
  for (const g of shown) {
    const last = at + g.cols.length - 1;
    const span = () => widths.slice(at, last + 1).reduce((sum, w) => sum + w, 0) + 2 * (g.cols.length - 1);
    if (g.title.length > span()) widths[last] += g.title.length - span();
    spans.push(span());
    at = last + 1;
  }
  const groupStarts = new Set<number>();
  at = 1;
  for (const g of shown) {
    groupStarts.add(at);
    at += g.cols.length;
  }
  const line = (cells: string[]) =>
    ('    ' + cells.map((c, i) => (groupStarts.has(i) ? ' │ ' : i === 0 ? '' : '  ') + c.padStart(widths[i])).join('')).trimEnd();
  const titles = '    ' + ''.padStart(widths[0]) + shown.map((g, k) => ' │ ' + g.title.padEnd(spans[k])).join('');
  const out = [titles.trimEnd(), line(header), ...body.map(line)];
  if (rowLabels.length > rowsShown) out.push(`    … ${rowLabels.length - rowsShown} more rows`);
  return out;
}

const indexLabels = (n: number, name: (i: number) => string) => Array.from({ length: n }, (_, i) => name(i));

function perRow(values: Float64Array, width: number): (r: number, c: number) => number {
  return (r, c) => values[r * width + c];
}

function sampleLabels(record: StepRecord): string[] {
  return record.batch.map((sample) => String(sample));
}

function layerTitle(layer: LayerRecord): string {
  return `layers[${layer.index}]  ${layer.activation}, ${layer.inputs} → ${layer.units}`;
}

/** A trace file does not know the batches per epoch: without a position the heading leaves the batch out. */
export function stepHeading(record: StepRecord, position: Pick<NextOperation, 'batchesPerEpoch'> | undefined, batchNumber: number | undefined, s: Style): string {
  const batch = position && batchNumber !== undefined ? ` · batch ${batchNumber} of ${position.batchesPerEpoch}` : '';
  return s.heading(`step ${record.step} · epoch ${record.epoch}${batch} · samples [${record.batch.join(', ')}]`);
}

/** The section an operation adds to the record. */
export function phaseSection(record: StepRecord, phase: Phase, s: Style): string[] {
  switch (phase.kind) {
    case 'forward': {
      const layer = record.layers[phase.layer];
      const { inputs, units } = layer;
      const inputName = phase.layer === 0 ? 'x' : `a of layers[${phase.layer - 1}]`;
      return [
        s.heading(`  ▸ forward ${layerTitle(layer)}`) + s.dim(`   z = W·input + b, a = ${layer.activation}(z)`),
        ...table('sample', sampleLabels(record), [
          { title: `input (${inputName})`, labels: indexLabels(inputs, (i) => `[${i}]`), cell: perRow(layer.input!, inputs) },
          { title: 'z', labels: indexLabels(units, (u) => `[${u}]`), cell: perRow(layer.z!, units) },
          { title: 'a', labels: indexLabels(units, (u) => `[${u}]`), cell: perRow(layer.a!, units) },
        ]),
      ];
    }
    case 'loss': {
      const out = record.layers[record.layers.length - 1];
      return [
        s.heading(`  ▸ loss  J = ${formatNumber(record.loss!)}`) +
          s.dim(`   (data ${formatNumber(record.dataLoss!)} + regularization ${formatNumber(record.regLoss!)})`),
        ...table('sample', sampleLabels(record), [
          { title: '∂J/∂a at the output', labels: indexLabels(out.units, (u) => `[${u}]`), cell: perRow(out.upstream!, out.units) },
        ]),
      ];
    }
    case 'backward': {
      const layer = record.layers[phase.layer];
      const { inputs, units } = layer;
      const softmax = layer.activation === 'softmax';
      // A softmax layer's local gradient is a Jacobian per sample; its diagonal fits the table.
      const localGrad = softmax
        ? (r: number, c: number) => layer.localGrad![r * units * units + c * units + c]
        : perRow(layer.localGrad!, units);
      return [
        s.heading(`  ▸ backward ${layerTitle(layer)}`) + s.dim('   δ = f′(z) ⊙ ∂J/∂a, ∂J/∂W = δᵀ·input (+ regularization)'),
        ...table('sample', sampleLabels(record), [
          { title: '∂J/∂a (upstream)', labels: indexLabels(units, (u) => `[${u}]`), cell: perRow(layer.upstream!, units) },
          { title: softmax ? 'Jacobian diagonal ∂a/∂z' : "f′(z) (local)", labels: indexLabels(units, (u) => `[${u}]`), cell: localGrad },
          { title: 'δ = ∂J/∂z', labels: indexLabels(units, (u) => `[${u}]`), cell: perRow(layer.delta!, units) },
        ]),
        ...table('unit', indexLabels(units, String), [
          { title: 'W[unit][in]', labels: indexLabels(inputs, (i) => `[${i}]`), cell: perRow(layer.weights, inputs) },
          { title: 'b', labels: [''], cell: (r) => layer.bias[r] },
          { title: '∂J/∂W[unit][in]', labels: indexLabels(inputs, (i) => `[${i}]`), cell: perRow(layer.gradWeights!, inputs) },
          { title: '∂J/∂b', labels: [''], cell: (r) => layer.gradBias![r] },
        ]),
      ];
    }
    case 'update': {
      const lines = [s.heading(`  ▸ update  ${record.optimizer!.type}`) + s.dim('   ΔW is what was added: W after = W + ΔW')];
      for (const layer of record.layers) {
        const { inputs, units } = layer;
        lines.push(`    layers[${layer.index}]`);
        lines.push(
          ...table('unit', indexLabels(units, String), [
            { title: 'ΔW[unit][in]', labels: indexLabels(inputs, (i) => `[${i}]`), cell: perRow(layer.updateWeights!, inputs) },
            { title: 'Δb', labels: [''], cell: (r) => layer.updateBias![r] },
            { title: 'W after', labels: indexLabels(inputs, (i) => `[${i}]`), cell: perRow(layer.weightsAfter!, inputs) },
            { title: 'b after', labels: [''], cell: (r) => layer.biasAfter![r] },
          ]),
        );
      }
      const change = record.lossAfter! - record.loss!;
      lines.push(
        s.heading(`  loss on this batch: ${formatNumber(record.loss!)} → ${formatNumber(record.lossAfter!)}`) +
          s.dim(`   (${change <= 0 ? '' : '+'}${formatNumber(change)} after the update)`),
      );
      return lines;
    }
  }
}
