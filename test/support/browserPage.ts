// Opens dist/webview.js in Debian's headless Chromium inside the real inspector shell page
// (src/extension/inspectorHtml.ts, with its CSP), with a stand-in for acquireVsCodeApi that
// records posted messages, and VS Code's theme variables for a light or dark theme.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { inspectorHtml } from '../../src/extension/inspectorHtml';
import type { HostMessage, WebviewMessage } from '../../src/protocol/messages';
import { toWire } from '../../src/protocol/nonFinite';

const ROOT = resolve(__dirname, '../..');
export const ARTIFACTS = resolve(ROOT, 'test-artifacts/webview');

export const THEMES = {
  light: {
    class: 'vscode-light',
    vars: {
      '--vscode-font-family': '-apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK KR", sans-serif', '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", "Noto Sans Mono CJK KR", monospace',
      '--vscode-foreground': '#3b3b3b', '--vscode-editor-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff',
      '--vscode-sideBar-background': '#f8f8f8', '--vscode-descriptionForeground': '#717171', '--vscode-widget-border': '#e5e5e5',
      '--vscode-focusBorder': '#005fb8', '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff',
      '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-button-border': '#0000001a',
      '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-red': '#e51400',
      '--vscode-charts-green': '#388a34', '--vscode-charts-orange': '#d18616', '--vscode-charts-purple': '#652d90', '--vscode-charts-yellow': '#bf8803',
      '--vscode-textLink-foreground': '#005fb8', '--vscode-dropdown-background': '#ffffff', '--vscode-dropdown-foreground': '#3b3b3b', '--vscode-dropdown-border': '#cecece',
      '--vscode-textCodeBlock-background': '#f2f2f2',
    },
  },
  dark: {
    class: 'vscode-dark',
    vars: {
      '--vscode-font-family': '-apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK KR", sans-serif', '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", "Noto Sans Mono CJK KR", monospace',
      '--vscode-foreground': '#cccccc', '--vscode-editor-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f',
      '--vscode-sideBar-background': '#181818', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-widget-border': '#313131',
      '--vscode-focusBorder': '#0078d4', '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff',
      '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-border': '#ffffff12',
      '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8', '--vscode-charts-blue': '#3794ff', '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-green': '#89d185', '--vscode-charts-orange': '#d18616', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700',
      '--vscode-textLink-foreground': '#4daafc', '--vscode-dropdown-background': '#313131', '--vscode-dropdown-foreground': '#cccccc', '--vscode-dropdown-border': '#3c3c3c',
      '--vscode-textCodeBlock-background': '#2b2b2b',
    },
  },
  'high-contrast': {
    class: 'vscode-high-contrast',
    vars: {
      '--vscode-font-family': '-apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK KR", sans-serif', '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", "Noto Sans Mono CJK KR", monospace',
      '--vscode-foreground': '#ffffff', '--vscode-editor-foreground': '#ffffff', '--vscode-editor-background': '#000000',
      '--vscode-sideBar-background': '#000000', '--vscode-descriptionForeground': '#ffffff', '--vscode-widget-border': '#6fc3df',
      '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-focusBorder': '#f38518', '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff',
      '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff', '--vscode-button-border': '#6fc3df',
      '--vscode-badge-background': '#000000', '--vscode-badge-foreground': '#ffffff', '--vscode-charts-blue': '#3794ff', '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-green': '#89d185', '--vscode-charts-orange': '#d18616', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#ffd700',
      '--vscode-textLink-foreground': '#21a6ff', '--vscode-dropdown-background': '#000000', '--vscode-dropdown-foreground': '#ffffff', '--vscode-dropdown-border': '#6fc3df',
      '--vscode-textCodeBlock-background': '#000000',
    },
  },
} as const;
export type Theme = keyof typeof THEMES;

/**
 * A host message as VS Code delivers it: JSON (so it goes through `toWire`, as InspectorPanel.post
 * does, or a non-finite number would arrive as null); typed arrays cross into the page as base64
 * of their bytes, so every bit arrives, as VS Code transfers their buffers.
 */
