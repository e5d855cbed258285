// Plain aligned columns for the experiment commands: the first column left-aligned (labels),
// the others right-aligned (numbers).
export function alignedTable(header: string[], rows: string[][], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    indent + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A comma-separated list of whole numbers ≥ 1 ("1,4,16,64"), or undefined if it is not one. */
export function wholeNumberList(text: string): number[] | undefined {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) return undefined;
  return parts.map(Number);
}
