// The screen-truth checks (issue 10, "The screen-truth suite"): read every number the inspector
// shows from the rendered page (its `data-quantity` and `data-value`, README "Reading the screen")
// and hold it against the CLI's trace, form the identities a learner can form from the numbers on
// screen, and look for boxes that overflow or overlap. Each check returns its problems as
// sentences instead of asserting, so the suite can also show that a corrupted screen is caught.
import type { Frame, Page } from 'playwright-core';
import type { ModelFile } from '../../src/engine/types';
import { type CliTrace, numberAt, pathKeys } from './cliTrace';

/** One number on the page: what it is, its exact value, and where it sits (for messages). */
export interface ShownNumber {
  quantity: string;
  value: number;
  where: string;
}

/**
 * Every number the page carries, in document order, but those inside a hidden element (a panel
 * with nothing to show keeps its last numbers hidden; the suite opens the parts it reads).
 */
export async function shownNumbers(page: Page | Frame): Promise<ShownNumber[]> {
  const raw = await page.$$eval('[data-quantity][data-value]', (elements) => elements.filter((e) => !e.closest('[hidden]')).map((e) => {
    const card = e.closest('section');
    return {
      quantity: e.getAttribute('data-quantity')!,
      value: e.getAttribute('data-value')!,
      where: `${card?.id ?? 'page'} ${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${(e.textContent ?? '').trim().slice(0, 24)}"`,
    };
  }));
  return raw.map((n) => ({ quantity: n.quantity, value: Number(n.value), where: n.where }));
}

/** The step and operation the page says it shows (its root's `data-step`, `data-op`). */
export async function positionOnPage(page: Page | Frame): Promise<{ step: string | null; op: string | null }> {
  return page.evaluate(() => {
    const root = document.querySelector('[data-step]');
    return { step: root?.getAttribute('data-step') ?? null, op: root?.getAttribute('data-op') ?? null };
  });
}

