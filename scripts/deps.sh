#!/bin/sh
# scripts/deps.sh - installs the Debian 12 packages samvad needs to build,
# test and benchmark, when they are missing. Run as root (CI, a fresh
# machine); as another user it only reports what is missing.
# --build-only: what building needs; --bench: also wrk and Node.js for
# scripts/bench-serve.sh (each only when no such command is found, since
# Node.js may come from elsewhere than Debian).
set -eu
build="build-essential cmake pkg-config libyajl-dev libsodium-dev libqrencode-dev zlib1g-dev libsqlite3-dev libpng-dev libzbar-dev libmicrohttpd-dev libcurl4-openssl-dev"
tests="libcmocka-dev clang libclang-rt-14-dev valgrind zbar-tools curl sqlite3 jq"
[ "${1:-}" = "--build-only" ] && tests=""
missing=""
for p in $build $tests; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null || missing="$missing wrk"
  command -v node >/dev/null || missing="$missing nodejs"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages:$missing (run as root, or apt-get install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
