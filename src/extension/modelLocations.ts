// Where a model document's text and data files come from, for sessions and diagnostics alike.
import * as vscode from 'vscode';
import type { LoadOptions } from '../engine/model';
import { findDatasetsDir, nodeFileReader } from '../engine/data/nodeFiles';

/**
 * Where a model's data files are read from: CSV paths are relative to the model file and must
 * resolve, after following links, inside its workspace folder (or, for a file outside every
 * workspace folder, inside its own folder; an untitled model uses the first workspace folder).
 * Built-in datasets come from the extension's `datasets/`. The reads are bounded by the data
 * size limit and the parsed data is cached by file version, so a check on every edit stays cheap.
 */
export function loadOptionsFor(extensionUri: vscode.Uri, uri: vscode.Uri): LoadOptions {
  const firstFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const base = uri.scheme === 'file' ? vscode.Uri.joinPath(uri, '..').fsPath : firstFolder;
  const root = uri.scheme === 'file' ? (vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? base) : firstFolder;
  const datasets = findDatasetsDir(extensionUri.fsPath);
  return { files: base && root ? nodeFileReader(base, root) : undefined, builtins: datasets ? nodeFileReader(datasets) : undefined };
}

/** The document's text: the editor's (possibly unsaved) copy when it is open, else the file's. */
export async function documentText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}
