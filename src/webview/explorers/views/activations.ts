import { EXPLORER_LIMITS, type ActivationsResult, type ExplorerResult } from '../../../protocol/explorers';
import { errorBox, explorerNumber, labelled, numberInput, sentenceParts, table, type ExplorerViewModule, type ViewContext } from '../context';
import { el } from '../../dom';
import { short } from '../../format';
import { axes, dot, frame, legend, polyline } from '../plot';

/** The lecture's names of the engine's activations. */
const NAMES: Record<string, string> = { sigmoid: 'sigmoid σ', tanh: 'tanh', relu: 'ReLU', 'leaky-relu': 'leaky ReLU' };
/** The same colour per function as lesson 6's walkthrough picture (scripts/make-walkthrough-images.ts). */
const SERIES: Record<string, string> = { sigmoid: 'series-0', tanh: 'series-1', relu: 'series-3', 'leaky-relu': 'series-2' };

const Z_LIMIT = EXPLORER_LIMITS.activationZ;
/** What an arrow key adds to z; with Shift (and Page Up/Down) ten times as much. */
const Z_STEP = 0.1;
/** A decimal number as a learner writes one (a leading "−" as the screen prints it included); no hex, no "Infinity". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The number typed into the z field, or why it is not one (the readout then stays at `kept`). */
function readZ(ctx: ViewContext, typed: string, kept: number): { z: number } | { problem: string } {
  const text = typed.trim().replace(/^\u2212/, '-');
  const stays = short(kept, 6);
  if (text === '') return { problem: ctx.t('z is empty: type a number from {0} to {1}. The readout stays at z = {2}.', short(-Z_LIMIT), short(Z_LIMIT), stays) };
  const z = Number(text);
  if (!DECIMAL.test(text)) return { problem: ctx.t('z: "{0}" is not a number; write one like 1.5, −2 or 1e-3. The readout stays at z = {1}.', typed.trim(), stays) };
  if (!(Math.abs(z) <= Z_LIMIT)) return { problem: ctx.t('z = {0} is outside {1} to {2}. The readout stays at z = {3}.', typed.trim(), short(-Z_LIMIT), short(Z_LIMIT), stays) };
  return { z };
}

/** z moved by `steps` arrow presses, without the binary noise of repeated 0.1s (0.30000000000000004). */
const stepped = (z: number, steps: number) => Math.min(Z_LIMIT, Math.max(-Z_LIMIT, Number((z + steps * Z_STEP).toFixed(10))));

