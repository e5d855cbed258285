// One line per diagnostic for terminals and logs, in the `file:line:column` form editors link.
import type { Diagnostic } from '../types';

export function formatDiagnostic(d: Diagnostic, fileName?: string): string {
  const place = [fileName, d.line, d.column].filter((p) => p !== undefined).join(':');
  return `${place ? `${place}: ` : ''}${d.severity}: ${d.message}`;
}
