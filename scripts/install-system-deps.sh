#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the webview and end-to-end suites, the
# toolchain and libraries the local VS Code workbench (code-server) rebuilds its native modules with,
# and PyTorch, pytest and pip for the recorder in python/ (run with /usr/bin/python3, which sees them;
# the tests install the package with pip once).
# Idempotent: installs only what is missing. Needs root for apt-get.
set -euo pipefail

packages=(chromium ripgrep fonts-dejavu-core fonts-noto-cjk build-essential python3 libkrb5-dev python3-torch python3-pytest python3-pip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "These Debian packages are missing: ${missing[*]}" >&2
  echo "Install them as root: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
