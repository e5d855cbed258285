// Pictures and text out of the inspector (issue 15 item 2): the webview draws a view as SVG or PNG
// (src/webview/export/) and the chain rule as LaTeX or Markdown; the validated message arrives here
// and the host saves the picture where the user says (VS Code's save dialog) or puts the text on
// the clipboard. The commands of the same name ask the focused inspector for them.
import * as vscode from 'vscode';
import type { ChainRuleFormat, CopyTextMessage, Picture, PictureFormat, PictureView } from '../protocol/messages';
import { PICTURE_VIEWS } from '../protocol/messages';
import { l10n } from './l10n';

/** The bytes of a checked picture: SVG text as UTF-8, PNG from its base64. */
export function pictureBytes(message: Picture): Uint8Array {
  return message.format === 'svg' ? new TextEncoder().encode(message.data) : Buffer.from(message.data, 'base64');
}

/** Where an inspector view's picture goes by default: next to the model, "<model>-<view>-step<n>.<format>". */
export function inspectorPictureUri(modelUri: string, modelName: string, view: PictureView, step: number, format: PictureFormat): vscode.Uri {
  const base = modelName.replace(/\.backprop\.json$/i, '').replace(/\.json$/i, '').replace(/[^\p{L}\p{N}._-]+/gu, '-');
  const folder = modelUri.slice(0, modelUri.lastIndexOf('/') + 1);
  return vscode.Uri.parse(folder + encodeURIComponent(`${base}-${view}-step${step}.${format}`));
}

/** Where an explorer's picture goes by default: the first workspace folder (else the home folder), "explorer-<view>.<format>". */
export function explorerPictureUri(view: string, format: PictureFormat): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder && vscode.Uri.joinPath(folder, `explorer-${view}.${format}`);
}

/** Asks where to save the picture (`suggested` by default) and writes it there. */
export async function savePicture(message: Picture, suggested: vscode.Uri | undefined, what: string): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    title: l10n.t('Save the picture of {0}', what),
    defaultUri: suggested,
    filters: message.format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] },
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, pictureBytes(message));
  void vscode.window.showInformationMessage(l10n.t('Saved {0} ({1} × {2}).', vscode.workspace.asRelativePath(target), message.width, message.height));
}

export async function copyText(message: CopyTextMessage): Promise<void> {
  await vscode.env.clipboard.writeText(message.text);
  void vscode.window.showInformationMessage(message.format === 'latex' ? l10n.t('Copied the chain rule as LaTeX.') : l10n.t('Copied the chain rule as a Markdown table.'));
}

export function viewTitle(view: PictureView): string {
  switch (view) {
    case 'network': return l10n.t('Network');
    case 'layer-detail': return l10n.t('Layer detail');
    case 'chain-rule': return l10n.t('Chain rule');
    case 'loss': return l10n.t('Loss');
    case 'data': return l10n.t('Data');
    case 'optimizer': return l10n.t('Optimizer');
    case 'compare': return l10n.t('Compare runs');
  }
}

/** The Save Picture command's questions: which view, which format. */
export async function pickPicture(): Promise<{ view: PictureView; format: PictureFormat } | undefined> {
  const view = await vscode.window.showQuickPick(PICTURE_VIEWS.map((v) => ({ label: viewTitle(v), view: v })), { title: l10n.t('Save a picture of which view?') });
  if (!view) return undefined;
  const format = await vscode.window.showQuickPick([{ label: 'PNG', format: 'png' as const }, { label: 'SVG', format: 'svg' as const }], { title: l10n.t('Save as') });
  return format && { view: view.view, format: format.format };
}

export async function pickChainRuleFormat(): Promise<ChainRuleFormat | undefined> {
  const choice = await vscode.window.showQuickPick([
    { label: 'LaTeX', format: 'latex' as const },
    { label: l10n.t('Markdown table'), format: 'markdown' as const },
  ], { title: l10n.t('Copy the chain rule as') });
  return choice?.format;
}
