// A view as a picture for a slide (issue 15 item 2): the card on screen redrawn as plain SVG, with
// every colour resolved from the theme (computed styles, not var(--vscode-…)), so the file looks
// the same in a browser, Inkscape or a slide program. Text becomes <text> at the place it is laid
// out, boxes with a background or border become <rect>/<line>, canvases become embedded PNG
// images, and inline SVG (the network, the charts) is copied with its computed paint. PNG is the
// same SVG rasterized at the view's size times the device pixel ratio.

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface Picture {
  svg: string;
  /** CSS pixels of the view. */
  width: number;
  height: number;
}

/** Elements (and their subtrees) left out of pictures: the export buttons themselves. */
export const NOT_IN_PICTURE = 'not-in-picture';

/** Paint properties copied from the computed style onto each element of an inline SVG. */
const SVG_PAINT = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-linecap', 'stroke-linejoin', 'paint-order', 'opacity',
  'font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'dominant-baseline',
] as const;

const transparent = (colour: string) => colour === 'transparent' || /^rgba\(.*,\s*0\)$/.test(colour);

/** The first opaque background at or above `node` (the card's own, else the page's). */
function backgroundOf(node: Element | null): string {
  for (let e = node; e; e = e.parentElement) {
    const colour = getComputedStyle(e).backgroundColor;
    if (!transparent(colour)) return colour;
  }
  return 'white';
}

function make<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

const round = (v: number) => Math.round(v * 100) / 100;

/** Ascent and descent of a font, for placing a text baseline inside its line box. */
const metrics = new Map<string, { ascent: number; descent: number }>();
function fontMetrics(font: string): { ascent: number; descent: number } {
  let m = metrics.get(font);
  if (!m) {
    const g = document.createElement('canvas').getContext('2d')!;
    g.font = font;
    const t = g.measureText('Mg');
    m = { ascent: t.fontBoundingBoxAscent, descent: t.fontBoundingBoxDescent };
    metrics.set(font, m);
  }
  return m;
}

/** The text as CSS shows it (a heading in small capitals is drawn in capitals). */
function casing(text: string, transform: string): string {
  if (transform === 'uppercase') return text.toUpperCase();
  if (transform === 'lowercase') return text.toLowerCase();
  return text;
}

class Drawing {
  private clips = 0;
  constructor(private readonly originX: number, private readonly originY: number) {}

  box(node: Element, style: CSSStyleDeclaration, into: SVGElement): void {
    const r = node.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    const x = round(r.left - this.originX), y = round(r.top - this.originY);
    const radius = parseFloat(style.borderTopLeftRadius) || 0;
    if (!transparent(style.backgroundColor)) {
      into.append(make('rect', { x, y, width: round(r.width), height: round(r.height), rx: radius, fill: style.backgroundColor }));
    }
    const sides = [
      ['Top', x, y, x + r.width, y], ['Right', x + r.width, y, x + r.width, y + r.height],
      ['Bottom', x, y + r.height, x + r.width, y + r.height], ['Left', x, y, x, y + r.height],
    ] as const;
    const widths = sides.map(([side]) => (style.getPropertyValue(`border-${side.toLowerCase()}-style`) === 'none' ? 0 : parseFloat(style.getPropertyValue(`border-${side.toLowerCase()}-width`)) || 0));
    const colour = style.borderTopColor;
    if (widths.every((w) => w > 0) && widths.every((w) => w === widths[0]) && !transparent(colour)) {
      const w = widths[0];
      into.append(make('rect', { x: x + w / 2, y: y + w / 2, width: round(r.width - w), height: round(r.height - w), rx: radius, fill: 'none', stroke: colour, 'stroke-width': w }));
      return;
    }
    sides.forEach(([side, x1, y1, x2, y2], i) => {
      const c = style.getPropertyValue(`border-${side.toLowerCase()}-color`);
      if (widths[i] > 0 && !transparent(c)) into.append(make('line', { x1: round(x1), y1: round(y1), x2: round(x2), y2: round(y2), stroke: c, 'stroke-width': widths[i] }));
    });
  }

