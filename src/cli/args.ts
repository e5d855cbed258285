// Flags of one command, parsed strictly (unknown flags are usage errors, not ignored).
import { parseArgs } from 'node:util';
import { UsageError } from './errors';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
}

/** Flags every command that reads a model file takes. */
const MODEL_FLAGS: FlagSpec = { 'data-root': { type: 'string' } };

export const DATA_ROOT_USAGE = `--data-root DIR   the folder CSV data paths must stay inside (after following links); default: the model file's folder`;

export function parseFlags(command: string, args: string[], spec: FlagSpec): ParsedArgs {
  const options = { ...MODEL_FLAGS, ...spec };
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(args, options), options, allowPositionals: true, strict: true });
    return { positionals, flags: values as ParsedArgs['flags'] };
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}`);
  }
}

/**
 * `--steps -1` as `--steps=-1`: a value that looks like a negative number belongs to the flag
 * before it, so the value's own check can say what is wrong with it.
 */
function joinNegativeValues(args: string[], spec: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : undefined;
    if (name !== undefined && spec[name]?.type === 'string' && /^-\d|^-\.\d/.test(args[i + 1] ?? '')) {
      out.push(`${args[i]}=${args[i + 1]}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
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
