#!/usr/bin/env bash
# Installs everything Switchyard needs on a Debian or Ubuntu machine: the
# Debian packages the tests and the native relay use, the npm packages, and
# the build. Run it from the repository root; it is safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the browser for the Playwright `web` project.
# python3-zmq: PyZMQ, for the interop tests and the benchmark anchors.
# libzmq3-dev, g++, make: headers and tools for the optional native relay.
debian_packages=(chromium python3-zmq libzmq3-dev g++ make pkg-config)

missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages with sudo: ${missing[*]}"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: missing Debian packages: ${missing[*]}. Install them with your package manager;" \
      "without them the end-to-end, PyZMQ interop and native relay parts are skipped." >&2
  fi
fi

# The Electron binary download needs access to its mirror, which build
# machines often lack. The desktop app then prints how to install it, and
# `switchyard serve` runs the same UI in a browser.
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"

npm ci --no-audit --no-fund
npm run build
