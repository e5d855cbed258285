// The chain rule for the clicked weight or bias, as the engine explained it: each factor from the
// loss down with its value per sample (derivatives of the batch loss J, so with its 1/N, as layer
// detail shows them), the per-sample product — sample i's contribution — and their sum over the
// samples (= the data part of ∂J/∂w), the shared "computed once" part marked, and the
// finite-difference check beside it.
import type { Context } from '../store';
import type { WebviewString } from '../../protocol/webviewStrings';
import { el, section } from '../dom';
import type { ChainFactor } from '../../engine/chainRule';
import { exact, numberSpan, sub } from '../format';
import type { View } from './view';
import { CHAIN_RULE_SAMPLE_COLUMNS as MAX_SAMPLES } from '../export/chainRuleText';

const AGREEMENT = 1e-6; // relative error below which backprop and finite differences agree

export function createChainRule(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('chain-rule', t('Chain rule'));
  // The explanation only changes when the host sends a new one: draw it once.
  let drawn: unknown = null;
  let drawnLocale = '';

  /**
   * The rows of a factor that is a sum over the units above (Σ_k W_km δ_k): one row per term k with
   * left·right per sample (as the engine computed them), hidden until the learner expands the sum;
   * their sum is the factor's own value shown above them.
   */
  function sumRows(f: ChainFactor, k: number, shown: number): HTMLElement[] {
    const sum = f.sum!;
    const rows = sum.terms.map((term, j) => {
      const path = `chainRule.factors[${k}].sum.terms[${j}]`;
      const cell = (i: number) => {
        const span = numberSpan(term.product[i], `${path}.product[${i}]`);
        span.title = `${exact(term.left[i])} × ${exact(term.right[i])}`;
        return el('td', {}, span);
      };
      const label = `${sum.leftSymbol} · ${sum.rightSymbol}`.replace(/_k/g, sub(term.unit + 1));
      return el('tr', { className: 'term', attrs: { 'data-term-of': String(k), 'data-unit': String(term.unit) } },
        el('td', {}, el('div', { className: 'math', text: label }), el('div', { className: 'meaning', text: t('term k = {0}', term.unit + 1) })),
        ...Array.from({ length: shown }, (_, i) => cell(i)),
        el('td'));
    });
    for (const row of rows) row.hidden = true;
    const toggle = el('button', {
      className: 'link', text: t('Show the {0} terms of this sum', sum.terms.length),
      attrs: { type: 'button', 'aria-expanded': 'false', 'data-expand': String(k) },
    });
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? t('Hide the terms') : t('Show the {0} terms of this sum', sum.terms.length);
      for (const row of rows) row.hidden = !open;
    });
    const symbol = `${f.symbol} = Σₖ ${sum.leftSymbol} · ${sum.rightSymbol}`.replace(/_k/g, 'ₖ');
    return [el('tr', { className: 'sum-toggle' }, el('td', { attrs: { colspan: String(shown + 2) } }, el('span', { className: 'math muted', text: symbol }), ' ', toggle)), ...rows];
  }
  return {
    root: card.root,
    render() {
      const message = state.explanation;
      if (message === drawn && state.locale === drawnLocale) return;
      drawn = message;
      drawnLocale = state.locale;
      card.body.replaceChildren();
      if (!message) {
        card.body.append(el('p', { className: 'placeholder', text: t('Click a weight or bias in the network to see its chain rule.') }));
        return;
      }
      const x = message.explanation;
      const shown = Math.min(x.rows, MAX_SAMPLES);
      const equation = el('div', { className: 'equation', id: 'chain-equation' },
        el('span', { className: 'math', text: `∂J/∂${x.parameter.symbol} = ` }),
        ...x.factors.flatMap((f, i) => [
          i > 0 ? el('span', { className: 'op', text: ' · ' }) : undefined,
          el('span', { className: `math factor-symbol${f.computedOnce ? ' shared' : ''}`, text: f.symbol }),
        ]));
      const head = el('tr', {}, el('th', { text: t('factor') }),
        ...Array.from({ length: shown }, (_, r) => el('th', { className: 'num', text: t('Sample {0}', r + 1) })),
        el('th', { className: 'num', text: t('Σ over samples') }));
      const rows = x.factors.flatMap((f, k) => [el('tr', { className: f.computedOnce ? 'shared' : '', attrs: { 'data-factor': String(k) } },
        el('td', {},
          el('div', { className: 'math', text: f.symbol }),
          // The engine names factors and writes notes in English; the English text is the l10n key.
          el('div', { className: 'meaning', text: t(f.name as WebviewString) }),
          f.computedOnce ? el('span', { className: 'badge', text: t('computed once'), title: t('Computed once per unit and shared by all of its weights.') }) : undefined),
        ...f.perSample.slice(0, shown).map((v, i) => el('td', {}, numberSpan(v, `chainRule.factors[${k}].perSample[${i}]`))),
        // A sum of one factor over the samples is in no identity: the product's is (below).
        el('td')), ...(f.sum ? sumRows(f, k, shown) : [])]);
      const product = el('tr', { className: 'product' }, el('td', { text: `${t('product')} Π` }),
        ...x.product.perSample.slice(0, shown).map((v, i) => el('td', {}, numberSpan(v, `chainRule.product.perSample[${i}]`))),
        el('td', {}, numberSpan(x.product.sum, 'chainRule.product.sum', { id: 'chain-product' })));
      const table = el('table', { className: 'chain' }, el('thead', {}, head), el('tbody', {}, ...rows, product));

      const summary = el('dl', { className: 'figures' });
      const figure = (label: string, value: number | undefined, quantity: string, id: string, extra?: HTMLElement) =>
        summary.append(el('dt', { text: label }), el('dd', {}, numberSpan(value, quantity, { id }), extra));
      figure(`${t('data part')} Σᵢ Π`, x.product.sum, 'chainRule.product.sum', 'chain-data');
      if (x.regularization) figure(`${t('regularization part')} ${x.regularization.symbol}`, x.regularization.value, 'chainRule.regularization.value', 'chain-reg');
      figure(`∂J/∂${x.parameter.symbol}`, x.total, 'chainRule.total', 'chain-gradient');
      const fd = x.finiteDifference;
      if (fd) {
        const agrees = fd.relativeError < AGREEMENT;
        figure(t('finite difference'), fd.numeric, 'chainRule.finiteDifference.numeric', 'chain-fd');
        figure(t('relative error'), fd.relativeError, 'chainRule.finiteDifference.relativeError', 'chain-relerr',
          el('span', { className: `badge ${agrees ? 'ok' : 'bad'}`, text: agrees ? t('agrees') : t('disagrees') }));
      }
      const notes = x.notes.map((n) => el('p', { className: 'note', text: t(n.text as WebviewString, ...n.args) }));
      card.body.append(
        el('div', { className: 'chain-head' },
          el('span', { className: 'math param', text: x.parameter.symbol }),
          el('code', { text: x.parameter.name }),
          el('span', { className: 'muted' }, '= ', numberSpan(x.parameter.value, 'chainRule.parameter.value')),
          el('span', { className: 'muted', text: `${t('step')} ${message.step}` })),
        equation, el('div', { className: 'scroll' }, table), summary, ...notes);
    },
  };
}
