// The JSON Lines of the CLI's --json and of Export Trace: one JSON value per line. JSON has no Infinity or NaN (JSON.stringify would
// write null, which reads as a missing value), so non-finite numbers are written as the strings
// "Infinity", "-Infinity" and "NaN" (README, "JSON output"): `float(x)` in Python and `Number(x)`
// in JavaScript turn them back into the numbers.
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n';
}
