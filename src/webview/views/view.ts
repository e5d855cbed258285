export interface View {
  root: HTMLElement;
  /** Redraws from the state; `themeChanged` asks canvas/SVG colours to be re-read. */
  render(themeChanged: boolean): void;
}