function pack(message: unknown): string {
  return JSON.stringify(toWire(message), (_k, v) => {
    if (v instanceof Float64Array || v instanceof Uint8Array || v instanceof Uint32Array) {
      return { __typed: v instanceof Float64Array ? 'f64' : v instanceof Uint32Array ? 'u32' : 'u8', b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    }
    return v;
  });
}

export interface InspectorPage {
  browser: Browser;
  page: Page;
  posted: WebviewMessage[];
  /** Delivers a host message and waits for the next render. */
  send(message: HostMessage | unknown): Promise<void>;
  /** Delivers without waiting (for messages that must not render). */
  deliver(message: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function openInspector(options: {
  theme: Theme; lang?: string; width?: number; height?: number; browser?: Browser;
  /** Device pixels per CSS pixel (window.devicePixelRatio); default 1. */
  deviceScaleFactor?: number;
  /** Another build of the webview bundle (the latency benchmark compares two builds); default dist/webview.js. */
  script?: string;
  /** Another inspector stylesheet to go with `script`; default media/inspector.css. */
  css?: string;
}): Promise<InspectorPage> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = options.browser ?? (await launch());
  const file = (p: string) => pathToFileURL(resolve(ROOT, p)).toString();
  const html = inspectorHtml({
    cspSource: 'file:', nonce: 'testnonce0123456789', scriptUri: file(options.script ?? 'dist/webview.js'),
    codiconUri: file('dist/codicon.css'), styleUris: [file(options.css ?? 'media/inspector.css')], lang: options.lang ?? 'en', title: 'Inspector',
  });
  const pagePath = resolve(ARTIFACTS, `inspector-${options.theme}${options.script ? '-' + options.script.replace(/\W+/g, '_') : ''}.html`);
  writeFileSync(pagePath, html);
  const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, deviceScaleFactor: options.deviceScaleFactor ?? 1 });
  const posted: WebviewMessage[] = [];
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  if (process.env.INSPECTOR_DEBUG) page.on('console', (m) => console.log('[page]', m.text()));
  await page.exposeFunction('__hostReceive', (m: WebviewMessage) => posted.push(m));
  const theme = THEMES[options.theme];
  // A string, not a function: tsx's name-keeping helpers do not exist inside the page.
  await page.addInitScript(`(() => {
    const vars = ${JSON.stringify(theme.vars)};
    const cls = ${JSON.stringify(theme.class)};
    const dress = () => {
      const root = document.documentElement;
      if (root && !root.style.getPropertyValue('--vscode-foreground')) for (const [k, v] of Object.entries(vars)) root.style.setProperty(k, v);
      if (document.body && !document.body.classList.contains(cls)) document.body.classList.add(cls);
    };
    // Once <body> is dressed the observer goes, so it adds no work to the renders being measured.
    const observer = new MutationObserver(() => {
      dress();
      if (document.body && document.documentElement.style.getPropertyValue('--vscode-foreground')) observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
    let saved;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__hostReceive(m),
      getState: () => saved,
      setState: (s) => { saved = s; },
    });
    window.__unpack = (text) => JSON.parse(text, (k, v) => {
      if (v && typeof v === 'object' && v.__typed) {
        const bytes = Uint8Array.from(atob(v.b64), (c) => c.charCodeAt(0));
        return v.__typed === 'f64' ? new Float64Array(bytes.buffer) : v.__typed === 'u32' ? new Uint32Array(bytes.buffer) : bytes;
      }
      return v;
    });
  })();`);
  await page.goto(pathToFileURL(pagePath).toString());
  await page.waitForSelector('#waiting', { state: 'attached', timeout: 10000 }).catch((e) => {
    throw new Error(`the webview did not start: ${pageErrors.join('; ') || e.message}`);
  });
  const deliver = async (message: unknown) => {
    await page.evaluate((text) => window.postMessage((window as unknown as { __unpack(t: string): unknown }).__unpack(text), '*'), pack(message));
  };
  // Waits for the render that includes the message (the page counts the messages it applied), not
  // for one finishing an earlier render's settle pass. Page code as text: tsx's name helpers do not
  // exist inside the page.
  const send = async (message: unknown) => {
    await page.evaluate(`((text) => new Promise((done) => {
      const includes = Number(document.body.dataset.applied ?? 0) + 1;
      const rendered = (event) => {
        if (event.detail.applied < includes) return;
        document.body.removeEventListener('inspector-rendered', rendered);
        done();
      };
      document.body.addEventListener('inspector-rendered', rendered);
      window.postMessage(window.__unpack(text), '*');
    }))(${JSON.stringify(pack(message))})`);
    if (pageErrors.length) throw new Error(`page error: ${pageErrors.join('; ')}`);
  };
  return {
    browser, page, posted, send, deliver,
    close: async () => { await page.close(); if (!options.browser) await browser.close(); },
  };
}

/**
 * A picture of the whole page as a reader who scrolls through it sees it. Cards out of view skip
 * painting (content-visibility: auto), and a full-page capture does not scroll, so the viewport is
 * made as tall as the page for the capture, then given back.
 */
export async function screenshotWholePage(page: Page, path: string): Promise<void> {
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (viewport) await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  // Two frames: one for the cards to be found in view, one for them to be laid out and painted.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await page.screenshot({ path, fullPage: true });
  if (viewport) await page.setViewportSize(viewport);
}

export { pack };
