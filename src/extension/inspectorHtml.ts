// The inspector's HTML shell: a strict Content Security Policy, the bundled stylesheets and one
// nonce-tagged script. Everything visible is built by dist/webview.js from host messages; the host
// never writes markup beyond this page. Kept free of `vscode` so webview tests can serve the same page.

export interface ShellOptions {
  /** `webview.cspSource`: the origin allowed to serve the extension's own files. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  /**
   * The codicon font's stylesheet, for pages with `<vscode-icon>`: its link carries the id
   * `vscode-codicon-stylesheet`, where each icon's shadow root looks for the href to load it again
   * (fonts do not cross into shadow DOM); without the id every icon is blank.
   */
  codiconUri?: string;
  styleUris: readonly string[];
  lang: string;
  title: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** 128 random bits as hex: a fresh nonce for every page, so no script but ours can run. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The id @vscode-elements' `<vscode-icon>` reads the codicon stylesheet's href from (vscode-icon.js). */
export const CODICON_STYLESHEET_ID = 'vscode-codicon-stylesheet';

export function inspectorHtml(options: ShellOptions): string {
  const attr = escapeAttribute;
  const styles = [
    ...(options.codiconUri ? [`  <link rel="stylesheet" id="${CODICON_STYLESHEET_ID}" href="${attr(options.codiconUri)}">`] : []),
    ...options.styleUris.map((uri) => `  <link rel="stylesheet" href="${attr(uri)}">`),
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="${attr(options.lang)}">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(options.cspSource, options.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
  <title>${attr(options.title)}</title>
</head>
<body>
  <main id="app" aria-busy="true"></main>
  <script nonce="${attr(options.nonce)}" src="${attr(options.scriptUri)}"></script>
</body>
</html>
`;
}
