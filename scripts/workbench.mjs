// The local VS Code workbench (code-server) as `npm start` and the end-to-end suite use it:
// install it, start it on 127.0.0.1 in its own process group with every folder it writes to
// inside one state folder, and build the address that loads this extension as a development
// extension.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, openSync, closeSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs scripts/install-workbench.sh (fast when already installed) and returns code-server's
 * entry point. Progress goes to stderr when `verbose`; on failure the error says why.
 */
export function installWorkbench({ verbose = true } = {}) {
  const result = spawnSync('bash', [join(projectRoot, 'scripts/install-workbench.sh')], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', verbose ? 'inherit' : 'pipe'],
    encoding: 'utf8',
  });
  const entry = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !existsSync(entry)) {
    const why = verbose ? '' : `\n${result.stderr ?? ''}`;
    throw new Error(`installing the workbench failed (scripts/install-workbench.sh exited with ${result.status})${why}`);
  }
  return entry;
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The folders one workbench writes to, all under `stateDir`. */
export function workbenchDirs(stateDir) {
  return {
    state: stateDir,
    xdg: join(stateDir, 'xdg'),
    userData: join(stateDir, 'user-data'),
    extensions: join(stateDir, 'extensions'),
    config: join(stateDir, 'config.yaml'),
    log: join(stateDir, 'code-server.log'),
  };
}

/** Merges `settings` into the user settings of the workbench in `stateDir`. */
/** The workbench's user settings file in a state folder. */
export function userSettingsFile(stateDir) {
  return join(workbenchDirs(stateDir).userData, 'User', 'settings.json');
}

export function writeUserSettings(stateDir, settings) {
  const file = userSettingsFile(stateDir);
  mkdirSync(dirname(file), { recursive: true });
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // missing or hand-edited into something that is not plain JSON: start over
  }
  writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2));
}

/** Settings that keep the workbench quiet: no welcome page, tours, trust prompt or network. */
export const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
};

/**
 * Starts code-server in its own process group and waits until /healthz answers.
 * Returns { port, process, log, stop() }; stop() ends the whole group.
 */
export async function launchWorkbench({ entry, stateDir, workspace, port, locale, extraArgs = [], env = {} }) {
  const dirs = workbenchDirs(stateDir);
  for (const dir of [dirs.xdg, dirs.userData, dirs.extensions]) mkdirSync(dir, { recursive: true });
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  const chosenPort = port ?? (await freePort());
  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${chosenPort}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--config', dirs.config,
    ...(locale ? ['--locale', locale] : []),
    ...extraArgs,
    workspace,
  ];
  const logFd = openSync(dirs.log, 'a');
  const child = spawn(process.execPath, args, {
    cwd: workspace,
    detached: true, // its own process group, so stop() reaches the extension host and the pty host too
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, XDG_CONFIG_HOME: dirs.xdg, XDG_DATA_HOME: dirs.xdg, XDG_CACHE_HOME: dirs.xdg, ...env },
  });
  closeSync(logFd);
  let exited = false;
  const exitPromise = new Promise((resolveExit) => child.once('exit', (code, signal) => {
    exited = true;
    resolveExit({ code, signal });
  }));

  const stop = async () => {
    if (exited) return;
    signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(timer);
    // the group may outlive its leader for a moment (extension host, file watcher)
    signalGroup(child.pid, 'SIGKILL');
  };

  try {
    await waitForHealth(chosenPort, () => exited, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- ${dirs.log} ---\n${tail(dirs.log)}`);
  }
  return { port: chosenPort, process: child, log: dirs.log, dirs, stop, exited: exitPromise };
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

async function waitForHealth(port, hasExited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('code-server exited before it was ready');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer on 127.0.0.1:${port}/healthz within ${timeoutMs / 1000} s`);
}

/**
 * The page address that opens `workspace` with `extensionPath` loaded as a development
 * extension (code-server takes it from the page's payload, not from a command-line flag).
 */
export function workbenchUrl(port, workspace, extensionPath) {
  // encodeURIComponent, not URLSearchParams: the workbench does not read '+' as a space
  let query = `folder=${encodeURIComponent(workspace)}`;
  if (extensionPath) {
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${extensionPath}`]];
    query += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  return `http://127.0.0.1:${port}/?${query}`;
}

/** The last `lines` lines of a text file, or a note that it is missing. */
export function tail(file, lines = 80) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/**
 * Installs a .vsix into the extensions folder of the workbench in `stateDir` with code-server's
 * own `--install-extension`, as a user would. Throws with code-server's output when it fails.
 */
export function installExtension({ entry, stateDir, vsix }) {
  const dirs = workbenchDirs(stateDir);
  for (const dir of [dirs.xdg, dirs.userData, dirs.extensions]) mkdirSync(dir, { recursive: true });
  const result = spawnSync(process.execPath, [
    entry, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix,
  ], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: dirs.xdg, XDG_DATA_HOME: dirs.xdg, XDG_CACHE_HOME: dirs.xdg },
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
  return `${result.stdout}${result.stderr}`.trim();
}