const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * What a documented name that is not a StepTrace path should show (README, "Reading the screen"):
 * a number computed from the CLI's output or the model file, `null` for a documented name with no
 * such reference (the host's epoch evaluations, unit-health counts), undefined for an unknown name.
 */
export type DerivedQuantity = (quantity: string) => number | null | undefined;

/**
 * Problems of the numbers on a page against the CLI's trace so far: each `data-quantity` that is a
 * StepTrace path must hold the trace's number exactly, and so must each derived name `derived`
 * computes; an unknown name, or a StepTrace path the trace does not have yet, is itself a problem.
 * Returns the problems, how many numbers were compared, and how many were documented names
 * without a reference (not compared).
 */
export function compareWithTrace(
  numbers: readonly ShownNumber[], trace: unknown, derived: DerivedQuantity,
): { problems: string[]; compared: number; unreferenced: number } {
  const problems: string[] = [];
  let compared = 0;
  let unreferenced = 0;
  for (const n of numbers) {
    const expected = numberAt(trace, n.quantity) ?? derived(n.quantity);
    if (expected === undefined) problems.push(`${n.where}: ${n.quantity} = ${n.value} is shown, but the CLI trace has no such number (not yet computed, or not a documented name)`);
    else if (expected === null) unreferenced++;
    else {
      compared++;
      if (!same(expected, n.value)) problems.push(`${n.where}: ${n.quantity} shows ${n.value}, the CLI trace has ${expected}`);
    }
  }
  return { problems, compared, unreferenced };
}

/** What is on screen and what it is held to: the model, the CLI's trace cut where the page is, the chain rule asked for. */
export interface Reference {
  model: ModelFile;
  trace: CliTrace;
  step: number;
  /** Operations of `step` done (OPS_DONE: all). */
  done: number;
  /** The sample chosen in the page ('mean' for the batch mean). */
  sample: string;
  /** `explain --json` of the clicked parameter at `step`, once one was clicked. */
  explained?: unknown;
}

/** The documented derived names (README, "Reading the screen"), computed from the CLI's output and the model file. */
export function derivedFrom(ref: Reference, known: Record<string, unknown>): DerivedQuantity {
  return (quantity) => {
    const mean = /^mean\((layers\[\d+\]\.\w+)\)((?:\[\d+\])+)$/.exec(quantity);
    if (mean) {
      // Summed in batch order, then divided by N, as the README says.
      const rows = pathKeys(mean[1])!.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], known);
      if (!Array.isArray(rows)) return undefined;
      let sum = 0;
      for (const row of rows) {
        const v = numberAt(row, mean[2]);
        if (v === undefined) return undefined;
        sum += v;
      }
      return sum / rows.length;
    }
    const contribution = /^contribution\(layers\[(\d+)\]\.gradWeights, (\d+)\)\[(\d+)\]\[(\d+)\]$/.exec(quantity);
    if (contribution) {
      // Sample i's part of ∂J/∂W: δᵢ[m]·xᵢ[n], one product of two numbers of the trace.
      const [l, i, m, n] = contribution.slice(1).map(Number);
      const [delta, input] = [numberAt(known, `layers[${l}].delta[${i}][${m}]`), numberAt(known, `layers[${l}].input[${i}][${n}]`)];
      return delta === undefined || input === undefined ? undefined : delta * input;
    }
    const history = /^step\((\d+)\)\.loss$/.exec(quantity);
    if (history) return ref.trace.steps[Number(history[1]) - 1]?.loss;
    if (quantity === 'lossAfter - loss') {
      const [after, before] = [numberAt(known, 'lossAfter'), numberAt(known, 'loss')];
      return after === undefined || before === undefined ? undefined : after - before;
    }
    if (quantity.startsWith('chainRule.')) return ref.explained === undefined ? undefined : numberAt(ref.explained, quantity.slice('chainRule.'.length));
    if (quantity.startsWith('hyperparameters.')) {
      const settings = { ...ref.model.optimizer, lr: ref.model.optimizer.learningRate };
      // A setting the file leaves to its default: the default is torch's, not in the file.
      return numberAt(settings, quantity.slice('hyperparameters.'.length)) ?? null;
    }
    const data = /^dataset\.(x|t)\[(\d+)\](?:\[(\d+)\])?$/.exec(quantity);
    if (data) {
      if (!('x' in ref.model.data)) return null; // generated data: not in the file
      const row = (data[1] === 'x' ? ref.model.data.x : ref.model.data.y)[Number(data[2])];
      // A classifier's one-hot target is shown as its class: the index of the hot unit.
      if (data[1] === 't' && data[3] === undefined && row && row.length > 1) return row.indexOf(Math.max(...row));
      return row?.[data[3] === undefined ? 0 : Number(data[3])];
    }
    const probability = /^prediction\.probabilities\[(\d+)\]$/.exec(quantity);
    if (probability && ref.sample !== 'mean') {
      const output = ref.model.layers.length - 1;
      const a = (k: number) => numberAt(known, `layers[${output}].a[${ref.sample}][${k}]`);
      const k = Number(probability[1]);
      // One sigmoid unit predicts (1 − a, a); softmax's a is the distribution.
      if (ref.model.layers[output].units === 1) return k === 1 ? a(0) : k === 0 ? 1 - a(0)! : undefined;
      return a(k);
    }
    // Documented, but computed from what the CLI's trace does not hold: the host's epoch and test
    // evaluations, information figures of the prediction, unit-health counts, and the colour scales'
    // ends (max |value| of what they colour: test/webview/legends.test.ts holds them to that).
    if (/^(epochs\[\d+\]|testLooks\[\d+\])\.\w+$|^prediction\.|^count\(unitHealth\.\w+\)$|^scale\.\w+\.(min|max)$/.test(quantity)) return null;
    return undefined;
  };
}

// ---- the identities a learner can form from the screen, computed here from the page's numbers

/** f and f′ written out from their definitions (DESIGN.md §4: ReLU′(0) = 0, leaky ReLU′(0) = slope). */
const ACTIVATIONS: Record<string, { f(z: number, slope: number): number; df(z: number, slope: number): number }> = {
  identity: { f: (z) => z, df: () => 1 },
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)), df: (z) => { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); } },
  tanh: { f: (z) => Math.tanh(z), df: (z) => 1 - Math.tanh(z) ** 2 },
  relu: { f: (z) => (z > 0 ? z : 0), df: (z) => (z > 0 ? 1 : 0) },
  'leaky-relu': { f: (z, s) => (z > 0 ? z : s * z), df: (z, s) => (z > 0 ? 1 : s) },
};

/**
 * Names whose number depends on the view, not only on the step: the prediction is the chosen
 * sample's, and its name does not say which sample (README, "Reading the screen"); a colour scale's
 * ends are those of what the diagram or heatmap colours in the mode and sample on screen.
 */
const VIEW_DEPENDENT = /^prediction\.|^scale\./;

/** The numbers on screen by quantity; the same quantity shown twice must show one number. */
export class ScreenValues {
  private readonly values = new Map<string, number>();
  readonly problems: string[] = [];

  add(numbers: readonly ShownNumber[]): void {
    for (const n of numbers) {
      if (VIEW_DEPENDENT.test(n.quantity)) continue;
      const before = this.values.get(n.quantity);
      if (before !== undefined && !same(before, n.value)) this.problems.push(`${n.quantity} is shown as ${before} in one place and ${n.value} in another (${n.where})`);
      this.values.set(n.quantity, n.value);
    }
  }

  get(quantity: string): number | undefined {
    return this.values.get(quantity);
  }

  get size(): number {
    return this.values.size;
  }
}

