// The export buttons of the inspector's cards (issue 15 item 2): "SVG" and "PNG" on every view, and
// "LaTeX" / "Markdown" on the chain rule; and the answers to the host's Save Picture / Copy Chain
// Rule commands. The webview draws; the host checks what it is sent and writes the file or the
// clipboard (src/extension/pictureExport.ts).
import type { ChainRuleFormat, PictureFormat, PictureView, ExportRequestMessage } from '../../protocol/messages';
import { PICTURE_VIEWS } from '../../protocol/messages';
import type { Context } from '../store';
import { el } from '../dom';
import { NOT_IN_PICTURE, pictureData } from './picture';
import { chainRuleText } from './chainRuleText';

async function sendPicture(ctx: Context, view: PictureView, format: PictureFormat): Promise<void> {
  // The picture is of the whole card, so any part a step left for later is written first.
  ctx.settle();
  const card = document.getElementById(view);
  if (card) ctx.post({ type: 'savePicture', view, format, ...(await pictureData(card, format)) });
}

function sendChainRule(ctx: Context, format: ChainRuleFormat): void {
  const shown = ctx.state.explanation;
  if (!shown) {
    ctx.state.error = { where: ctx.t('Chain rule'), message: ctx.t('Click a weight or bias in the network to see its chain rule.') };
    ctx.invalidate();
    return;
  }
  ctx.post({ type: 'copyText', format, text: chainRuleText(format, shown.explanation, shown.step, ctx.t) });
}

/** Runs a host's export request (the command palette's Save Picture / Copy Chain Rule). */
export function runExportRequest(ctx: Context, request: ExportRequestMessage['request']): Promise<void> {
  if (request.kind === 'chainRule') {
    sendChainRule(ctx, request.format);
    return Promise.resolve();
  }
  return sendPicture(ctx, request.view, request.format);
}

/** Adds the export buttons to the header of every card that has a picture. */
export function addExportButtons(ctx: Context, root: HTMLElement): void {
  const { t } = ctx;
  const button = (label: string, title: string, icon: string, action: () => void | Promise<void>, data: Record<string, string>) => {
    const b = el('button', { className: 'export-button', title, attrs: { type: 'button', 'aria-label': title, ...data } },
      el('span', { className: `codicon codicon-${icon}`, attrs: { 'aria-hidden': 'true' } }), label);
    b.addEventListener('click', () => void action());
    return b;
  };
  for (const view of PICTURE_VIEWS) {
    const tools = root.querySelector(`#${view} > header`);
    if (!tools) continue;
    const group = el('div', { className: `export-tools ${NOT_IN_PICTURE}`, attrs: { role: 'group', 'aria-label': t('Save a picture') } },
      button('SVG', t('Save as SVG'), 'file-media', () => sendPicture(ctx, view, 'svg'), { 'data-export': `${view}:svg` }),
      button('PNG', t('Save as PNG'), 'file-media', () => sendPicture(ctx, view, 'png'), { 'data-export': `${view}:png` }));
    if (view === 'chain-rule') {
      group.append(
        button('LaTeX', t('Copy the chain rule as LaTeX'), 'copy', () => sendChainRule(ctx, 'latex'), { 'data-export': 'chain-rule:latex' }),
        button('Markdown', t('Copy the chain rule as a Markdown table'), 'copy', () => sendChainRule(ctx, 'markdown'), { 'data-export': 'chain-rule:markdown' }));
    }
    tools.append(group);
  }
}
