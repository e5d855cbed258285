// `explain <model> --step S --layer L --weight OUT,IN | --bias OUT`: the chain rule for one
// parameter at step S (with the weights that step used), factor by factor, with its
// finite-difference check.
import type { ChainRuleExplanation, ParameterTarget } from '../engine/chainRule';
import { explainChainRule, noteText } from '../engine/chainRule';
import { Trainer } from '../engine/trainer';
import { NonFiniteError } from '../engine/nonFinite';
import { integerFlag, modelPath, parseFlags } from './args';
import { InputError, UsageError } from './errors';
import type { CliIo } from './io';
import { loadModelFile } from './load';
import { formatNumber, style } from './tables';
import { jsonLine } from '../engine/jsonLines';

export const EXPLAIN_USAGE = `explain <model> --step S --layer L (--weight OUT,IN | --bias OUT) [--json]
    The chain rule for ∂J/∂W[OUT][IN] (or ∂J/∂b[OUT]) of layers[L] at step S (1-based; the
    weights that step started from), per sample and averaged over its batch, with a central
    finite-difference check. Layer, unit and input indices are 0-based as in the model file.
    --json   the explanation object instead of text`;

export function explainCommand(args: string[], io: CliIo): void {
  const { positionals, flags } = parseFlags('explain', args, {
    step: { type: 'string' },
    layer: { type: 'string' },
    weight: { type: 'string' },
    bias: { type: 'string' },
    json: { type: 'boolean' },
  });
  const path = modelPath('explain', positionals);
  const step = integerFlag('explain', 'step', flags.step, 1) ?? 1;
  const layer = integerFlag('explain', 'layer', flags.layer, 0);
  if (layer === undefined) throw new UsageError('explain: give --layer L (0-based, as layers[L] in the model file)');
  if ((flags.weight === undefined) === (flags.bias === undefined)) {
    throw new UsageError('explain: give exactly one of --weight OUT,IN or --bias OUT');
  }
  let target: ParameterTarget;
  if (flags.weight !== undefined) {
    const match = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(String(flags.weight));
    if (!match) throw new UsageError(`explain: --weight needs OUT,IN (two 0-based indices such as 0,1), got ${JSON.stringify(flags.weight)}`);
    target = { layer, kind: 'weight', out: Number(match[1]), in: Number(match[2]) };
  } else {
    target = { layer, kind: 'bias', out: integerFlag('explain', 'bias', flags.bias, 0)! };
  }

  const { model, data, warnings } = loadModelFile(path, flags['data-root']);
  for (const warning of warnings) io.err(warning + '\n');
  checkTarget(model.inputs, model.layers.map((l) => l.units), target);
  const trainer = new Trainer(model, data, { trace: false, evaluateEpochs: false });
  try {
    trainer.history.goTo(step - 1);
  } catch (error) {
    if (error instanceof NonFiniteError) throw new InputError(`${path}: error: cannot reach step ${step}: ${error.message}`);
    throw error;
  }
  const batch = trainer.nextBatch();
  const explanation = explainChainRule(trainer.network, trainer.lossSpec, batch, target);
  if (flags.json) {
    io.out(jsonLine(explanation));
    return;
  }
  io.out(describe(explanation, step, batch.batch, io.color));
}

function checkTarget(inputs: number, units: number[], target: ParameterTarget): void {
  const where = `layers[${target.layer}]`;
  if (target.layer >= units.length) {
    throw new UsageError(`explain: --layer ${target.layer} does not exist; the model has layers[0] .. layers[${units.length - 1}]`);
  }
  if (target.out >= units[target.layer]) {
    throw new UsageError(`explain: ${where} has units 0 .. ${units[target.layer] - 1}, got unit ${target.out}`);
  }
  const fanIn = target.layer === 0 ? inputs : units[target.layer - 1];
  if (target.kind === 'weight' && target.in >= fanIn) {
    throw new UsageError(`explain: ${where} has inputs 0 .. ${fanIn - 1}, got input ${target.in}`);
  }
}

function describe(e: ChainRuleExplanation, step: number, batch: number[], color: boolean): string {
  const s = style(color);
  const lines: string[] = [];
  lines.push(s.heading(`∂J/∂${e.parameter.symbol}  (${e.parameter.name} = ${formatNumber(e.parameter.value)}) at step ${step}, samples [${batch.join(', ')}], loss ${e.loss}`));
  lines.push(`  ∂J/∂${e.parameter.symbol} = ${e.factors.map((f) => f.symbol).join(' · ')}${e.regularization ? ` + ${e.regularization.symbol}` : ''}`);
  lines.push('');
  const header = ['factor', 'what it is', ...batch.map((b) => `sample ${b}`), 'Σ samples'];
  const rows = e.factors.map((f) => [
    f.symbol,
    f.name + (f.computedOnce ? ' *' : ''),
    ...f.perSample.map(formatNumber),
    '',
  ]);
  rows.push(['product', 'sample i\'s contribution δᵢ·xᵢ (their sum is the data gradient)', ...e.product.perSample.map(formatNumber), formatNumber(e.product.sum)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  lines.push(s.heading(line(header)), ...rows.map(line));
  lines.push(s.dim(`  * part of δ = ${e.sharedDelta.symbol} of this unit: computed once, shared by all its weights (Σ samples ${formatNumber(e.sharedDelta.sum)} = ∂J/∂b)`));
  for (const f of e.factors) {
    if (!f.sum) continue;
    lines.push(s.dim(`  ${f.symbol} = Σ_k ${f.sum.leftSymbol} · ${f.sum.rightSymbol} over units k = ${f.sum.terms.map((t) => t.unit).join(', ')}`));
  }
  lines.push('');
  if (e.regularization) {
    lines.push(`  regularization ${e.regularization.symbol} = ${formatNumber(e.regularization.value)}  (λ1 = ${e.regularization.l1}, λ2 = ${e.regularization.l2})`);
  }
  lines.push(s.heading(`  ∂J/∂${e.parameter.symbol} = ${e.total}`) + `   engine's backpropagated gradient: ${e.engineGradient}`);
  const fd = e.finiteDifference;
  if (fd) {
    lines.push(`  central finite difference (h = ${formatNumber(fd.step)}): ${fd.numeric}   relative error ${fd.relativeError.toExponential(2)}`);
  }
  for (const note of e.notes) lines.push(s.dim(`  note: ${noteText(note)}`));
  return lines.join('\n') + '\n';
}
