// The chain rule on screen as text for notes and slides (issue 15 item 2): a LaTeX equation and
// table, or a Markdown table, with the same factors, samples and labels as the Chain rule view, in
// the language on screen. Numbers are written exactly (the shortest form that reads back as the
// engine's float64), so a pasted table can be checked against the engine.
import type { ChainRuleExplanation } from '../../engine/chainRule';
import type { ChainRuleFormat } from '../../protocol/messages';
import type { WebviewString } from '../../protocol/webviewStrings';

type Translate = (text: WebviewString, ...args: (string | number)[]) => string;

/** Samples shown as columns, as in the Chain rule view (the product's sum covers all of them). */
export const CHAIN_RULE_SAMPLE_COLUMNS = 8;

/** A factor's row has no sum (a sum of one factor sits in no identity); the product's row has Σᵢ, the data part of ∂J/∂w. */
interface Row { symbol: string; latex: string; meaning: string; perSample: number[]; sum?: number }

/** What both formats write: the columns, one row per factor and the product, and the figures below. */
function table(x: ChainRuleExplanation, step: number, t: Translate) {
  const shown = Math.min(x.rows, CHAIN_RULE_SAMPLE_COLUMNS);
  const rows: Row[] = x.factors.map((f) => ({ symbol: f.symbol, latex: f.latex, meaning: t(f.name as WebviewString), perSample: f.perSample.slice(0, shown) }));
  rows.push({ symbol: 'Π', latex: '\\prod', meaning: t('product'), perSample: x.product.perSample.slice(0, shown), sum: x.product.sum });
  const figures: Array<{ label: string; value: number }> = [{ label: `${t('data part')} (${t('Σ over samples')})`, value: x.product.sum }];
  if (x.regularization) figures.push({ label: `${t('regularization part')} ${x.regularization.symbol}`, value: x.regularization.value });
  figures.push({ label: `∂J/∂${x.parameter.symbol}`, value: x.total });
  if (x.finiteDifference) {
    figures.push({ label: t('finite difference'), value: x.finiteDifference.numeric }, { label: t('relative error'), value: x.finiteDifference.relativeError });
  }
  const columns = [t('factor'), ...Array.from({ length: shown }, (_, i) => t('Sample {0}', i + 1)), t('Σ over samples')];
  const title = `${t('Chain rule')}: ${x.parameter.name}, ${t('step')} ${step}`;
  const notes = x.notes.map((n) => t(n.text as WebviewString, ...n.args));
  return { title, columns, rows, figures, notes };
}

/** A float64 in TeX: the exact digits, an exponent as ×10^{e}. */
export function texNumber(v: number): string {
  if (Number.isNaN(v)) return '\\mathrm{NaN}';
  if (!Number.isFinite(v)) return v > 0 ? '+\\infty' : '-\\infty';
  const [mantissa, exponent] = String(v).split('e');
  return exponent === undefined ? mantissa : `${mantissa} \\times 10^{${Number(exponent)}}`;
}

const texText = (s: string) => s.replace(/[\\{}$&#^_%~]/g, (c) => (c === '\\' ? '\\textbackslash{}' : `\\${c}`));

export function chainRuleLatex(x: ChainRuleExplanation, step: number, t: Translate): string {
  const { title, columns, rows, figures, notes } = table(x, step, t);
  const cell = (v: number) => `$${texNumber(v)}$`;
  const lines = [
    `% ${title}`,
    '\\[',
    `  \\frac{\\partial J}{\\partial ${x.parameter.latex}} = ${x.factors.map((f) => f.latex).join(' \\cdot ')}`,
    '\\]',
    `\\begin{tabular}{l${'r'.repeat(columns.length - 1)}}`,
    `  ${columns.map(texText).join(' & ')} \\\\ \\hline`,
    ...rows.map((r, i) => `  ${i === rows.length - 1 ? '\\hline ' : ''}$${r.latex}$ (${texText(r.meaning)}) & ${[...r.perSample.map(cell), r.sum === undefined ? '' : cell(r.sum)].join(' & ')} \\\\`),
    '\\end{tabular}',
    '',
    '\\begin{itemize}',
    ...figures.map((f) => `  \\item ${texText(f.label)}: ${cell(f.value)}`),
    ...notes.map((n) => `  \\item ${texText(n)}`),
    '\\end{itemize}',
  ];
  return lines.join('\n') + '\n';
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function chainRuleMarkdown(x: ChainRuleExplanation, step: number, t: Translate): string {
  const { title, columns, rows, figures, notes } = table(x, step, t);
  const lines = [
    `**${mdCell(title)}**`,
    '',
    `∂J/∂${x.parameter.symbol} = ${x.factors.map((f) => f.symbol).join(' · ')}`,
    '',
    `| ${columns.map(mdCell).join(' | ')} |`,
    `| --- |${' ---: |'.repeat(columns.length - 1)}`,
    ...rows.map((r) => `| ${mdCell(`${r.symbol} (${r.meaning})`)} | ${[...r.perSample.map(String), r.sum === undefined ? '' : String(r.sum)].join(' | ')} |`),
    '',
    ...figures.map((f) => `- ${mdCell(f.label)}: ${f.value}`),
    ...notes.map((n) => `- ${mdCell(n)}`),
  ];
  return lines.join('\n') + '\n';
}

export function chainRuleText(format: ChainRuleFormat, x: ChainRuleExplanation, step: number, t: Translate): string {
  return format === 'latex' ? chainRuleLatex(x, step, t) : chainRuleMarkdown(x, step, t);
}
