# tests/cli/lib/jsonl.sh - sourced by the CLI tests (it is in a folder of
# its own so that CTest does not run it): turns a file of citizen lines
# (tests/bench/marriage-*.txt: one message per line, '#' lines skipped)
# into gateway lines for one user with explicit times, one second apart.
to_jsonl() { # USER ID-PREFIX START-TIME < lines
  local i=0 line t
  while IFS= read -r line; do
    case $line in '#'*) continue ;; esac
    i=$((i + 1))
    line=${line//\\/\\\\}
    line=${line//\"/\\\"}
    t=$(date -u -d "@$(($3 + i))" +%Y-%m-%dT%H:%M:%SZ)
    printf '{"from": "%s", "id": "%s%d", "text": "%s", "time": "%s"}\n' "$1" "$2" "$i" "$line" "$t"
  done
}
