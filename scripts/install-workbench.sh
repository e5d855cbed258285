#!/usr/bin/env bash
# Installs the local VS Code workbench the end-to-end suite and `npm start` run: code-server
# 4.100.3 (VS Code 1.100.3) from the npm registry, its native modules rebuilt on this machine,
# Debian's ripgrep in place of the one its postinstall would fetch from GitHub.
# Nothing comes from anywhere but the npm registry and Debian's packages.
#
# Installs into .workbench/code-server-<version>/ (ignored by git). Idempotent: when the stamp
# file of the version is there it only checks and returns. Prints the code-server entry point on
# its last line of stdout. Needs the Debian packages of scripts/install-system-deps.sh (root for
# apt; when not root it says what to run).
set -euo pipefail

version=4.100.3
root="$(cd "$(dirname "$0")/.." && pwd)"
workbench="$root/.workbench"
target="$workbench/code-server-$version"
stamp="$target/.installed"
entry="$target/node_modules/code-server/out/node/entry.js"

if [ -f "$stamp" ] && [ -f "$entry" ]; then
  echo "$entry"
  exit 0
fi

log() { echo "install-workbench: $*" >&2; }

# Newer code-server declares Node 24; 4.100.x runs on Node 20 (the version this project targets).
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  log "code-server $version needs Node 20 or newer; this is Node $(node -v)"
  exit 1
fi

bash "$root/scripts/install-system-deps.sh" >&2 || {
  log "the Debian packages above are needed to build code-server's native modules"
  exit 1
}

mkdir -p "$workbench"
# One installer at a time (npm test and npm start may both ask for it).
exec 9>"$workbench/.lock"
flock 9
if [ -f "$stamp" ] && [ -f "$entry" ]; then
  echo "$entry"
  exit 0
fi

# node-gyp downloads Node headers unless told where the packaged ones are.
if [ -f /usr/include/node/common.gypi ]; then
  export npm_config_nodedir=/usr
fi
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

started=$(date +%s)
staging="$workbench/.staging-$$"
rm -rf "$staging"
mkdir -p "$staging"
trap 'rm -rf "$staging"' EXIT
cd "$staging"
echo '{ "name": "backprop-stepper-workbench", "private": true }' > package.json

log "npm install code-server@$version (scripts off: its postinstall downloads from GitHub)"
npm install --no-save --ignore-scripts --loglevel=error "code-server@$version" >&2
log "rebuilding argon2 (code-server loads it at start-up)"
npm rebuild argon2 --build-from-source --loglevel=error >&2

cs="$staging/node_modules/code-server"
log "installing VS Code's own dependencies"
(cd "$cs/lib/vscode" && npm install --omit=dev --ignore-scripts --loglevel=error >&2)
log "rebuilding VS Code's native modules"
(cd "$cs/lib/vscode" && npm rebuild @vscode/spdlog @vscode/deviceid native-watchdog kerberos @parcel/watcher --loglevel=error >&2)
node_gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
(cd "$cs/lib/vscode/node_modules/node-pty" && node "$node_gyp" rebuild >/dev/null 2>&1) || {
  log "building node-pty failed; rerun with: cd $cs/lib/vscode/node_modules/node-pty && node $node_gyp rebuild"
  exit 1
}

# Debian's ripgrep where @vscode/ripgrep looks for it.
mkdir -p "$cs/lib/vscode/node_modules/@vscode/ripgrep/bin"
ln -sfn /usr/bin/rg "$cs/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"

# The links code-server's postinstall would have made.
ln -sfn node_modules "$cs/lib/vscode/node_modules.asar"
ln -sfn code-linux.sh "$cs/lib/vscode/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$cs/lib/vscode/bin/helpers/browser.sh"
log "installing the built-in extensions' dependencies"
(cd "$cs/lib/vscode/extensions" && npm install --omit=dev --ignore-scripts --loglevel=error >&2)

# Only a complete install gets the final name (an interrupted one leaves nothing half-made).
rm -rf "$target"
mv "$staging" "$target"
trap - EXIT
echo "$version" > "$stamp"
log "code-server $version installed in $(( $(date +%s) - started )) s at ${target#"$root"/}"
echo "$entry"
