// Predict, then reveal (issue 15 item 4): with the mode on, the card asks before each Step Into
// for the sign of the number the next operation computes (z of a unit in a forward pass, ∂J/∂a of
// an output unit from the loss, δ of a unit in a backward pass, the update of a weight), for
// sample 1 of the batch; answering runs the Step Into, and when the host's record of it arrives
// the card shows the engine's number, whether the guess was right, and the factors that produced
// it (read from the same record), with a score for the session. The webview computes nothing: the
// numbers are the host's (test/webview/predict.test.ts holds each question's field to the
// layer-field table's computedBy for the session's next operation).
import type { Phase } from '../../engine/types';
import { tensorName } from '../../engine/layerFields';
import { parameterSymbol, sub } from '../../engine/notation';
import type { Context, State } from '../store';
import { el, section, setAttr, setText } from '../dom';
import { numberSpan } from '../format';
import { full, sampleOf } from '../tensors';
import type { View } from './view';
import { phaseText } from './toolbar';

export type Sign = '+' | '0' | '−';

/** What the next Step Into computes that the learner is asked about: one number of the record. */
export interface Question {
  phase: Phase;
  layer: number;
  /** The field the phase computes (the loss computes the output layer's upstream). */
  field: 'z' | 'upstream' | 'delta' | 'updateWeights';
  /** Sample 1 (row 0) for batch fields; the weight's [out, in] for updateWeights. */
  unit: number;
  input?: number;
  /** `layers[l].field[row][unit]` or `layers[l].updateWeights[out][in]`: the record's name of the number. */
  quantity: string;
}

const signOf = (v: number): Sign => (v > 0 ? '+' : v < 0 ? '−' : '0');

/** The question for the operation Step Into runs next (the next step's first forward when the step on screen is complete). */
export function questionFor(state: State): Question | undefined {
  const model = state.model;
  const p = state.position;
  if (!model || !p) return undefined;
  const phase: Phase = p.next ?? { kind: 'forward', layer: 0 };
  const selected = state.view.selectedParameter;
  const last = model.layers.length - 1;
  const unitIn = (layer: number) => (selected && selected.layer === layer ? selected.out : 0);
  const batchQuestion = (layer: number, field: 'z' | 'upstream' | 'delta'): Question => {
    const unit = unitIn(layer);
    return { phase, layer, field, unit, quantity: tensorName(layer, field, 0, unit) };
  };
  switch (phase.kind) {
    case 'forward': return batchQuestion(phase.layer, 'z');
    case 'loss': return batchQuestion(last, 'upstream');
    case 'backward': return batchQuestion(phase.layer, 'delta');
    case 'update': {
      const weight = selected?.kind === 'weight' ? selected : { layer: state.view.selectedLayer, out: 0, in: 0 };
      return { phase, layer: weight.layer, field: 'updateWeights', unit: weight.out, input: weight.in, quantity: tensorName(weight.layer, 'updateWeights', weight.out, weight.in) };
    }
  }
}

/** The number a question asks about, from the record on screen; undefined until that operation has run. */
function answerOf(state: State, q: Question): number | undefined {
  const name = tensorName(q.layer, q.field);
  if (q.field === 'updateWeights') {
    const inputs = q.layer === 0 ? state.model!.inputs : state.model!.layers[q.layer - 1].units;
    const index = q.unit * inputs + q.input!;
    return full(state, name, [[index, index + 1]])?.[index];
  }
  return sampleOf(state, name, 0, [[q.unit, q.unit + 1]])?.[q.unit];
}