export interface IdentityReport {
  problems: string[];
  /** How many identities were formed and checked. */
  checked: number;
}

const TOLERANCE = 1e-12;

/**
 * Every identity of the StepTrace that the numbers on screen let a learner form, checked to 1e-12
 * relative to the size of its terms: z = W·x + b, a = f(z), f′(z), δ = ∂J/∂a ⊙ f′(z) (softmax: the
 * Jacobian product), ∂J/∂W = Σᵢ δᵢxᵢᵀ + λ₁sign(W) + 2λ₂W, ∂J/∂b = Σᵢ δᵢ, W after = W + ΔW, the
 * next layer's input = this layer's a, and for plain SGD ΔW = −lr·∂J/∂W. An identity is formed only
 * when all of its terms are on screen.
 */
export function checkIdentities(shown: ScreenValues, model: ModelFile, shapes: { inputs: number; units: number[]; rows: number }): IdentityReport {
  const problems: string[] = [];
  let checked = 0;
  const check = (what: string, lhs: number, rhs: number, scale: number) => {
    checked++;
    if (!(Math.abs(lhs - rhs) <= TOLERANCE * Math.max(1, scale)) && !same(lhs, rhs)) problems.push(`${what}: ${lhs} ≠ ${rhs}`);
  };
  const get = (path: string) => shown.get(path);
  const all = (paths: string[]) => {
    const values = paths.map(get);
    return values.every((v) => v !== undefined) ? (values as number[]) : undefined;
  };
  const l1 = model.regularization?.l1 ?? 0;
  const l2 = model.regularization?.l2 ?? 0;
  const optimizer = model.optimizer;
  const plainSgd = optimizer.type === 'sgd' && !optimizer.momentum && !optimizer.weightDecay;
  const lr = optimizer.learningRate ?? 0.01;
  const { rows } = shapes;
  shapes.units.forEach((units, l) => {
    const inputs = l === 0 ? shapes.inputs : shapes.units[l - 1];
    const layer = `layers[${l}]`;
    const spec = model.layers[l];
    const slope = spec.slope ?? 0.01;
    const act = ACTIVATIONS[spec.activation];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < units; j++) {
        const terms = all(Array.from({ length: inputs }, (_, k) => `${layer}.weights[${j}][${k}]`).concat(
          Array.from({ length: inputs }, (_, k) => `${layer}.input[${i}][${k}]`), [`${layer}.bias[${j}]`, `${layer}.z[${i}][${j}]`]));
        if (terms) {
          let z = terms[2 * inputs];
          let scale = Math.abs(z);
          for (let k = 0; k < inputs; k++) {
            z += terms[k] * terms[inputs + k];
            scale += Math.abs(terms[k] * terms[inputs + k]);
          }
          check(`${layer}.z[${i}][${j}] = Σₖ W[${j}][k]·input[${i}][k] + b[${j}]`, terms[2 * inputs + 1], z, scale);
        }
        const z = get(`${layer}.z[${i}][${j}]`);
        const a = get(`${layer}.a[${i}][${j}]`);
        if (act && z !== undefined && a !== undefined) check(`${layer}.a[${i}][${j}] = ${spec.activation}(z)`, a, act.f(z, slope), Math.abs(a));
        if (l + 1 < shapes.units.length && a !== undefined) {
          const next = get(`layers[${l + 1}].input[${i}][${j}]`);
          if (next !== undefined) check(`layers[${l + 1}].input[${i}][${j}] = ${layer}.a[${i}][${j}]`, next, a, 0);
        }
        const localGrad = get(`${layer}.localGrad[${i}][${j}]`);
        if (act && z !== undefined && localGrad !== undefined) check(`${layer}.localGrad[${i}][${j}] = ${spec.activation}′(z)`, localGrad, act.df(z, slope), 1);
        const delta = get(`${layer}.delta[${i}][${j}]`);
        const upstream = get(`${layer}.upstream[${i}][${j}]`);
        if (act && delta !== undefined && upstream !== undefined && localGrad !== undefined) {
          check(`${layer}.delta[${i}][${j}] = upstream ⊙ f′(z)`, delta, upstream * localGrad, Math.abs(upstream * localGrad));
        }
        if (spec.activation === 'softmax' && delta !== undefined) {
          const jacobian = all(Array.from({ length: units }, (_, k) => `${layer}.localGrad[${i}][${k}][${j}]`));
          const up = all(Array.from({ length: units }, (_, k) => `${layer}.upstream[${i}][${k}]`));
          const as = all(Array.from({ length: units }, (_, k) => `${layer}.a[${i}][${k}]`));
          if (jacobian && as) {
            jacobian.forEach((v, k) => check(`${layer}.localGrad[${i}][${k}][${j}] = a_k(δ_kj − a_j)`, v, as[k] * ((k === j ? 1 : 0) - as[j]), 1));
          }
          if (jacobian && up) {
            let sum = 0;
            let scale = 0;
            jacobian.forEach((v, k) => { sum += v * up[k]; scale += Math.abs(v * up[k]); });
            check(`${layer}.delta[${i}][${j}] = Σₖ ∂a_k/∂z_${j}·upstream_k`, delta, sum, scale);
          }
        }
      }
    }
    for (let j = 0; j < units; j++) {
      const deltas = all(Array.from({ length: rows }, (_, i) => `${layer}.delta[${i}][${j}]`));
      for (let k = 0; k < inputs; k++) {
        const grad = get(`${layer}.gradWeights[${j}][${k}]`);
        const w = get(`${layer}.weights[${j}][${k}]`);
        const xs = all(Array.from({ length: rows }, (_, i) => `${layer}.input[${i}][${k}]`));
        if (grad !== undefined && w !== undefined && deltas && xs) {
          let sum = l1 * Math.sign(w) + 2 * l2 * w;
          let scale = Math.abs(sum);
          for (let i = 0; i < rows; i++) { sum += deltas[i] * xs[i]; scale += Math.abs(deltas[i] * xs[i]); }
          check(`${layer}.gradWeights[${j}][${k}] = Σᵢ δᵢ·xᵢ + λ₁sign(w) + 2λ₂w`, grad, sum, scale);
        }
        parameterIdentities(`${layer}.weights[${j}][${k}]`, `${layer}.gradWeights[${j}][${k}]`, `${layer}.update.weights[${j}][${k}]`, `${layer}.weightsAfter[${j}][${k}]`);
      }
      const gradBias = get(`${layer}.gradBias[${j}]`);
      if (gradBias !== undefined && deltas) {
        check(`${layer}.gradBias[${j}] = Σᵢ δᵢ`, gradBias, deltas.reduce((s, d) => s + d, 0), deltas.reduce((s, d) => s + Math.abs(d), 0));
      }
      parameterIdentities(`${layer}.bias[${j}]`, `${layer}.gradBias[${j}]`, `${layer}.update.bias[${j}]`, `${layer}.biasAfter[${j}]`);
    }
  });

  function parameterIdentities(before: string, gradient: string, update: string, after: string): void {
    const [b, d, a] = [get(before), get(update), get(after)];
    if (b !== undefined && d !== undefined && a !== undefined) check(`${after} = ${before} + ${update}`, a, b + d, Math.abs(b) + Math.abs(d));
    const g = get(gradient);
    if (plainSgd && g !== undefined && d !== undefined) check(`${update} = −lr·${gradient}`, d, -lr * g, Math.abs(d));
  }
  return { problems, checked };
}

