// The command table and the one place errors become exit codes: 0 ok, 1 bad model content or a
// training error (NaN/±Infinity), 2 usage. Commands register here by name.
import type { CliIo } from './io';
import { InputError, OutputClosed, UsageError } from './errors';
import { DATA_ROOT_USAGE } from './args';
import { RUN_USAGE, runCommand } from './run';
import { EXPLAIN_USAGE, explainCommand } from './explain';
import { NOISE_USAGE, noiseCommand } from './noise';
import { COMPARE_USAGE, compareCommand } from './compare';
import { EXPORT_PYTORCH_USAGE, exportPytorchCommand } from './exportPytorch';
import { EVALUATE_USAGE, evaluateCommand } from './evaluate';
import { TRACE_USAGE, traceCommand } from './trace';

export interface Command {
  usage: string;
  run(args: string[], io: CliIo): void;
}

export const COMMANDS: Record<string, Command> = {
  run: { usage: RUN_USAGE, run: runCommand },
  explain: { usage: EXPLAIN_USAGE, run: explainCommand },
  noise: { usage: NOISE_USAGE, run: noiseCommand },
  compare: { usage: COMPARE_USAGE, run: compareCommand },
  'export-pytorch': { usage: EXPORT_PYTORCH_USAGE, run: exportPytorchCommand },
  evaluate: { usage: EVALUATE_USAGE, run: evaluateCommand },
  trace: { usage: TRACE_USAGE, run: traceCommand },
};

export function helpText(): string {
  return [
    'backprop-stepper: step through neural-network training and see every number of the chain rule.',
    '',
    'usage: node dist/cli.js <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => '  ' + c.usage),
    '',
    'Every command takes:',
    `    ${DATA_ROOT_USAGE}`,
    '',
    'Exit codes: 0 ok, 1 bad model file or training stopped on NaN/Infinity, 2 usage error.',
    '',
  ].join('\n');
}

/** Runs one command line; returns the exit code. */
export function runCli(argv: string[], io: CliIo): number {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')} (see --help)`);
    if (args.includes('--help') || args.includes('-h')) {
      io.out(command.usage + '\n');
      return 0;
    }
    command.run(args, io);
    return 0;
  } catch (error) {
    if (error instanceof OutputClosed) return 0;
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n`);
      return error.exitCode;
    }
    // Model problems arrive formatted as "file:line:column: error: message", like a compiler's.
    if (error instanceof InputError) {
      io.err(`${error.message}\n`);
      return error.exitCode;
    }
    // A bug of ours: still one line, not a stack trace, and a code that says "not your input".
    io.err(`internal error: ${(error as Error)?.message ?? String(error)}\n`);
    return 70;
  }
}
