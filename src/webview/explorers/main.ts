// The explorer webview: a tab bar of views; each view asks the host for its numbers and draws
// the answer. Strings arrive translated in the host's init message.
import { applyFontScale } from '../fontScale';
import { EXPLORER_TITLES as TITLES, EXPLORER_VIEWS, type ExplorerHostMessage, type ExplorerView, type ExplorerWebviewMessage } from '../../protocol/explorers';
import type { PictureFormat } from '../../protocol/messages';
import { NOT_IN_PICTURE, pictureData } from '../export/picture';
import { fromWire } from '../../protocol/nonFinite';
import * as l10n from '@vscode/l10n';
import { type ExplorerViewModule, type ViewContext } from './context';
import { el } from '../dom';
import { activationsView } from './views/activations';
import { expressionView } from './views/expression';
import { informationView } from './views/information';
import { noiseView } from './views/noise';
import { normsView } from './views/norms';
import { raceView } from './views/race';
import { surfaceView } from './views/surface';

declare function acquireVsCodeApi(): { postMessage(message: ExplorerWebviewMessage): void; setState(state: unknown): void; getState(): unknown };

const vscode = acquireVsCodeApi();
const FACTORIES: Record<ExplorerView, () => ExplorerViewModule> = {
  norms: normsView, information: informationView, activations: activationsView, expression: expressionView,
  surface: surfaceView, race: raceView, noise: noiseView,
};

const modules = new Map<ExplorerView, { module: ExplorerViewModule; panel: HTMLElement; tab: HTMLButtonElement; active?: boolean }>();

/** Translated by @vscode/l10n from the bundle the host sends in its init message, as the inspector does. */
const t = (message: string, ...args: Array<string | number>): string => l10n.t(message, ...args);

function select(view: ExplorerView): void {
  for (const [name, entry] of modules) {
    const on = name === view;
    entry.panel.hidden = !on;
    entry.tab.setAttribute('aria-selected', String(on));
    entry.tab.tabIndex = on ? 0 : -1;
    if (on && !entry.active) {
      entry.active = true;
      entry.module.activate();
    }
  }
  vscode.setState({ view });
  document.body.dataset.view = view;
}

/** The view as a picture for the host to save (issue 15 item 2), as the inspector's cards do. */
async function savePicture(view: ExplorerView, panel: HTMLElement, format: PictureFormat): Promise<void> {
  vscode.postMessage({ type: 'savePicture', view, format, ...(await pictureData(panel, format)) });
}

function exportButtons(view: ExplorerView, panel: HTMLElement): HTMLElement {
  const button = (format: PictureFormat, label: string) => {
    const b = el('button', { attrs: { type: 'button', class: 'export-button', title: label, 'aria-label': label, 'data-export': `${view}:${format}` } }, format.toUpperCase());
    b.addEventListener('click', () => void savePicture(view, panel, format));
    return b;
  };
  return el('div', { attrs: { class: `export-tools ${NOT_IN_PICTURE}`, role: 'group' } }, button('svg', t('Save as SVG')), button('png', t('Save as PNG')));
}

function start(view: ExplorerView, language: 'en' | 'ko'): void {
  const app = document.getElementById('app')!;
  const tabs = el('div', { attrs: { role: 'tablist', class: 'tabs', 'aria-label': t('Explorers') } });
  app.replaceChildren(tabs);
  for (const name of EXPLORER_VIEWS) {
    const tab = el('button', { attrs: { role: 'tab', type: 'button', id: `tab-${name}`, 'aria-controls': `view-${name}` } }, t(TITLES[name]));
    const panel = el('section', { attrs: { role: 'tabpanel', id: `view-${name}`, 'aria-labelledby': `tab-${name}`, class: 'view' } });
    const module = FACTORIES[name]();
    modules.set(name, { module, panel, tab });
    tab.addEventListener('click', () => select(name));
    tabs.append(tab);
    app.append(panel);
    const context: ViewContext = {
      t, language,
      request: (request) => {
        panel.setAttribute('aria-busy', 'true');
        vscode.postMessage({ type: 'request', request });
      },
    };
    panel.append(exportButtons(name, panel));
    module.mount(panel, context);
    // Said while the first answer is on its way (the CSS shows it in an empty output).
    panel.querySelector('.output')?.setAttribute('data-busy-text', t('Computing…'));
  }
  tabs.addEventListener('keydown', (event) => {
    const index = EXPLORER_VIEWS.findIndex((name) => modules.get(name)!.tab === document.activeElement);
    if (index < 0 || (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft')) return;
    const next = EXPLORER_VIEWS[(index + (event.key === 'ArrowRight' ? 1 : EXPLORER_VIEWS.length - 1)) % EXPLORER_VIEWS.length];
    select(next);
    modules.get(next)!.tab.focus();
  });
  app.removeAttribute('aria-busy');
  select(view);
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = fromWire<ExplorerHostMessage>(event.data);
  switch (message.type) {
    case 'init':
      l10n.config({ contents: message.strings });
      document.documentElement.lang = message.language;
      start(message.view, message.language);
      break;
    case 'show':
      select(message.view);
      break;
    case 'fontScale':
      applyFontScale(message.scale);
      break;
    case 'result': {
      const entry = modules.get(message.result.view);
      entry?.panel.removeAttribute('aria-busy');
      entry?.module.show(message.result);
      break;
    }
    case 'error': {
      const entry = modules.get(message.view);
      entry?.panel.removeAttribute('aria-busy');
      entry?.module.showError(message.message, message.column);
      break;
    }
  }
});

vscode.postMessage({ type: 'ready' });
