// Where a model document's text and data files come from, for sessions and diagnostics alike.
import * as vscode from 'vscode';
import type { LoadOptions } from '../engine/model';
import { findDatasetsDir, nodeFileReader } from '../engine/data/nodeFiles';

/**
 * Where a model's data files are read from: next to the model file (CSV paths are relative to
 * it; an untitled model uses the first workspace folder), and the built-in datasets shipped
 * with the extension. The extension host runs in Node, beside the workspace's files.
 */
export function loadOptionsFor(extensionUri: vscode.Uri, uri: vscode.Uri): LoadOptions {
  const folder = uri.scheme === 'file' ? vscode.Uri.joinPath(uri, '..').fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const datasets = findDatasetsDir(extensionUri.fsPath);
  return { files: folder ? nodeFileReader(folder) : undefined, builtins: datasets ? nodeFileReader(datasets) : undefined };
}

/** The document's text: the editor's (possibly unsaved) copy when it is open, else the file's. */
export async function documentText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}
