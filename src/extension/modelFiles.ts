// Which documents are model files, where their data files may be read from, and the starting
// points the extension offers: the bundled examples and the New Model template.
import * as vscode from 'vscode';
import { l10n } from './l10n';

export const MODEL_FILE_SUFFIX = '.backprop.json';

export function isModelUri(uri: vscode.Uri): boolean {
  return uri.path.toLowerCase().endsWith(MODEL_FILE_SUFFIX);
}

export function isModelDocument(document: vscode.TextDocument): boolean {
  return isModelUri(document.uri);
}


interface ExamplePick extends vscode.QuickPickItem {
  uri: vscode.Uri;
}

function describeExample(text: string): { name?: string; description?: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const { name, description } = parsed as Record<string, unknown>;
      return {
        name: typeof name === 'string' ? name : undefined,
        description: typeof description === 'string' ? description : undefined,
      };
    }
  } catch {
    // An example that does not parse is still listed by file name; opening it shows why.
  }
  return {};
}

/**
 * Lets the user pick one of the bundled examples (all of them, or `only` these base names in this
 * order, as the lessons list theirs); undefined when dismissed.
 */
export async function pickExample(
  extensionUri: vscode.Uri,
  only?: readonly string[],
  texts = { title: l10n.t('Open an example model'), placeHolder: l10n.t('Pick an example to step through') },
): Promise<vscode.Uri | undefined> {
  const folder = vscode.Uri.joinPath(extensionUri, 'examples');
  const fileNames = only
    ? only.map((name) => `${name}${MODEL_FILE_SUFFIX}`)
    : (await vscode.workspace.fs.readDirectory(folder))
      .filter(([fileName, type]) => type === vscode.FileType.File && fileName.endsWith(MODEL_FILE_SUFFIX))
      .map(([fileName]) => fileName)
      .sort((a, b) => a.localeCompare(b));
  const picks: ExamplePick[] = [];
  for (const fileName of fileNames) {
    const uri = vscode.Uri.joinPath(folder, fileName);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const { name, description } = describeExample(text);
    picks.push({ label: name ?? fileName, description: fileName, detail: description, uri });
  }
  const chosen = await vscode.window.showQuickPick(picks, { ...texts, matchOnDescription: true, matchOnDetail: true });
  return chosen?.uri;
}

/** A small complete model: two inputs, one hidden layer, XOR data. Everything a file can say, in miniature. */
export const NEW_MODEL_TEMPLATE = `{
  "name": "My model",
  "seed": 1,
  "inputs": 2,
  "layers": [
    { "units": 4, "activation": "tanh" },
    { "units": 1, "activation": "sigmoid" }
  ],
  "loss": "binary-cross-entropy",
  "optimizer": { "type": "sgd", "learningRate": 0.5, "momentum": 0.9 },
  "data": { "x": [[0, 0], [0, 1], [1, 0], [1, 1]], "y": [[0], [1], [1], [0]] },
  "batch": { "mode": "mini-batch", "size": 2, "shuffle": false }
}
`;

/** True when a file or folder exists at `uri`. */
async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * An untitled `model-N.backprop.json` (so the schema applies) holding the template, shown in an
 * editor. N is the first number free both among open documents and on disk: VS Code refuses an
 * untitled document whose path names an existing file ("file already exists"), as the second New
 * Model would meet once the first was saved.
 */
export async function createModelFromTemplate(): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.path));
  const fileFor = (i: number) => (folder ? vscode.Uri.joinPath(folder, `model-${i}${MODEL_FILE_SUFFIX}`) : undefined);
  const pathFor = (i: number) => fileFor(i)?.path ?? `/model-${i}${MODEL_FILE_SUFFIX}`;
  let n = 1;
  for (;;) {
    const file = fileFor(n);
    if (!open.has(pathFor(n)) && !(file && (await exists(file)))) break;
    n++;
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'untitled', path: pathFor(n) }));
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, new vscode.Position(0, 0), NEW_MODEL_TEMPLATE);
  await vscode.workspace.applyEdit(edit);
  return vscode.window.showTextDocument(document);
}
