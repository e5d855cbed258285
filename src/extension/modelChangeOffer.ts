// The model file under an open inspector was edited into another trainable model: ask before
// throwing the session's steps away. Accepting starts the session over on the new text (the
// inspector, debugger and status bar follow the session's 'reload'); declining leaves it as it is.
// The questions go through `ui`, so the decision is testable without VS Code.
import { formatDiagnostic } from '../engine/model/format';
import type { LoadOptions } from '../engine/model';
import { l10n } from './l10n';
import type { TrainingSession } from './session';

export interface OfferUi {
  /** Shows `message` with the choices; resolves to the one picked, or undefined when dismissed. */
  ask(message: string, ...choices: string[]): PromiseLike<string | undefined>;
  showError(message: string): void;
}

export type OfferOutcome = 'reset' | 'kept' | 'failed';

/** `currentText` is read after the answer, so edits made while the question was open are included. */
export async function offerResetOnEdit(session: TrainingSession, currentText: () => string, loadOptions: LoadOptions, ui: OfferUi): Promise<OfferOutcome> {
  const reset = l10n.t('Reset on the New Model');
  const keep = l10n.t('Keep Current Session');
  const answer = await ui.ask(
    l10n.t('{0} changed. Reset the inspector on the new model? (Step {1} of the current session will be lost.)', session.name, session.position.step),
    reset,
    keep,
  );
  if (answer !== reset) return 'kept';
  const result = await session.replaceModel(currentText(), loadOptions);
  if (result.ok) return 'reset';
  const first = result.loaded.diagnostics.find((d) => d.severity === 'error');
  ui.showError(l10n.t('Cannot open {0}: {1}', session.name, first ? formatDiagnostic(first) : l10n.t('the file cannot be trained')));
  return 'failed';
}