export function activationsView(): ExplorerViewModule {
  let ctx: ViewContext;
  let out: HTMLElement;
  /** The last z that was a number within the limits: the readout and the markers are at it. */
  let z = 1;
  const slope = numberInput(0.1, { min: '0', max: '1', step: '0.01' });
  const zField = el('input', {
    id: 'activation-z',
    attrs: { type: 'text', inputmode: 'decimal', value: String(z), role: 'spinbutton', 'aria-valuemin': String(-Z_LIMIT), 'aria-valuemax': String(Z_LIMIT), 'aria-valuenow': String(z), 'aria-describedby': 'activation-z-problem', spellcheck: 'false', size: '8' },
  });
  const zProblem = el('p', { id: 'activation-z-problem', attrs: { class: 'field-problem', role: 'alert', hidden: '' } });
  const send = () => ctx.request({ view: 'activations', slope: Math.min(1, Math.max(0, Number(slope.value) || 0)), z });
  const showProblem = (problem: string | undefined) => {
    zField.setAttribute('aria-invalid', String(problem !== undefined));
    zProblem.textContent = problem ?? '';
    zProblem.hidden = problem === undefined;
  };
  /** Reads the field: a good z is sent; a bad one is said under the field and the last good z kept. */
  const readField = () => {
    const read = readZ(ctx, zField.value, z);
    if ('problem' in read) return showProblem(read.problem);
    showProblem(undefined);
    z = read.z;
    zField.setAttribute('aria-valuenow', String(z));
    send();
  };
  const setZ = (next: number) => {
    zField.value = String(next);
    readField();
  };
  zField.addEventListener('input', readField);
  zField.addEventListener('keydown', (event) => {
    const steps = { ArrowUp: 1, ArrowDown: -1, PageUp: 10, PageDown: -10 }[event.key];
    if (steps === undefined) return;
    event.preventDefault();
    setZ(stepped(z, event.shiftKey ? steps * 10 : steps));
  });
  return {
    mount(root, context) {
      ctx = context;
      out = el('div', { attrs: { class: 'output' } });
      slope.addEventListener('input', send);
      const controls = el('div', { attrs: { class: 'controls' } },
        labelled(ctx.t('Leaky ReLU slope'), slope),
        labelled(ctx.t('z to read f, f′ and f″ at (↑/↓ or click a plot)'), zField));
      root.append(el('h2', {}, ctx.t('f (solid) and its derivative f′ (dashed)')), controls, zProblem, out);
    },
    activate() { send(); },
    show(result: ExplorerResult) {
      const r = result as ActivationsResult;
      const range = { x0: -5, x1: 5, y0: -1.2, y1: 2 };
      // One plot per function: ReLU and leaky ReLU coincide for z > 0, so drawn together one hides the other.
      const plots = r.curves.map((curve, i) => {
        const series = SERIES[curve.name] ?? `series-${i}`;
        const f = frame(range, 300, 220, NAMES[curve.name] ?? curve.name);
        f.svg.dataset.activation = curve.name;
        axes(f, range, 'z');
        polyline(f, r.z.map((v, k) => [v, curve.value[k]]), series).dataset.curve = 'value';
        polyline(f, r.z.map((v, k) => [v, curve.derivative[k]]), `${series} dashed`).dataset.curve = 'derivative';
        // The readout's z on the curve and on its derivative (a z beyond the plot's ±5 lies outside the clip).
        for (const [point, value] of [['value', curve.at.value], ['derivative', curve.at.derivative]] as const) {
          if (Number.isFinite(value)) dot(f, [r.at, value], `marker ${series}`, 4).dataset.marker = point;
        }
        legend(f, [[NAMES[curve.name] ?? curve.name, series]], 44, 14);
        f.svg.addEventListener('click', (event) => {
          const at = new DOMPoint(event.clientX, event.clientY).matrixTransform(f.svg.getScreenCTM()!.inverse());
          // to the arrows' step: a pixel is about 0.04 in z, so finer digits would be the mouse's noise
          const clicked = stepped(0, Math.round(f.xAt(at.x) / Z_STEP));
          if (clicked >= range.x0 && clicked <= range.x1) setZ(clicked);
        });
        return f.svg;
      });
      const readout = table([
        [ctx.t('activation'), 'f(z)', 'f′(z)', 'f″(z)'],
        ...r.curves.map((curve, i) => [
          NAMES[curve.name] ?? curve.name,
          explorerNumber(curve.at.value, `activations.curves[${i}].at.value`),
          explorerNumber(curve.at.derivative, `activations.curves[${i}].at.derivative`),
          explorerNumber(curve.at.secondDerivative, `activations.curves[${i}].at.secondDerivative`),
        ]),
      ]);
      readout.classList.add('activation-readout');
      out.replaceChildren(
        el('div', { attrs: { class: 'small-multiples' } }, ...plots),
        el('p', {}, ...sentenceParts(ctx, 'At z = {0} (the dots on each curve):', [{ value: r.at, quantity: 'activations.at' }])),
        readout,
        el('p', { attrs: { class: 'note' } }, ctx.t('Where f′ is near 0 (sigmoid and tanh far from 0, ReLU below 0) almost no gradient passes: saturated and dead units.')),
      );
    },
    showError(message) { out.replaceChildren(errorBox(message)); },
  };
}
