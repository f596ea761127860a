#!/bin/sh
# Installs Debian's Chromium for the browser tests (internal/browsertest).
# Idempotent: does nothing when Chromium is already there. Runs apt-get
# update only when the package lists do not know the chromium package yet.
# Usage: sh internal/browsertest/install-chromium.sh   (as root, or with sudo)
set -eu

bin="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ -x "$bin" ]; then
	echo "chromium present: $bin"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

# apt-cache show fails (or finds nothing) before the first apt-get update.
if ! apt-cache show chromium >/dev/null 2>&1; then
	$SUDO apt-get update
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
"$bin" --version
