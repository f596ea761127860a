#!/usr/bin/env bash
# Installs the Firebase CLI, whose Auth emulator the auth package's emulator
# test runs. The version is pinned in firebase-tools.version next to this
# script; the test looks for the binary in the same default place.
#
#   FIREBASE_TOOLS_DIR  install prefix (default:
#                       ${XDG_CACHE_HOME:-$HOME/.cache}/aftercare/firebase-tools/<version>)
#
# Idempotent: does nothing when that version is already installed. Prints the
# path of the firebase binary. Needs node >= 20 and npm; the Auth emulator
# does not need Java.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(tr -d '[:space:]' < "$here/firebase-tools.version")"
dir="${FIREBASE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aftercare/firebase-tools/$version}"
bin="$dir/node_modules/.bin/firebase"
pkg="$dir/node_modules/firebase-tools/package.json"

installed_version() {
	[ -x "$bin" ] && [ -f "$pkg" ] && node -p "require(process.argv[1]).version" "$pkg" 2>/dev/null
}

if [ "$(installed_version || true)" = "$version" ]; then
	echo "$bin"
	exit 0
fi

for tool in node npm; do
	if ! command -v "$tool" >/dev/null; then
		echo "install-emulator: $tool not found (Debian: apt-get install -y nodejs npm)" >&2
		exit 1
	fi
done

mkdir -p "$dir"
echo "install-emulator: installing firebase-tools@$version into $dir" >&2
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "firebase-tools@$version" >&2

if [ "$(installed_version || true)" != "$version" ]; then
	echo "install-emulator: firebase-tools@$version did not install at $bin" >&2
	exit 1
fi
echo "$bin"
