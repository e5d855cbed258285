// The training controls and the status line (step, epoch, batch, the next operation, the loss).
// Each button's tooltip names its keyboard shortcut, and a "Keyboard" help lists them all (the
// host sends them as package.json binds them).
import type { Phase } from '../../engine/types';
import type { InspectorCommand } from '../../protocol/messages';
import { RUN_SPEED } from '../../protocol/messages';
import type { Context } from '../store';
import type { WebviewString } from '../../protocol/webviewStrings';
import { el, setAttr, setHidden, setText } from '../dom';
import { numberSpan, setNumber } from '../format';
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

/** What each bound command does, as the Keyboard help names it. */
const COMMAND_NAMES: Record<string, WebviewString> = {
  step: 'Step', stepInto: 'Step Into', stepBack: 'Step Back', runPause: 'Run / Pause', runEpoch: 'Run Epoch', reset: 'Reset',
  goToStep: 'Go to step', runUntil: 'Run until a condition holds',
};

export function createToolbar(ctx: Context): View {
  const { state, t } = ctx;
  const send = (command: InspectorCommand) => ctx.post({ type: 'command', command });
  /** Buttons with a shortcut, by the command the host binds it to. */
  const bound: { button: HTMLElement; command: string }[] = [];
  const button = (id: string, icon: string, label: string, command: () => InspectorCommand, secondary = true, shortcut?: string) => {
    const b = document.createElement('vscode-button');
    b.id = id;
    b.setAttribute('icon', icon);
    b.setAttribute('aria-label', label);
    b.title = label;
    if (secondary) b.setAttribute('secondary', '');
    b.textContent = label;
    b.addEventListener('click', () => send(command()));
    if (shortcut) bound.push({ button: b, command: shortcut });
    return b;
  };
  const step = button('step', 'debug-step-over', t('Step'), () => ({ name: 'step' }), false, 'step');
  const stepInto = button('step-into', 'debug-step-into', t('Step Into'), () => ({ name: 'stepInto' }), true, 'stepInto');
  const stepBack = button('step-back', 'debug-step-back', t('Step Back'), () => ({ name: 'stepBack' }), true, 'stepBack');
  const run = button('run', 'debug-continue', t('Run'), () =>
    state.running ? { name: 'pause' } : { name: 'run', stepsPerSecond: state.view.speed }, true, 'runPause');
  const runEpoch = button('run-epoch', 'run-all', t('Run Epoch'), () => ({ name: 'runEpoch' }), true, 'runEpoch');
  const reset = button('reset', 'debug-restart', t('Reset'), () => ({ name: 'reset' }), true, 'reset');
  // The host measures it and answers (a toast, and the loss view's test-set list); a model without
  // a test split gets the host's message saying how to add one.
  const evaluateTest = button('evaluate-test', 'beaker', t('Evaluate on Test Set'), () => ({ name: 'evaluateTestSet' }));

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

  const hint = el('span', { className: 'hint', text: t('Press Step to run the first mini-batch.') });
  const chip = (id: string, className = 'chip') => el('span', { className, id });
  const stepChip = chip('status-step');
  const epochChip = chip('status-epoch');
  const batchChip = chip('status-batch');
  const nextChip = chip('status-next', 'chip next');
  const lossValue = numberSpan(undefined, 'loss', { id: 'loss-value' });
  const historyChip = chip('status-history', 'chip history');
  const figures = [stepChip, epochChip, batchChip, nextChip, el('span', { className: 'loss-figure' }, el('span', { className: 'label', text: 'J = ' }), lossValue), historyChip];
  const status = el('div', { className: 'status', id: 'status', attrs: { 'aria-live': 'polite' } }, hint, ...figures);
  const keyboardList = el('dl', { className: 'keyboard-list' });
  const keyboard = el('details', { className: 'keyboard-help', id: 'keyboard-help' },
    el('summary', { title: t('Keyboard shortcuts') }, el('span', { className: 'codicon codicon-keyboard', attrs: { 'aria-hidden': 'true' } }), ' ', t('Keyboard')), keyboardList);
  const buttons = el('div', { className: 'buttons', attrs: { role: 'toolbar', 'aria-label': t('Training controls') } },
    step, stepInto, stepBack, run, runEpoch, reset, evaluateTest, speedGroup, keyboard);
  let listed: Record<string, string> | undefined;
  /** The Keyboard help: the host's shortcuts, then the keys the views themselves answer. */
  function listShortcuts(shortcuts: Record<string, string>): void {
    const rows: [string, string][] = Object.entries(COMMAND_NAMES)
      .filter(([command]) => shortcuts[command])
      .map(([command, name]) => [shortcuts[command], t(name)]);
    rows.push(['Tab, Enter', t('select a weight or bias in the network (its chain rule)')], ['← →', t('move the history slider one step')]);
    keyboardList.replaceChildren(...rows.flatMap(([key, what]) => [el('dt', {}, el('kbd', { text: key })), el('dd', { text: what })]));
  }
  const root = el('div', { className: 'toolbar', id: 'toolbar' }, buttons, status);

  return {
    root,
    render() {
      const runLabel = state.running ? t('Pause') : t('Run');
      setText(run, runLabel);
      setAttr(run, 'aria-label', runLabel);
      for (const { button: b, command } of bound) {
        const key = state.shortcuts[command];
        const label = b === run ? runLabel : b.getAttribute('aria-label') ?? '';
        setAttr(b, 'title', key ? `${label} (${key})` : label);
        setAttr(b, 'aria-keyshortcuts', key);
      }
      if (listed !== state.shortcuts) {
        listed = state.shortcuts;
        listShortcuts(state.shortcuts);
      }
      setAttr(run, 'icon', state.running ? 'debug-pause' : 'debug-continue');
      setText(speedValue, t('{0} steps/s', state.view.speed));
      const p = state.position;
      const record = state.record;
      // Nothing comes before step 0 (issue 10 item 5).
      stepBack.toggleAttribute('disabled', !p || p.step === 0);
      const empty = !p || !record || p.step === 0;
      setHidden(hint, !empty);
      for (const f of figures) setHidden(f, empty);
      if (empty) return;
      setText(stepChip, t('Step {0}', p.step));
      setText(epochChip, t('Epoch {0}', p.epoch));
      setText(batchChip, t('Batch {0} of {1}', p.batchInEpoch, p.batchesPerEpoch));
      setText(nextChip, t('Next: {0}', phaseText(ctx, p.next)));
      setNumber(lossValue, record.loss, 'loss');
      setHidden(historyChip, p.step === p.latestStep);
      if (!historyChip.hidden) setText(historyChip, t('Viewing step {0} of {1} (history)', p.step, p.latestStep));
    },
  };
}
