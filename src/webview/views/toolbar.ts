// The training controls and the status line (step, epoch, batch, the next operation, the loss).
import type { Phase } from '../../engine/types';
import type { InspectorCommand } from '../../protocol/messages';
import { RUN_SPEED } from '../../protocol/messages';
import type { Context } from '../store';
import { el } from '../dom';
import { numberSpan } from '../format';
import type { View } from './view';

export function phaseText(ctx: Context, phase: Phase | undefined): string {
  if (!phase) return ctx.t('step complete');
  switch (phase.kind) {
    case 'forward': return ctx.t('forward through layer {0}', phase.layer + 1);
    case 'loss': return ctx.t('loss');
    case 'backward': return ctx.t('backward through layer {0}', phase.layer + 1);
    case 'update': return ctx.t('update');
  }
}

export function createToolbar(ctx: Context): View {
  const { state, t } = ctx;
  const send = (command: InspectorCommand) => ctx.post({ type: 'command', command });
  const button = (id: string, icon: string, label: string, command: () => InspectorCommand, secondary = true) => {
    const b = document.createElement('vscode-button');
    b.id = id;
    b.setAttribute('icon', icon);
    b.setAttribute('aria-label', label);
    b.title = label;
    if (secondary) b.setAttribute('secondary', '');
    b.textContent = label;
    b.addEventListener('click', () => send(command()));
    return b;
  };
  const step = button('step', 'debug-step-over', t('Step'), () => ({ name: 'step' }), false);
  const stepInto = button('step-into', 'debug-step-into', t('Step Into'), () => ({ name: 'stepInto' }));
  const stepBack = button('step-back', 'debug-step-back', t('Step Back'), () => ({ name: 'stepBack' }));
  const run = button('run', 'debug-continue', t('Run'), () =>
    state.running ? { name: 'pause' } : { name: 'run', stepsPerSecond: state.view.speed });
  const runEpoch = button('run-epoch', 'run-all', t('Run Epoch'), () => ({ name: 'runEpoch' }));
  const reset = button('reset', 'debug-restart', t('Reset'), () => ({ name: 'reset' }));

  const speedValue = el('span', { className: 'speed-value', id: 'speed-value' });
  const speed = el('input', { id: 'speed', attrs: { type: 'range', min: String(RUN_SPEED.min), max: String(RUN_SPEED.max), step: '0.5', 'aria-label': t('Speed') } });
  speed.value = String(state.view.speed);
  speed.addEventListener('input', () => (speedValue.textContent = t('{0} steps/s', speed.value)));
  speed.addEventListener('change', () => {
    const stepsPerSecond = Number(speed.value);
    ctx.saveView({ speed: stepsPerSecond });
    if (state.running) send({ name: 'setSpeed', stepsPerSecond });
  });
  const speedGroup = el('label', { className: 'speed' }, el('span', { className: 'codicon codicon-dashboard', attrs: { 'aria-hidden': 'true' } }), speed, speedValue);

  const status = el('div', { className: 'status', id: 'status', attrs: { 'aria-live': 'polite' } });
  const buttons = el('div', { className: 'buttons', attrs: { role: 'toolbar', 'aria-label': t('Training controls') } },
    step, stepInto, stepBack, run, runEpoch, reset, speedGroup);
  const root = el('div', { className: 'toolbar', id: 'toolbar' }, buttons, status);

  return {
    root,
    render() {
      const runLabel = state.running ? t('Pause') : t('Run');
      run.textContent = runLabel;
      run.setAttribute('aria-label', runLabel);
      run.setAttribute('icon', state.running ? 'debug-pause' : 'debug-continue');
      speedValue.textContent = t('{0} steps/s', state.view.speed);
      const p = state.position;
      const record = state.record;
      status.replaceChildren();
      if (!p || !record || p.step === 0) {
        status.append(el('span', { className: 'hint', text: t('Press Step to run the first mini-batch.') }));
        return;
      }
      const chip = (text: string, id: string) => el('span', { className: 'chip', id, text });
      status.append(
        chip(t('Step {0}', p.step), 'status-step'),
        chip(t('Epoch {0}', p.epoch), 'status-epoch'),
        chip(t('Batch {0} of {1}', p.batchInEpoch, p.batchesPerEpoch), 'status-batch'),
        el('span', { className: 'chip next', id: 'status-next', text: t('Next: {0}', phaseText(ctx, p.next)) }),
        el('span', { className: 'loss-figure' }, el('span', { className: 'label', text: 'J = ' }), numberSpan(record.loss, 'loss-value')),
      );
      if (p.step !== p.latestStep) status.append(el('span', { className: 'chip history', text: t('Viewing step {0} of {1} (history)', p.step, p.latestStep) }));
    },
  };
}
