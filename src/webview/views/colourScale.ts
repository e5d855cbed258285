// The legend of a signed colour scale (theme.ts `diverging`): a bar from −max (negative colour)
// through 0 (background) to +max (positive colour), the quantity it colours and its max |value|.
// The network diagram and the heatmaps share it, so one picture of "how strong" reads the same
// everywhere; `max` is the very scale the colours were computed with.
import { el, setText } from '../dom';
import { setNumber } from '../format';
import { type Palette, diverging } from '../theme';

export interface ColourScale {
  root: HTMLElement;
  /** Shows `max`, the largest |value| coloured (0: nothing to colour yet), for the palette in use. */
  set(palette: Palette, max: number, label: string): void;
}

/** Colour stops along the bar, as fractions of max. */
const STOPS = [-1, -0.5, -0.15, 0, 0.15, 0.5, 1];

export function colourScale(kind: string, tooltip?: string): ColourScale {
  const label = el('span', { className: 'scale-label' });
  if (tooltip) label.title = tooltip;
  const low = el('span', { className: 'num scale-end' });
  const high = el('span', { className: 'num scale-end' });
  const bar = el('span', { className: 'scale-bar', attrs: { 'aria-hidden': 'true' } });
  // −max, the bar and +max wrap as one piece: a lone "1" on the next line read as a stray number.
  const range = el('span', { className: 'scale-range' }, low, bar, high);
  const root = el('span', { className: 'colour-scale', attrs: { 'data-scale': kind } }, label, range);
  let painted = '';
  return {
    root,
    set(palette, max, text) {
      setText(label, text);
      setNumber(high, max, `scale.${kind}.max`);
      setNumber(low, -max, `scale.${kind}.min`);
      const gradient = `linear-gradient(to right, ${STOPS.map((s) => diverging(palette, s, 1)).join(', ')})`;
      if (gradient !== painted) {
        painted = gradient;
        bar.style.background = gradient;
      }
    },
  };
}
