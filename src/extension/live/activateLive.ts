// VS Code's side of live PyTorch stepping: "Backprop: Step Through PyTorch Script…", and the
// launch configuration with "program" completed with the interpreter (backprop.python, else the
// Python extension's selected interpreter, else python3). The debugging itself is the `backprop`
// debug type's (liveDebugAdapter.ts).
import * as vscode from 'vscode';
import { l10n } from '../l10n';

const DEBUG_TYPE = 'backprop';

/** The interpreter for PyTorch scripts: the setting, else the Python extension's choice, else python3. */
export async function pythonFor(resource: vscode.Uri | undefined): Promise<string> {
  const configured = vscode.workspace.getConfiguration('backprop', resource).get<string>('python', '').trim();
  if (configured) return configured;
  const extension = vscode.extensions.getExtension('ms-python.python');
  if (extension) {
    try {
      const api = (await extension.activate()) as {
        environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } };
        settings?: { getExecutionDetails(resource?: vscode.Uri): { execCommand?: string[] } };
      };
      const selected = api.environments?.getActiveEnvironmentPath(resource)?.path ?? api.settings?.getExecutionDetails(resource)?.execCommand?.[0];
      if (selected) return selected;
    } catch {
      // The Python extension could not say: fall back to python3 below.
    }
  }
  return 'python3';
}

/** A `backprop` configuration with "program": the interpreter and the working folder filled in. */
export async function resolveLiveConfiguration(config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration> {
  const program = vscode.Uri.file(String(config.program));
  return { ...config, python: config.python ?? (await pythonFor(program)) };
}

export function isPythonDocument(document: vscode.TextDocument): boolean {
  return document.languageId === 'python' && document.uri.scheme === 'file';
}

/**
 * The palette command: steps through the script given (a path relative to the extension, from the
 * walkthrough), the Python file in the active editor, or one the user picks.
 */
export function registerLive(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('backprop.stepThroughPytorchScript', async (bundled?: unknown) => {
      let script: vscode.Uri | undefined;
      if (typeof bundled === 'string') script = vscode.Uri.joinPath(context.extensionUri, bundled);
      else {
        const editor = vscode.window.activeTextEditor;
        if (editor && isPythonDocument(editor.document)) script = editor.document.uri;
        else {
          const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Python: ['py'] }, openLabel: l10n.t('Step Through') });
          script = picked?.[0];
        }
      }
      if (!script) return;
      await vscode.window.showTextDocument(script, { preview: true });
      const folder = vscode.workspace.getWorkspaceFolder(script);
      await vscode.debug.startDebugging(folder, {
        type: DEBUG_TYPE, request: 'launch', name: l10n.t('Step through {0}', vscode.workspace.asRelativePath(script)), program: script.fsPath,
      });
    }),
  );
}
