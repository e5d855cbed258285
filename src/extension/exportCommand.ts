// The Export Trace command: asks where, then writes the session's steps as JSON Lines.
import * as vscode from 'vscode';
import { l10n } from './l10n';
import type { TrainingSession } from './session';
import { traceLines } from './traceExport';

export async function exportTrace(session: TrainingSession): Promise<void> {
  const steps = session.completedSteps;
  if (steps === 0) {
    void vscode.window.showInformationMessage(l10n.t('Nothing to export yet: take at least one step.'));
    return;
  }
  const base = session.uri.replace(/\.backprop\.json$/i, '').replace(/\.json$/i, '');
  const target = await vscode.window.showSaveDialog({
    title: l10n.t('Export {0} steps as JSON Lines', steps),
    defaultUri: vscode.Uri.parse(`${base}.trace.jsonl`),
    filters: { [l10n.t('JSON Lines')]: ['jsonl'] },
  });
  if (!target) return;
  const text = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: l10n.t('Exporting the trace of {0}', session.name) },
    async () => traceLines(session.model, session.engine.data, steps).join(''),
  );
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  void vscode.window.showInformationMessage(l10n.t('Exported {0} steps to {1}.', steps, vscode.workspace.asRelativePath(target)));
}
