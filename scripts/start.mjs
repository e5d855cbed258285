// `npm start`: builds the extension, installs the local VS Code workbench if needed, starts it
// on 127.0.0.1 with this extension loaded as a development extension and examples/ open, and
// prints the address. The inspector opens on the default example when the page loads, and on the
// first start (a fresh state folder) the lessons' walkthrough opens beside it.
// Ctrl+C stops everything it started.
//
//   node scripts/start.mjs [--port N] [--example FILE] [--state-dir DIR]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  projectRoot, installWorkbench, launchWorkbench, workbenchUrl, writeUserSettings, userSettingsFile, quietSettings, tail,
} from './workbench.mjs';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string' },
    example: { type: 'string', default: 'xor.backprop.json' },
    'state-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (options.help) {
  console.log('usage: npm start -- [--port N] [--example FILE in examples/] [--state-dir DIR (default .workbench/start)]');
  process.exit(0);
}
const port = options.port === undefined ? undefined : Number(options.port);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`--port: expected a port number from 1 to 65535, got "${options.port}"`);
  process.exit(2);
}

const workspace = join(projectRoot, 'examples');
if (!existsSync(join(workspace, options.example))) {
  console.error(`--example: there is no examples/${options.example}`);
  process.exit(2);
}

const build = spawnSync(process.execPath, [join(projectRoot, 'scripts/build.mjs')], { cwd: projectRoot, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let entry;
try {
  entry = installWorkbench();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

// Kept between runs, so a person's theme and layout survive a restart.
const stateDir = resolve(options['state-dir'] ?? join(projectRoot, '.workbench', 'start'));
// The first start (no settings yet) opens the lessons' walkthrough too, where a newcomer begins.
const firstStart = !existsSync(userSettingsFile(stateDir));
writeUserSettings(stateDir, { ...quietSettings, 'backprop.openInspectorOnStartup': options.example, 'backprop.openWalkthroughOnStartup': firstStart });

let workbench;
try {
  workbench = await launchWorkbench({ entry, stateDir, workspace, port });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

let stopping = false;
const stop = async () => {
  stopping = true;
  await workbench.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
workbench.exited.then(({ code, signal }) => {
  if (stopping) return;
  console.error(`the workbench stopped (${signal ?? `exit code ${code}`}); its log ends with:\n${tail(workbench.log, 30)}`);
  process.exit(1);
});

const url = workbenchUrl(workbench.port, workspace, projectRoot);
console.log(`\nBackprop Stepper is running in a local VS Code (code-server) workbench:\n\n  ${url}\n`);
console.log(`The inspector opens on examples/${options.example} when the page loads${firstStart ? ', beside the lessons\' walkthrough ("Learn backpropagation step by step")' : ''}.`);
console.log(`Workbench log: ${workbench.log}\nPress Ctrl+C to stop.`);