  /** A clip to the element's box, for scrolled or cut content (what is out of view stays out). */
  clip(node: Element, into: SVGElement, defs: SVGDefsElement): SVGGElement {
    const r = node.getBoundingClientRect();
    const id = `clip-${++this.clips}`;
    const path = make('clipPath', { id });
    path.append(make('rect', { x: round(r.left - this.originX), y: round(r.top - this.originY), width: round(r.width), height: round(r.height) }));
    defs.append(path);
    const g = make('g', { 'clip-path': `url(#${id})` });
    into.append(g);
    return g;
  }

  /** One <text> per laid-out line of a text node, at its place on screen, in its computed font and colour. */
  text(node: Text, style: CSSStyleDeclaration, into: SVGElement): void {
    const content = node.data;
    if (!content.trim()) return;
    const range = document.createRange();
    const lines: Array<{ left: number; right: number; top: number; height: number; text: string }> = [];
    // Word by word, so a wrapped text keeps its line breaks.
    for (const word of content.matchAll(/\S+\s*/g)) {
      range.setStart(node, word.index!);
      range.setEnd(node, word.index! + word[0].trimEnd().length);
      const r = range.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const line = lines[lines.length - 1];
      if (line && Math.abs(line.top - r.top) < r.height / 2) {
        line.text += word[0];
        line.right = r.right;
      } else lines.push({ left: r.left, right: r.right, top: r.top, height: r.height, text: word[0] });
    }
    const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const { ascent, descent } = fontMetrics(font);
    for (const line of lines) {
      const text = casing(line.text.trimEnd(), style.textTransform);
      const baseline = line.top + (line.height - (ascent + descent)) / 2 + ascent;
      const t = make('text', {
        x: round(line.left - this.originX), y: round(baseline - this.originY),
        fill: style.color, 'font-family': style.fontFamily, 'font-size': style.fontSize, 'font-weight': style.fontWeight,
        // The width it had on screen, so a viewer with other fonts does not overrun the next column.
        textLength: round(line.right - line.left), lengthAdjust: 'spacingAndGlyphs',
      });
      if (style.fontStyle !== 'normal') t.setAttribute('font-style', style.fontStyle);
      t.setAttribute('xml:space', 'preserve');
      t.textContent = text;
      into.append(t);
    }
  }

  canvas(node: HTMLCanvasElement, into: SVGElement): void {
    const r = node.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    into.append(make('image', {
      x: round(r.left - this.originX), y: round(r.top - this.originY), width: round(r.width), height: round(r.height),
      href: node.toDataURL('image/png'), preserveAspectRatio: 'none',
    }));
  }

  /** A copy of an inline SVG, placed where it is, with every element's computed paint written out. */
  inlineSvg(node: SVGSVGElement, into: SVGElement): void {
    const r = node.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    const copy = node.cloneNode(true) as SVGSVGElement;
    const originals = [node, ...node.querySelectorAll('*')];
    const copies = [copy, ...copy.querySelectorAll('*')];
    originals.forEach((original, i) => {
      const target = copies[i];
      if (target.tagName === 'title') return;
      const style = getComputedStyle(original);
      if (style.display === 'none') {
        target.remove();
        return;
      }
      for (const property of SVG_PAINT) target.setAttribute(property, style.getPropertyValue(property));
      target.removeAttribute('class');
      target.removeAttribute('style');
    });
    for (const title of copy.querySelectorAll('title')) title.remove();
    copy.removeAttribute('id');
    for (const [k, v] of Object.entries({ x: round(r.left - this.originX), y: round(r.top - this.originY), width: round(r.width), height: round(r.height) })) copy.setAttribute(k, String(v));
    if (!copy.hasAttribute('viewBox')) copy.setAttribute('viewBox', `0 0 ${node.clientWidth || r.width} ${node.clientHeight || r.height}`);
    into.append(copy);
  }

