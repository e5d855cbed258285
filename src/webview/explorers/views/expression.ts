// The chain rule, node by node: the host sends the graph with forward values and the list of
// backward moves; this view reveals them one at a time, optionally asking for a prediction first.
import type { ExplorerResult, ExpressionResult } from '../../../protocol/explorers';
import { errorBox, explorerNumber, labelled, sentenceParts, table, type ExplorerViewModule, type MarkedNumber, type ViewContext } from '../context';
import { el } from '../../dom';
import { markNumber, short } from '../../format';
import { svg as s } from '../../dom';

function parseValues(text: string): Record<string, number> | undefined {
  const values: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)$/.exec(part);
    if (!match || !Number.isFinite(Number(match[2]))) return undefined;
    values[match[1]] = Number(match[2]);
  }
  return values;
}

const LABELS: Record<string, string> = { '*': '×', '-': '−', '/': '÷' };

export function expressionView(): ExplorerViewModule {
  let ctx: ViewContext;
  let out: HTMLElement;
  let graph: ExpressionResult | undefined;
  let revealed = 0;
  let feedback = '';
  const source = el('input', { attrs: { type: 'text', value: '(2*x + y)^2', id: 'expr-source', spellcheck: 'false' } });
  const values = el('input', { attrs: { type: 'text', value: 'x=1, y=2', id: 'expr-values', spellcheck: 'false' } });
  const predict = el('input', { attrs: { type: 'checkbox', id: 'expr-predict' } });
  const guess = el('input', { attrs: { type: 'number', step: 'any', id: 'expr-guess' } });

  const build = () => {
    const parsed = parseValues(values.value);
    if (!parsed) {
      out.replaceChildren(errorBox(ctx.t('Write values as name=number, separated by commas.')));
      return;
    }
    ctx.request({ view: 'expression', source: source.value, values: parsed });
  };

  /**
   * The gradient each node holds after the revealed moves (the host's running += totals), with the
   * name of the host's number it is: the output's seed is the first move's upstream gradient.
   */
  const gradientsSoFar = (g: ExpressionResult): Map<number, MarkedNumber> => {
    const grads = new Map<number, MarkedNumber>();
    if (g.steps.length > 0) grads.set(g.output, { value: g.steps[0].upstream, quantity: 'expression.steps[0].upstream' });
    g.steps.slice(0, revealed).forEach((step, k) => step.passes.forEach((pass, j) =>
      grads.set(pass.to, { value: pass.gradientAfter, quantity: `expression.steps[${k}].passes[${j}].gradientAfter` })));
    return grads;
  };

  const drawGraph = (g: ExpressionResult): SVGSVGElement => {
    const depth: number[] = [];
    for (const node of g.nodes) depth[node.id] = node.inputs.length ? 1 + Math.max(...node.inputs.map((i) => depth[i])) : 0;
    // A leaf stands in the column just before its first consumer: drawn in the first column, the
    // edge from y to + in (2x + y)² ran under the × node and read as y → ×.
    for (const leaf of g.nodes.filter((n) => n.inputs.length === 0)) {
      const consumers = g.nodes.filter((n) => n.inputs.includes(leaf.id));
      if (consumers.length > 0) depth[leaf.id] = Math.min(...consumers.map((n) => depth[n.id])) - 1;
    }
    const columns = Math.max(...depth) + 1;
    const rows: number[] = new Array(columns).fill(0);
    const slot: number[] = [];
    for (const node of g.nodes) slot[node.id] = rows[depth[node.id]]++;
    const width = Math.max(420, columns * 120);
    // 120 px a row: a node's gradient (below it) and the next node's value (above that one) stay apart.
    const height = Math.max(220, Math.max(...rows) * 120 + 40);
    const pos = (id: number): [number, number] => [60 + depth[id] * ((width - 120) / Math.max(1, columns - 1)), (height / (rows[depth[id]] + 1)) * (slot[id] + 1)];
    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot graph', role: 'img' });
    const grads = gradientsSoFar(g);
    const current = g.steps[revealed - 1];
    for (const node of g.nodes) {
      for (const input of node.inputs) {
        const [x1, y1] = pos(input);
        const [x2, y2] = pos(node.id);
        const active = current?.node === node.id && current.passes.some((p) => p.to === input);
        svg.append(s('line', { x1: x1 + 22, y1, x2: x2 - 22, y2, class: active ? 'edge active' : 'edge' }));
      }
    }
    for (const node of g.nodes) {
      const [x, y] = pos(node.id);
      const cls = `node ${node.kind}${current?.node === node.id ? ' active' : ''}`;
      svg.append(s('circle', { cx: x, cy: y, r: 22, class: cls }), s('text', { x, y: y + 5, 'text-anchor': 'middle', class: 'node-label' }, LABELS[node.label] ?? node.label));
      const value = s('text', { x, y: y - 28, 'text-anchor': 'middle', class: 'value' }, short(node.value));
      markNumber(value, node.value, `expression.nodes[${node.id}].value`);
      svg.append(value);
      const gradient = grads.get(node.id);
      if (gradient && node.kind !== 'constant') {
        const text = s('text', { x, y: y + 40, 'text-anchor': 'middle', class: 'gradient' }, `∂ ${short(gradient.value)}`);
        markNumber(text, gradient.value, gradient.quantity);
        svg.append(text);
      }
    }
    return svg;
  };

  const label = (g: ExpressionResult, id: number) => g.nodes[id].kind === 'operation' ? `[${g.nodes[id].text}]` : g.nodes[id].label;

  const render = () => {
    if (!graph) return;
    const g = graph;
    const log = g.steps.slice(0, revealed).map((step, k) => {
      const at = `expression.steps[${k}]`;
      const upstream = { value: step.upstream, quantity: `${at}.upstream` };
      return el('li', {},
        ...sentenceParts(ctx, 'Node {0}: upstream gradient {1}', [label(g, step.node), upstream]),
        el('ul', {}, ...step.passes.map((p, j) => {
          const pass = (field: 'localGradient' | 'passed' | 'gradientBefore' | 'gradientAfter') => ({ value: p[field], quantity: `${at}.passes[${j}].${field}` });
          return el('li', {}, ...sentenceParts(ctx, '{0} → {1}: local {2} × upstream {3} = {4} (gradient of {1}: {5} + {4} = {6})',
            [label(g, step.node), label(g, p.to), pass('localGradient'), upstream, pass('passed'), pass('gradientBefore'), pass('gradientAfter')]));
        })));
    });
    const next = g.steps[revealed];
    const controls = el('div', { attrs: { class: 'controls' } });
    if (next) {
      if (predict.checked) {
        controls.append(labelled(`${ctx.t('Your prediction of what this node passes on')}: ${label(g, next.node)} → ${label(g, next.passes[0].to)}`, guess));
        const reveal = el('button', { attrs: { type: 'button', id: 'expr-reveal' } }, ctx.t('Reveal'));
        reveal.addEventListener('click', () => {
          const expected = next.passes[0].passed;
          const value = Number(guess.value);
          const right = guess.value !== '' && Math.abs(value - expected) <= 1e-3 * Math.max(1, Math.abs(expected));
          feedback = right ? ctx.t('Correct!') : ctx.t('Not quite: the answer is {0}.', short(expected));
          guess.value = '';
          revealed++;
          render();
        });
        controls.append(reveal);
      } else {
        const step = el('button', { attrs: { type: 'button', id: 'expr-step' } }, ctx.t('Step backward'));
        step.addEventListener('click', () => { feedback = ''; revealed++; render(); });
        controls.append(step);
      }
    }
    const reset = el('button', { attrs: { type: 'button', class: 'secondary' } }, ctx.t('Reset backward'));
    reset.addEventListener('click', () => { revealed = 0; feedback = ''; render(); });
    controls.append(reset);
    const done = !next;
    out.replaceChildren(
      el('p', { attrs: { class: 'note' } }, ctx.t('Forward values are shown in each node. Step backward from the output: each node multiplies its local gradient by the upstream gradient and adds the product to its inputs.')),
      drawGraph(g), controls,
      ...(feedback ? [el('p', { attrs: { class: 'feedback', role: 'status' } }, feedback)] : []),
      el('ol', { attrs: { class: 'steps' } }, ...log),
      ...(done ? [el('p', {}, ctx.t('Backward pass complete.')), el('h3', {}, ctx.t('Gradients')),
        table([Object.keys(g.gradients).map((n) => `∂/∂${n}`), Object.entries(g.gradients).map(([n, v]) => explorerNumber(v, `expression.gradients.${n}`))])] : []),
    );
  };

  return {
    mount(root, context) {
      ctx = context;
      out = el('div', { attrs: { class: 'output' } });
      const buildButton = el('button', { attrs: { type: 'button', id: 'expr-build' } }, ctx.t('Build graph'));
      buildButton.addEventListener('click', build);
      for (const input of [source, values]) input.addEventListener('keydown', (e) => { if (e.key === 'Enter') build(); });
      predict.addEventListener('change', render);
      root.append(el('h2', {}, ctx.t('Expression')), el('div', { attrs: { class: 'controls' } },
        labelled(ctx.t('Expression'), source), labelled(ctx.t('Values, e.g. x=1, y=2'), values), buildButton,
        el('label', { attrs: { class: 'check' } }, predict, ctx.t('Predict, then reveal'))), out);
    },
    activate() { build(); },
    show(result: ExplorerResult) {
      graph = result as ExpressionResult;
      revealed = 0;
      feedback = '';
      render();
    },
    showError(message, column) {
      graph = undefined;
      out.replaceChildren(errorBox(column ? ctx.t('Error at column {0}: {1}', column, message) : message),
        ...(column ? [el('pre', { attrs: { class: 'caret' } }, `${source.value}\n${' '.repeat(column - 1)}^`)] : []));
    },
  };
}
