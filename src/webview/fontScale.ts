// The inspector's and explorers' zoom (setting backprop.fontScale): one CSS variable on the root,
// which the stylesheets turn into a zoom of the whole page, so text, tables, diagrams and charts
// grow together and the layout reflows to the narrower CSS width (a projector, a back row).

/** Sets the page's scale; the host sends a checked number, clamped again so a bad one cannot hide the page. */
export function applyFontScale(scale: number): void {
  const safe = Number.isFinite(scale) ? Math.min(Math.max(scale, 0.5), 4) : 1;
  document.documentElement.style.setProperty('--font-scale', String(safe));
  document.documentElement.dataset.fontScale = String(safe);
}
