import type { ExplorerResult, InformationResult } from '../../../protocol/explorers';
import { errorBox, explorerNumber, labelled, table, type ExplorerViewModule, type ViewContext } from '../context';
import { el } from '../../dom';
import { short } from '../../format';
import { axes, dot, frame, polyline } from '../plot';

const parseList = (text: string) => text.split(/[,\s]+/).filter(Boolean).map(Number);

export function informationView(): ExplorerViewModule {
  let ctx: ViewContext;
  let out: HTMLElement;
  const p = el('input', { attrs: { type: 'text', value: '1, 0, 0', id: 'info-p' } });
  const q = el('input', { attrs: { type: 'text', value: '0.7, 0.2, 0.1', id: 'info-q' } });
  const bits = el('input', { attrs: { type: 'checkbox' } });
  const send = () => ctx.request({ view: 'information', p: parseList(p.value).slice(0, 10), q: parseList(q.value).slice(0, 10), bits: bits.checked });
  return {
    mount(root, context) {
      ctx = context;
      out = el('div', { attrs: { class: 'output' } });
      for (const input of [p, q, bits]) input.addEventListener('input', send);
      root.append(el('h2', {}, ctx.t('Information')),
        el('div', { attrs: { class: 'controls' } },
          labelled(ctx.t('Distribution p (observed), comma-separated'), p),
          labelled(ctx.t('Distribution q (predicted), comma-separated'), q),
          el('label', { attrs: { class: 'check' } }, bits, ctx.t('in bits (log₂) instead of nats (ln)'))),
        out);
    },
    activate() { send(); },
    show(result: ExplorerResult) {
      const r = result as InformationResult;
      const range = { x0: 0, x1: 1, y0: 0, y1: r.unit === 'bits' ? 1.05 : 0.75 };
      const f = frame(range, 340, 260);
      axes(f, range, ctx.t('P(heads)'), 'H');
      polyline(f, r.curve.heads.map((x, i) => [x, r.curve.entropy[i]]), 'series-3');
      const parts: HTMLElement[] = [];
      if (r.problem) {
        parts.push(errorBox(r.problem));
      } else {
        const pv = parseList(p.value);
        if (pv.length === 2) dot(f, [pv[0], r.entropyP!], 'point-0', 5);
        parts.push(table([
          ['', r.unit],
          [ctx.t('Entropy H(p)'), explorerNumber(r.entropyP!, 'information.entropyP')],
          [ctx.t('Entropy H(q)'), explorerNumber(r.entropyQ!, 'information.entropyQ')],
          [ctx.t('Cross-entropy H(p, q)'), explorerNumber(r.crossEntropy!, 'information.crossEntropy')],
          [ctx.t('KL divergence D(p‖q)'), explorerNumber(r.kl!, 'information.kl')],
        ]), el('p', {}, ctx.t('Self-information −log p(x) of each outcome')),
        table([pv.map((v) => `p=${short(v)}`), r.selfInformationP!.map((v, i) => explorerNumber(v, `information.selfInformationP[${i}]`))]));
      }
      parts.push(el('p', { attrs: { class: 'note' } }, ctx.t('Cross-entropy = entropy + KL divergence. With a one-hot p it is −log q(correct class): the loss the inspector shows.')));
      out.replaceChildren(el('div', { attrs: { class: 'row' } }, el('figure', {}, f.svg, el('figcaption', {}, ctx.t('Entropy of a coin flip against P(heads)'))), el('div', {}, ...parts)));
    },
    showError(message) { out.replaceChildren(errorBox(message)); },
  };
}
