// The input the palette commands ask for: the run-until condition and the step to go to.
import * as vscode from 'vscode';
import type { InspectorCommand, RunUntil } from '../protocol/messages';
import { l10n } from './l10n';
import type { TrainingSession } from './session';

/** Asks which condition to run until (and its value); undefined when the user backs out. */
export async function promptRunUntil(): Promise<InspectorCommand | undefined> {
  type Kind = RunUntil['kind'];
  const kinds: Array<vscode.QuickPickItem & { until: Kind }> = [
    { until: 'lossBelow', label: l10n.t('Loss below…'), description: l10n.t('stop after a step whose batch loss J is below a value') },
    { until: 'gradNormAbove', label: l10n.t('Gradient norm above…'), description: l10n.t('stop after a step whose ‖∂J/∂θ‖₂ is above a value') },
    { until: 'steps', label: l10n.t('Number of steps…'), description: l10n.t('run this many more steps') },
    { until: 'nan', label: l10n.t('NaN or infinity'), description: l10n.t('run until a value stops being finite') },
  ];
  const picked = await vscode.window.showQuickPick(kinds, { title: l10n.t('Run until…'), placeHolder: l10n.t('Stop when') });
  if (!picked) return undefined;
  if (picked.until === 'nan') return { name: 'runUntil', until: { kind: 'nan' } };
  const integer = picked.until === 'steps';
  const text = await vscode.window.showInputBox({
    title: picked.label,
    prompt: integer ? l10n.t('A whole number of steps, at least 1') : l10n.t('A number, e.g. 0.01'),
    validateInput: (value) => validateNumber(value, integer),
  });
  if (text === undefined) return undefined;
  return { name: 'runUntil', until: { kind: picked.until, value: Number(text) } };
}

/** Asks for a step of `session` to go to; undefined when the user backs out. */
export async function promptGoToStep(session: Pick<TrainingSession, 'latestStep' | 'position'>): Promise<InspectorCommand | undefined> {
  const text = await vscode.window.showInputBox({
    title: l10n.t('Go to step'),
    prompt: l10n.t('A step from 0 to {0} (later steps train forward)', session.latestStep),
    value: String(session.position.step),
    validateInput: (value) => validateNumber(value, true, 0),
  });
  return text === undefined ? undefined : { name: 'goToStep', step: Number(text) };
}

export function describeUntil(until: RunUntil): string {
  switch (until.kind) {
    case 'lossBelow':
      return l10n.t('the loss is below {0}', until.value);
    case 'gradNormAbove':
      return l10n.t('the gradient norm is above {0}', until.value);
    case 'steps':
      return l10n.t('{0} more steps', until.value);
    case 'nan':
      return l10n.t('a value is NaN or infinite');
  }
}

export function validateNumber(value: string, integer: boolean, min = integer ? 1 : -Infinity): string | undefined {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(n)) return l10n.t('Enter a number.');
  if (integer && !Number.isInteger(n)) return l10n.t('Enter a whole number.');
  if (n < min) return l10n.t('Enter a number of at least {0}.', min);
  return undefined;
}