// ---- layout

/**
 * Boxes that overflow or overlap on the page as it is rendered: an element whose right edge leaves
 * the page (unless a scrolling box holds it), a box that clips its own content (scrollWidth beyond
 * clientWidth while overflow is hidden or clipped), and two visible numbers or diagram labels that overlap each other.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(LAYOUT_CHECK) as Promise<string[]>;
}

// A string, not a function: tsx's name-keeping helpers do not exist inside the page.
const LAYOUT_CHECK = `(() => {
  const problems = [];
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList.length ? '.' + [...e.classList].join('.') : '');
  const scroller = (e) => {
    for (let a = e.parentElement; a; a = a.parentElement) if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return a;
    return undefined;
  };
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
  };
  const page = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > page) problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + page);
  for (const e of document.querySelectorAll('#app *')) {
    if (!visible(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.right > page + 0.5 && !scroller(e)) problems.push(name(e) + ' ends at ' + Math.round(r.right) + ' px, beyond the page (' + page + ' px)');
    if (e instanceof HTMLElement) {
      const style = getComputedStyle(e);
      const clips = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
      if (clips && e.scrollWidth > e.clientWidth + 1) problems.push(name(e) + ' cuts its content: ' + e.scrollWidth + ' px in ' + e.clientWidth + ' px');
    }
  }
  // What a reader reads: HTML numbers and every SVG text (a diagram's lines and circles may cross).
  const numbers = [...document.querySelectorAll('#app [data-value], #app svg text')]
    .filter((e) => (e instanceof HTMLElement || e.tagName === 'text') && visible(e)).map((e) => ({ e, r: e.getBoundingClientRect() }));
  for (let i = 0; i < numbers.length; i++) {
    for (let j = i + 1; j < numbers.length; j++) {
      const a = numbers[i];
      const b = numbers[j];
      if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
      const overlapX = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const overlapY = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (overlapX > 1 && overlapY > 1) problems.push(name(a.e) + ' "' + a.e.textContent.trim() + '" overlaps ' + name(b.e) + ' "' + b.e.textContent.trim() + '"');
    }
  }
  return problems.slice(0, 20);
})()`;
