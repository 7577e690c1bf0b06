#!/usr/bin/env bash
# transcripts.sh - `samvad test` on the fixtures in tests/cli/transcripts:
# a passing file, a failing one (file:line and what the bot said), a
# malformed one, several at once, and specs that fail to load.
# Args: $1 = samvad binary, $2 = source dir.
set -euo pipefail
samvad=$1
src=$2
specs=$src/tests/cli/specs
dir=$src/tests/cli/transcripts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
show() { sed 's/^/    /' "$tmp/out" "$tmp/err"; }

# run WANT-CODE ARGS...: samvad test ARGS, output in $tmp/out and $tmp/err.
run() {
  local want=$1; shift
  local got=0
  "$samvad" test "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
  [ "$got" = "$want" ] || { fail "samvad test $* exited $got, expected $want"; show; }
}

run 0 --specs "$specs" "$dir/pass/library-card.chat"
[ "$(tail -n1 "$tmp/out")" = "1 passed, 0 failed" ] || { fail "passing fixture: wrong summary"; show; }

run 1 --specs "$specs" "$dir/fail"
grep -q "^$dir/fail/wrong-question.chat:5: expected \"What is your date of birth?\"$" "$tmp/out" ||
  { fail "the failure does not name file:line and the expectation"; show; }
grep -q "^    | What is your full name?$" "$tmp/out" ||
  { fail "the failure does not list what the bot said, indented"; show; }
[ "$(tail -n1 "$tmp/out")" = "0 passed, 1 failed" ] || { fail "failing fixture: wrong summary"; show; }

run 1 --specs "$specs" "$dir/bad/unknown-directive.chat"
grep -q "unknown-directive.chat:3: error: unknown directive \"@wait\"" "$tmp/out" ||
  { fail "a bad directive is not reported with file:line"; show; }
[ "$(tail -n1 "$tmp/out")" = "0 passed, 1 failed" ] || { fail "bad fixture: wrong summary"; show; }

# A folder is searched recursively; one failure does not stop the others.
run 1 --specs "$specs" "$dir"
[ "$(tail -n1 "$tmp/out")" = "1 passed, 2 failed" ] || { fail "whole folder: wrong summary"; show; }

# The default transcripts folder is the specs folder.
mkdir -p "$tmp/specs/library-card"
cp "$specs"/*.json "$tmp/specs/"
cp "$dir/pass/library-card.chat" "$tmp/specs/library-card/"
run 0 --specs "$tmp/specs"
[ "$(tail -n1 "$tmp/out")" = "1 passed, 0 failed" ] || { fail "default path: wrong summary"; show; }

# Specs that fail to load: exit 3, every diagnostic as file:path: error:.
sed 's/"next": "choose_kind"/"next": "choose_kindd"/' "$specs/library-card.json" \
  >"$tmp/specs/library-card.json"
run 3 --specs "$tmp/specs"
grep -q "library-card.json:states.ask_name.next: error: .*choose_kindd" "$tmp/err" ||
  { fail "no file:path: error: diagnostic for an unknown state"; show; }
grep -q "passed" "$tmp/out" && fail "a summary was printed although the specs did not load"

# Usage and I/O errors.
run 2 --specs
run 4 --specs "$specs" "$tmp/no-such-file.chat"
mkdir "$tmp/empty"
run 1 --specs "$specs" "$tmp/empty"
[ "$(tail -n1 "$tmp/out")" = "0 passed, 0 failed" ] || { fail "empty folder: wrong summary"; show; }

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "transcripts: all checks passed"
