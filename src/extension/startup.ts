// Opens the inspector when the window opens, on the workspace model file the
// `backprop.openInspectorOnStartup` setting names (`npm start` sets it, so the product is
// ready when the page loads). A window that restores an inspector keeps that one.
// With `backprop.openWalkthroughOnStartup` (`npm start` sets it on the first start only) the
// lessons' walkthrough opens first and the inspector beside it, as a lesson opens.
import * as vscode from 'vscode';
import type { BackpropHost } from './host';
import { INSPECTOR_VIEW_TYPE } from './inspectorPanel';

function hasInspectorTab(): boolean {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(INSPECTOR_VIEW_TYPE));
}

/** The walkthrough of package.json's contributes.walkthroughs (the lessons). */
export const LESSONS_WALKTHROUGH = 'lessons';

export async function openInspectorOnStartup(host: BackpropHost, extensionId: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('backprop');
  const walkthrough = config.get<boolean>('openWalkthroughOnStartup', false);
  if (walkthrough) await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${extensionId}#${LESSONS_WALKTHROUGH}`, false);
  const relativePath = config.get<string>('openInspectorOnStartup', '').trim();
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!relativePath || !folder || hasInspectorTab()) return;
  const uri = vscode.Uri.joinPath(folder.uri, relativePath);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    host.log.warn(`backprop.openInspectorOnStartup: ${relativePath} is not a file of the workspace ${folder.uri.fsPath}`);
    return;
  }
  const editor = await vscode.window.showTextDocument(uri, { preview: false, viewColumn: walkthrough ? vscode.ViewColumn.Beside : undefined });
  await host.openInspector(uri, walkthrough ? editor.viewColumn : undefined);
}
