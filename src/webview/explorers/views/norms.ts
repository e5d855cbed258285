import { EXPLORER_LIMITS, type ExplorerResult, type NormsResult } from '../../../protocol/explorers';
import { errorBox, explorerNumber, labelled, numberInput, sentenceWithNumber, table, withSubscripts, type ExplorerViewModule, type ViewContext } from '../context';
import { el, svg as s } from '../../dom';
import { short } from '../../format';
import { axes, dot, frame, legend, polyline } from '../plot';

const MAX_ORDER = EXPLORER_LIMITS.maxOrder;

export function normsView(): ExplorerViewModule {
  let ctx: ViewContext;
  let out: HTMLElement;
  const p = numberInput(3, { min: '1', step: '0.5', id: 'norm-p' });
  const a = [numberInput(0.6, { step: '0.1' }), numberInput(0.8, { step: '0.1' })];
  const b = [numberInput(1, { step: '0.1' }), numberInput(0, { step: '0.1' })];
  const send = () => {
    const order = Number(p.value);
    const problem = p.value.trim() === '' || !Number.isFinite(order) ? ctx.t('Type a number p from 1 to {0}.', MAX_ORDER)
      : order < 1 ? ctx.t('p = {0} is not a norm: below 1 the unit ball is not convex and the triangle inequality fails. Choose p ≥ 1.', order)
        : order > MAX_ORDER ? ctx.t('p = {0} is beyond {1}: its unit ball is already the ∞-norm\'s square.', order, MAX_ORDER) : undefined;
    p.setAttribute('aria-invalid', String(problem !== undefined));
    if (problem) {
      out.replaceChildren(errorBox(problem));
      return;
    }
    ctx.request({
      // p = 1 or 2 is drawn already: one ball, one legend entry, one table row each.
      view: 'norms', orders: order === 1 || order === 2 ? [1, 2, 'inf'] : [1, 2, order, 'inf'],
      a: [Number(a[0].value) || 0, Number(a[1].value) || 0], b: [Number(b[0].value) || 0, Number(b[1].value) || 0],
    });
  };
  return {
    mount(root, context) {
      ctx = context;
      out = el('div', { attrs: { class: 'output' } });
      const controls = el('div', { attrs: { class: 'controls' } },
        labelled(ctx.t('your p (≥ 1)'), p),
        labelled(ctx.t('vector a'), el('span', { attrs: { class: 'pair' } }, a[0], a[1])),
        labelled(ctx.t('vector b'), el('span', { attrs: { class: 'pair' } }, b[0], b[1])));
      for (const input of [p, ...a, ...b]) input.addEventListener('input', send);
      root.append(el('h2', {}, ...withSubscripts(ctx.t('Unit balls ‖x‖_p = 1 for p = 1, 2, ∞ and your p'))), controls, out);
    },
    activate() { send(); },
    show(result: ExplorerResult) {
      const r = result as NormsResult;
      const range = { x0: -1.6, x1: 1.6, y0: -1.6, y1: 1.6 };
      const f = frame(range, 340, 340);
      axes(f, range);
      r.balls.forEach((ball, i) => polyline(f, ball.points, `series-${i}`, true));
      const vectors = [[Number(a[0].value), Number(a[1].value)], [Number(b[0].value), Number(b[1].value)]] as const;
      // Each dot is named: two coloured dots and no key left a learner guessing which vector was a.
      vectors.forEach((v, i) => {
        polyline(f, [[0, 0], v], 'vector');
        dot(f, v, `point-${i}`, 5);
        f.svg.append(s('text', { x: f.x(v[0]) + 8, y: f.y(v[1]) - 6, class: 'vector-name' }, i === 0 ? 'a' : 'b'));
      });
      legend(f, r.balls.map((ball, i) => [`p=${ball.order === 'inf' ? '∞' : ball.order}`, `series-${i}`]), 40, 14, 70);
      const rows = [[ctx.t('p'), el('span', {}, ...withSubscripts(ctx.t('‖a‖_p'))), el('span', {}, ...withSubscripts(ctx.t('‖a − b‖_p')))],
        ...r.balls.map((ball, i) => [ball.order === 'inf' ? '∞' : String(ball.order), explorerNumber(ball.normA, `norms.balls[${i}].normA`), explorerNumber(ball.distance, `norms.balls[${i}].distance`)])];
      const cosine = r.cosine === null ? el('p', {}, ctx.t('Cosine similarity is undefined for a zero vector.'))
        : sentenceWithNumber(ctx.t('Cosine similarity of a and b: {0}', short(r.cosine)), r.cosine, 'norms.cosine');
      const hamming = sentenceWithNumber(ctx.t('Hamming distance (entries that differ): {0}', r.hamming), r.hamming, 'norms.hamming');
      out.replaceChildren(el('div', { attrs: { class: 'row' } }, f.svg, el('div', {}, table(rows), cosine, hamming)));
    },
    showError(message) { out.replaceChildren(errorBox(message)); },
  };
}
