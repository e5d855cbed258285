// Long moves in the window: a cancellable progress notification that counts steps, and the
// message that says why a run stopped.
import * as vscode from 'vscode';
import { l10n } from './l10n';
import type { Mover, RunControl, RunOutcome, TrainingSession } from './session';

/** Runs `start` under a cancellable progress notification that counts steps (as a percentage of `target` when known). */
export function withRunProgress(session: TrainingSession, title: string, target: number | undefined, start: (control: RunControl) => Promise<RunOutcome>): Promise<RunOutcome> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      let reported = 0;
      return start({
        isCancellationRequested: () => token.isCancellationRequested,
        onStep: (done) => {
          if (target && done * 100 >= (reported + 1) * target) {
            const percent = Math.floor((done * 100) / target);
            progress.report({ increment: percent - reported, message: l10n.t('step {0}', session.position.step) });
            reported = percent;
          } else if (!target) progress.report({ message: l10n.t('step {0}', session.position.step) });
        },
      });
    }),
  );
}

/** Says why a run stopped when the user would not otherwise know (a pause or a cancel needs no message). */
export function announceOutcome(session: TrainingSession, outcome: RunOutcome): void {
  const step = session.position.step;
  switch (outcome.kind) {
    case 'non-finite':
      void vscode.window.showWarningMessage(l10n.t('{0}: {1}', session.name, outcome.error.message));
      return;
    case 'refused':
      void vscode.window.showWarningMessage(l10n.t('{0} is moving in the {1}: pause it there first (or press Pause), then move it here.', session.name, moverName(outcome.by)));
      return;
    case 'limit':
      void vscode.window.showInformationMessage(l10n.t('Stopped after {0} steps (the backprop.run.maxSteps limit) at step {1}.', outcome.steps, step));
      return;
    case 'condition':
      if (outcome.reason.kind === 'loss-below') void vscode.window.showInformationMessage(l10n.t('Stopped at step {0}: the loss {1} is below the target.', step, outcome.reason.loss));
      else if (outcome.reason.kind === 'grad-norm-above') void vscode.window.showInformationMessage(l10n.t('Stopped at step {0}: the gradient norm {1} is above the target.', step, outcome.reason.gradNorm));
      return;
    default:
      return;
  }
}

/** The mover as the user knows it, in the UI language. */
export function moverName(mover: Mover): string {
  return mover === 'debugger' ? l10n.t('debugger') : l10n.t('inspector');
}