export function createPredict(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('predict', t('Predict, then reveal'));
  const toggle = el('input', { id: 'predict-mode', attrs: { type: 'checkbox' } });
  const score = el('span', { className: 'chip', id: 'predict-score' });
  card.tools.append(el('label', { className: 'predict-toggle' }, toggle, ' ', t('Ask before each Step Into')), score);
  const body = el('div', { className: 'predict-body' });
  card.body.append(body);
  let right = 0;
  let answered = 0;
  /** The guess waiting for its record: the question, the sign guessed, and where the session was when it was asked. */
  let pending: { question: Question; guess: Sign; at: string } | undefined;
  const where = () => JSON.stringify([state.position?.step, state.position?.next]);
  let reveal: HTMLElement | undefined;
  let drawnFor: unknown[] = [];

  toggle.addEventListener('change', () => {
    drawnFor = [];
    ctx.invalidate();
  });

  const label = (q: Question): string => {
    const unit = q.unit + 1;
    const layer = q.layer + 1;
    switch (q.field) {
      case 'z': return t('z of unit {0} in layer {1}, sample 1 (the forward pass computes z = W·input + b)', unit, layer);
      case 'upstream': return t('∂J/∂a of output unit {0}, sample 1 (the loss computes it)', unit);
      case 'delta': return t('δ = ∂J/∂z of unit {0} in layer {1}, sample 1 (the backward pass computes it)', unit, layer);
      case 'updateWeights': return t('the update Δ{0} (the optimizer computes it)', parameterSymbol({ layer: q.layer, kind: 'weight', out: q.unit, in: q.input! }).text);
    }
  };

  /** The factors the record holds for the revealed number: the product or sum that gave it. */
  function factors(q: Question): HTMLElement {
    /** Sample 1's number of unit q.unit (only that one is read). */
    const batch = (field: string) => sampleOf(state, tensorName(q.layer, field), 0, [[q.unit, q.unit + 1]])?.[q.unit];
    const row = (label: string, value: number | undefined, quantity: string) =>
      el('div', { className: 'factor' }, el('span', { className: 'math', text: `${label} = ` }), numberSpan(value, quantity));
    const box = el('div', { className: 'predict-factors' });
    if (q.field === 'delta') {
      const local = state.model!.layers[q.layer].activation === 'softmax' ? undefined : batch('localGrad');
      box.append(el('p', { className: 'math', text: t('δ = ∂J/∂a · f′(z)') }),
        row('∂J/∂a', batch('upstream'), tensorName(q.layer, 'upstream', 0, q.unit)));
      if (local !== undefined) box.append(row('f′(z)', local, tensorName(q.layer, 'localGrad', 0, q.unit)));
      else box.append(el('p', { className: 'note', text: t('Softmax couples its units: δ is the sum over the Jacobian row (see Layer detail).') }));
    } else if (q.field === 'z') {
      const inputs = q.layer === 0 ? state.model!.inputs : state.model!.layers[q.layer - 1].units;
      const terms = Math.min(inputs, 8);
      const w = full(state, tensorName(q.layer, 'weights'), [[q.unit * inputs, q.unit * inputs + terms]]);
      const x = sampleOf(state, tensorName(q.layer, 'input'), 0, [[0, terms]]);
      box.append(el('p', { className: 'math', text: t('zₘ = Σₙ wₙₘ · xₙ + bₘ') }),
        ...Array.from({ length: terms }, (_, i) => el('div', { className: 'factor' },
          el('span', { className: 'math', text: `${parameterSymbol({ layer: q.layer, kind: 'weight', out: q.unit, in: i }).text} · x${sub(i + 1)} = ` }), numberSpan(w?.[q.unit * inputs + i], tensorName(q.layer, 'weights', q.unit, i)), el('span', { text: ' · ' }), numberSpan(x?.[i], tensorName(q.layer, 'input', 0, i)))),
        row('b', full(state, tensorName(q.layer, 'bias'), [[q.unit, q.unit + 1]])?.[q.unit], tensorName(q.layer, 'bias', q.unit)));
    } else if (q.field === 'upstream') {
      box.append(el('p', { className: 'math', text: t('∂J/∂a from the loss {0}, at the output a:', state.model!.loss ?? '') }),
        row('a', batch('a'), tensorName(q.layer, 'a', 0, q.unit)));
    } else {
      const inputs = q.layer === 0 ? state.model!.inputs : state.model!.layers[q.layer - 1].units;
      box.append(el('p', { className: 'math', text: t('The optimizer {0} turns ∂J/∂W into ΔW; the Chain rule card shows how ∂J/∂W was computed.', state.model!.optimizer.type) }),
        row('∂J/∂W', full(state, tensorName(q.layer, 'gradWeights'), [[q.unit * inputs + q.input!, q.unit * inputs + q.input! + 1]])?.[q.unit * inputs + q.input!], tensorName(q.layer, 'gradWeights', q.unit, q.input!)));
    }
    return box;
  }

  function revealIfRan(): void {
    if (!pending || !state.record) return;
    // Only the Step Into's own record answers: a snapshot sent for another reason has not moved.
    const value = answerOf(state, pending.question);
    if (where() === pending.at || value === undefined) return;
    const q = pending.question;
    const correct = signOf(value) === pending.guess;
    answered++;
    if (correct) right++;
    const verdict = correct ? t('Right') : t('Not this time');
    reveal = el('div', { className: 'predict-reveal', id: 'predict-reveal', attrs: { 'data-correct': String(correct) } },
      el('p', {}, el('span', { className: `badge ${correct ? 'ok' : 'bad'}`, text: verdict }), ' ',
        t('You said {0}; the engine computed', pending.guess), ' ',
        numberSpan(value, q.quantity, { id: 'predict-answer' }), ` (${q.quantity})`),
      factors(q));
    reveal.querySelector('#predict-answer')!.setAttribute('data-quantity', q.quantity);
    pending = undefined;
    // After the update the step is complete: the Chain rule card can show how ∂J/∂w was formed.
    if (q.field === 'updateWeights') ctx.select(q.layer, { kind: 'weight', layer: q.layer, out: q.unit, in: q.input! });
  }

  function ask(q: Question, guess: Sign): void {
    pending = { question: q, guess, at: where() };
    reveal = undefined;
    drawnFor = [];
    ctx.post({ type: 'command', command: { name: 'stepInto' } });
    ctx.invalidate();
  }

  return {
    root: card.root,
    render() {
      revealIfRan();
      setText(score, t('Score: {0} of {1}', right, answered));
      setAttr(score, 'data-right', String(right));
      setAttr(score, 'data-answered', String(answered));
      const q = toggle.checked ? questionFor(state) : undefined;
      const key = [toggle.checked, q?.quantity, pending, reveal, state.locale];
      if (key.every((k, i) => k === drawnFor[i])) return;
      drawnFor = key;
      body.replaceChildren();
      if (reveal) body.append(reveal);
      if (!toggle.checked) {
        body.append(el('p', { className: 'placeholder', text: t('Turn on "Ask before each Step Into" to guess each number before the engine computes it.') }));
        return;
      }
      if (pending) {
        body.append(el('p', { className: 'placeholder', text: t('Stepping…') }));
        return;
      }
      if (!q) return;
      const buttons = (['+', '0', '−'] as const).map((sign) => {
        const b = el('button', { className: 'predict-answer', text: sign, attrs: { type: 'button', 'data-sign': sign, 'aria-label': t('Guess {0} and Step Into', sign) } });
        b.addEventListener('click', () => ask(q, sign));
        return b;
      });
      body.append(el('div', { className: 'predict-question', id: 'predict-question', attrs: { 'data-quantity': q.quantity, 'data-phase': q.phase.kind } },
        el('p', { className: 'muted', text: t('Next: {0}', phaseText(ctx, q.phase)) }),
        el('p', { text: t('What is the sign of {0}?', label(q)) }),
        el('div', { className: 'predict-buttons' }, ...buttons),
        el('p', { className: 'note', text: t('Click a weight or bias in the network to ask about its unit instead.') })));
    },
  };
}
