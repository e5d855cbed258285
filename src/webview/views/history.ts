// The history scrubber: every step so far; releasing it asks the host for that exact step.
import type { Context } from '../store';
import { el, setAttr, setHidden, setText } from '../dom';
import type { View } from './view';

export function createHistory(ctx: Context): View {
  const { state, t } = ctx;
  const label = el('span', { id: 'history-step', className: 'history-label' });
  const slider = el('input', { id: 'history-slider', attrs: { type: 'range', min: '1', max: '1', step: '1', 'aria-label': t('History') } });
  slider.addEventListener('input', () => (label.textContent = t('History: step {0} of {1}', slider.value, slider.max)));
  slider.addEventListener('change', () => {
    const step = Number(slider.value);
    if (step !== state.position?.step) ctx.post({ type: 'command', command: { name: 'goToStep', step } });
  });
  const root = el('div', { className: 'history', id: 'history' },
    el('span', { className: 'codicon codicon-history', attrs: { 'aria-hidden': 'true' } }), slider, label);
  return {
    root,
    render() {
      const p = state.position;
      const latest = Math.max(p?.latestStep ?? 0, 1);
      setHidden(root, !p || p.latestStep < 1);
      setAttr(slider, 'max', String(latest));
      if (document.activeElement !== slider || !p) slider.value = String(Math.max(p?.step ?? 1, 1));
      setText(label, t('History: step {0} of {1}', p?.step ?? 0, p?.latestStep ?? 0));
    },
  };
}
