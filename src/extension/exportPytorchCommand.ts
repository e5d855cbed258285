// "Backprop: Export as PyTorch Script": the session's model file as a runnable PyTorch script
// (src/export/pytorchScript.ts), saved where the user says, next to the model by default.
import * as vscode from 'vscode';
import { DEFAULT_EXPORT_EPOCHS, ExportError, pytorchScript } from '../export/pytorchScript';
import { l10n } from './l10n';
import type { TrainingSession } from './session';

export async function exportPytorch(session: TrainingSession): Promise<void> {
  const source = session.uri.slice(session.uri.lastIndexOf('/') + 1);
  let script: string;
  try {
    script = pytorchScript(session.model, session.engine.data, { source: decodeURIComponent(source), epochs: DEFAULT_EXPORT_EPOCHS });
  } catch (error) {
    if (!(error instanceof ExportError)) throw error;
    void vscode.window.showErrorMessage(l10n.t('Cannot export {0} as a PyTorch script: {1}', session.name, error.message));
    return;
  }
  const base = session.uri.replace(/\.backprop\.json$/i, '').replace(/\.json$/i, '');
  const target = await vscode.window.showSaveDialog({
    title: l10n.t('Export {0} as a PyTorch script', session.name),
    defaultUri: vscode.Uri.parse(`${base}.py`),
    filters: { [l10n.t('Python')]: ['py'] },
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(script));
  const file = vscode.workspace.asRelativePath(target);
  void vscode.window.showInformationMessage(l10n.t('Wrote {0}. Run it with: python3 {0} --steps 10 --trace run.trace.jsonl (recording needs the backprop_stepper package from python/).', file));
}
