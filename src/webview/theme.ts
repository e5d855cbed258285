// Colours for canvas and value-coloured SVG come from the --vscode-* variables of the current
// theme; they are re-read whenever VS Code switches the body's theme class.
export interface Palette {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  positive: string;
  negative: string;
  accent: string;
  series: string[];
  classes: string[];
  /** The editor's font family, resolved: a canvas font cannot use var(--…) (it is ignored). */
  monospace: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function readPalette(): Palette {
  const s = getComputedStyle(document.body);
  const blue = cssVar(s, '--vscode-charts-blue', '#3794ff');
  const red = cssVar(s, '--vscode-charts-red', '#f14c4c');
  const green = cssVar(s, '--vscode-charts-green', '#89d185');
  const orange = cssVar(s, '--vscode-charts-orange', '#d18616');
  const purple = cssVar(s, '--vscode-charts-purple', '#b180d7');
  const yellow = cssVar(s, '--vscode-charts-yellow', '#cca700');
  return {
    foreground: cssVar(s, '--vscode-editor-foreground', cssVar(s, '--vscode-foreground', '#333')),
    muted: cssVar(s, '--vscode-descriptionForeground', '#888'),
    grid: cssVar(s, '--vscode-editorWidget-border', cssVar(s, '--vscode-panel-border', '#8884')),
    background: cssVar(s, '--vscode-editor-background', '#fff'),
    positive: blue,
    negative: red,
    accent: cssVar(s, '--vscode-focusBorder', blue),
    series: [blue, orange, green, purple, red, yellow],
    classes: [blue, orange, green, purple, red, yellow],
    monospace: cssVar(s, '--vscode-editor-font-family', 'monospace'),
  };
}

export function themeKind(): 'light' | 'dark' | 'high-contrast' {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast') || c.contains('vscode-high-contrast-light')) return 'high-contrast';
  return c.contains('vscode-dark') ? 'dark' : 'light';
}

/** Calls `onChange` when VS Code changes the theme class of <body>. */
export function watchTheme(onChange: () => void): void {
  let last = document.body.className;
  new MutationObserver(() => {
    if (document.body.className !== last) {
      last = document.body.className;
      onChange();
    }
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** Colour with alpha in [0, 1] for a CSS colour string (hex or rgb[a]). */
export function withAlpha(color: string, alpha: number): string {
  const a = Math.max(0, Math.min(1, alpha));
  if (color.startsWith('#')) {
    let hex = color.slice(1);
    if (hex.length === 3 || hex.length === 4) hex = [...hex.slice(0, 3)].map((c) => c + c).join('');
    const n = parseInt(hex.slice(0, 6), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
  }
  const m = /rgba?\(([^)]+)\)/.exec(color);
  if (m) {
    const [r, g, b] = m[1].split(',').map((p) => p.trim());
    return `rgba(${r}, ${g}, ${b}, ${a})`;
  }
  return color;
}

/** Diverging colour for a signed value relative to `scale` (the largest magnitude shown). */
export function diverging(palette: Palette, value: number, scale: number): string {
  if (!Number.isFinite(value)) return palette.accent;
  const t = scale > 0 ? Math.min(1, Math.abs(value) / scale) : 0;
  return withAlpha(value >= 0 ? palette.positive : palette.negative, 0.12 + 0.88 * Math.sqrt(t));
}
