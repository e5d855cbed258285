// The terminal front end (dist/cli.js, the package's bin). See src/cli/main.ts for the commands.
import { runCli } from './cli/main';

process.exitCode = runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
});