  /** What a form field shows (a <select>'s option, a number or text input's value), as text in its font. */
  fieldText(node: HTMLElement, shown: string, style: CSSStyleDeclaration, into: SVGElement): void {
    const r = node.getBoundingClientRect();
    const { ascent, descent } = fontMetrics(`${style.fontWeight} ${style.fontSize} ${style.fontFamily}`);
    const t = make('text', {
      x: round(r.left + (parseFloat(style.paddingLeft) || 0) + (parseFloat(style.borderLeftWidth) || 0) - this.originX),
      y: round(r.top + (r.height - ascent - descent) / 2 + ascent - this.originY),
      fill: style.color, 'font-family': style.fontFamily, 'font-size': style.fontSize,
    });
    t.textContent = shown;
    into.append(t);
  }
}

function walk(node: Node, drawing: Drawing, into: SVGElement, defs: SVGDefsElement): void {
  if (node.nodeType === Node.TEXT_NODE) {
    const parent = node.parentElement;
    if (parent) drawing.text(node as Text, getComputedStyle(parent), into);
    return;
  }
  if (!(node instanceof Element) || node.classList.contains(NOT_IN_PICTURE) || (node instanceof HTMLElement && node.hidden)) return;
  const style = getComputedStyle(node);
  if (style.display === 'none' || style.visibility === 'hidden') return;
  if (node instanceof SVGSVGElement) return drawing.inlineSvg(node, into);
  drawing.box(node, style, into);
  if (node instanceof HTMLCanvasElement) return drawing.canvas(node, into);
  if (node instanceof HTMLSelectElement) return drawing.fieldText(node, node.selectedOptions[0]?.textContent ?? '', style, into);
  if (node instanceof HTMLInputElement) {
    if (node.type === 'number' || node.type === 'text') drawing.fieldText(node, node.value, style, into);
    return;
  }
  const clipped = style.overflowX !== 'visible' || style.overflowY !== 'visible';
  const target = clipped ? drawing.clip(node, into, defs) : into;
  for (const child of node.childNodes) walk(child, drawing, target, defs);
}

/** The element as it is on screen, as a standalone SVG document. */
export function pictureOf(element: HTMLElement): Picture {
  const r = element.getBoundingClientRect();
  const width = Math.ceil(r.width);
  const height = Math.ceil(r.height);
  const root = make('svg', { xmlns: SVG_NS, width, height, viewBox: `0 0 ${width} ${height}` });
  const defs = make('defs', {});
  root.append(defs, make('rect', { width, height, fill: backgroundOf(element) }));
  walk(element, new Drawing(r.left, r.top), root, defs);
  return { svg: new XMLSerializer().serializeToString(root), width, height };
}

/** The SVG drawn at `ratio` device pixels per CSS pixel, as PNG base64 (without the data: prefix). */
export async function rasterize(picture: Picture, ratio: number): Promise<{ base64: string; width: number; height: number }> {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(picture.svg)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(picture.width * ratio);
  canvas.height = Math.round(picture.height * ratio);
  canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height);
  const url = canvas.toDataURL('image/png');
  return { base64: url.slice(url.indexOf(',') + 1), width: canvas.width, height: canvas.height };
}

/** What a savePicture message carries for `element` in `format`: the SVG text, or the PNG at the page's pixel ratio. */
export async function pictureData(element: HTMLElement, format: 'svg' | 'png'): Promise<{ data: string; width: number; height: number }> {
  const picture = pictureOf(element);
  if (format === 'svg') return { data: picture.svg, width: picture.width, height: picture.height };
  const png = await rasterize(picture, window.devicePixelRatio || 1);
  return { data: png.base64, width: png.width, height: png.height };
}
