#!/usr/bin/env bash
# usage.sh - the samvad binary's help, version and exit codes for usage
# errors and unloadable specs. Args: $1 = samvad binary, $2 = source dir.
set -euo pipefail
samvad=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE CMD...: runs CMD, keeps stdout/stderr in $tmp/out, $tmp/err.
expect() {
  local want=$1; shift
  local got=0
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || got=$?
  if [ "$got" != "$want" ]; then
    fail "'$*' exited $got, expected $want"
    sed 's/^/    /' "$tmp/err"
  fi
}

expect 0 "$samvad" --help
grep -q '^Usage: samvad COMMAND' "$tmp/out" || fail "--help shows no usage line"
for code in 0 1 2 3 4; do
  grep -q "^  $code  " "$tmp/out" || fail "--help does not document exit code $code"
done
expect 0 "$samvad" -h
grep -q 'samvad test' "$tmp/out" || grep -q 'test ' "$tmp/out" || fail "-h lists no commands"

expect 0 "$samvad" --version
grep -Eq '^samvad [0-9]+\.[0-9]+\.[0-9]+ \(libsamvad [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out" ||
  fail "--version printed '$(cat "$tmp/out")'"

for cmd in chat gateway test; do
  expect 0 "$samvad" help "$cmd"
  grep -q "^Usage: samvad $cmd" "$tmp/out" || fail "help $cmd shows no usage"
  cp "$tmp/out" "$tmp/help-$cmd"
  expect 0 "$samvad" "$cmd" --help
  cmp -s "$tmp/out" "$tmp/help-$cmd" || fail "'$cmd --help' differs from 'help $cmd'"
  expect 0 "$samvad" "$cmd" -h
  grep -q "^Usage: samvad $cmd" "$tmp/out" || fail "$cmd -h shows no usage"
done

# Usage errors: exit 2 with a message on stderr and nothing on stdout.
expect 2 "$samvad"
expect 2 "$samvad" frobnicate
grep -q "unknown command 'frobnicate'" "$tmp/err" || fail "no message for an unknown command"
expect 2 "$samvad" help frobnicate
expect 2 "$samvad" chat --frob
grep -q "unknown option '--frob'" "$tmp/err" || fail "no message for an unknown option"
[ ! -s "$tmp/out" ] || fail "a usage error wrote to stdout"
expect 2 "$samvad" chat --lang fr
grep -q -- "--lang" "$tmp/err" || fail "no message for --lang fr"
expect 2 "$samvad" chat --lang
expect 2 "$samvad" gateway --specs
expect 2 "$samvad" gateway extra-argument
expect 2 "$samvad" test --lang hi
# A usage error wins over loading specs: nothing is loaded.
expect 2 "$samvad" gateway --specs "$tmp/does-not-exist" --bogus

# Specs that cannot be loaded: exit 3 with a file: error: line on stderr.
expect 3 "$samvad" gateway --specs "$tmp/does-not-exist"
grep -q "error:" "$tmp/err" || fail "no diagnostic for a missing specs folder"
mkdir "$tmp/broken"
cp "$src/tests/cli/specs/"*.json "$tmp/broken/"
printf '{"id": "library-card", "version": ' >"$tmp/broken/library-card.json"
expect 3 "$samvad" chat --specs "$tmp/broken"
grep -Eq "library-card\.json:[^ ]*: error: " "$tmp/err" ||
  { fail "no file:path: error: diagnostic for truncated JSON"; sed 's/^/    /' "$tmp/err"; }
expect 3 "$samvad" gateway --specs="$tmp/broken"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "usage: all checks passed"
