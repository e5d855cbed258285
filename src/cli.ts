// The terminal front end (dist/cli.js, the package's bin). See src/cli/main.ts for the commands.
// Output goes straight to file descriptors 1 and 2 with blocking writes, never through Node's
// buffered process.stdout: a slow reader then slows training down instead of letting output
// pile up in memory, and a reader that closes the pipe (`| head`) ends the run quietly.
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { runCli } from './cli/main';
import { OutputClosed } from './cli/errors';
import { useKernelIn } from './engine/nodeKernel';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text` to `fd`, waiting while a non-blocking pipe is full. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(fd, bytes, done);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 5);
      // A closed pipe, or a closed socket pair (how Node spawns a child's stdio).
      else if (code === 'EPIPE' || code === 'ECONNRESET') throw new OutputClosed();
      else throw error;
    }
  }
}

useKernelIn(__dirname);
process.exitCode = runCli(process.argv.slice(2), {
  out: (text) => writeAll(1, text),
  err: (text) => {
    try {
      writeAll(2, text);
    } catch {
      // Nobody is reading the messages either; the exit code still says how it ended.
    }
  },
  color: isatty(1) && !process.env.NO_COLOR,
});
