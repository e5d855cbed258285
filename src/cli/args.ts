// Flags of one command, parsed strictly (unknown flags are usage errors, not ignored).
import { parseArgs } from 'node:util';
import { UsageError } from './errors';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
}

export function parseFlags(command: string, args: string[], spec: FlagSpec): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options: spec, allowPositionals: true, strict: true });
    return { positionals, flags: values as ParsedArgs['flags'] };
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}`);
  }
}

/** A whole number ≥ min given as a flag value. */
export function integerFlag(command: string, name: string, value: string | boolean | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${command}: --${name} needs a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Exactly one positional argument: the model file. */
export function modelPath(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`${command}: give the model file, e.g. "${command} examples/xor.backprop.json"`);
  if (positionals.length > 1) throw new UsageError(`${command}: one model file expected, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0];
}
