// Opens the inspector when the window opens, on the workspace model file the
// `backprop.openInspectorOnStartup` setting names (`npm start` sets it, so the product is
// ready when the page loads). A window that restores an inspector keeps that one.
import * as vscode from 'vscode';
import type { BackpropHost } from './host';
import { INSPECTOR_VIEW_TYPE } from './inspectorPanel';

function hasInspectorTab(): boolean {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(INSPECTOR_VIEW_TYPE));
}

export async function openInspectorOnStartup(host: BackpropHost): Promise<void> {
  const relativePath = vscode.workspace.getConfiguration('backprop').get<string>('openInspectorOnStartup', '').trim();
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!relativePath || !folder || hasInspectorTab()) return;
  const uri = vscode.Uri.joinPath(folder.uri, relativePath);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    host.log.warn(`backprop.openInspectorOnStartup: ${relativePath} is not a file of the workspace ${folder.uri.fsPath}`);
    return;
  }
  await vscode.window.showTextDocument(uri, { preview: false });
  await host.openInspector(uri);
}
