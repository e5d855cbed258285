// The CLI's two kinds of failure, each with its exit code (issue 2, item 8): a message for the
// user, never a stack trace.

/** The command line itself is wrong (unknown command or flag, missing argument): exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** The model file, its data or the training went wrong: exit code 1. */
export class InputError extends Error {
  readonly exitCode = 1;
}

/** The reader of stdout went away (`run ... | head`): not a failure, the output is simply not wanted any more. */
export class OutputClosed extends Error {}
