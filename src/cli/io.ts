/** Where a command writes: stdout for results, stderr for messages. Tests pass collectors. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Bold headings and dim notes when writing to a terminal. */
  color: boolean;
}
