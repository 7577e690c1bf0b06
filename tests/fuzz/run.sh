#!/usr/bin/env bash
# run.sh - builds the seed corpora and runs each libFuzzer target in turn.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# BUILD_DIR must be configured with CC=clang -DSAMVAD_FUZZ=ON. Corpora,
# crash artifacts and logs go to BUILD_DIR/fuzz/{corpus,artifacts,logs};
# the corpora grow over runs and are never committed. Targets run one at
# a time (the machine is shared); exit status 1 when any target failed.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [fuzz_spec|fuzz_session|fuzz_step|fuzz_cert...]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_spec fuzz_step fuzz_session fuzz_cert)
src=$(cd "$(dirname "$0")/../.." && pwd)
here="$src/tests/fuzz"
out="$build/fuzz"
rss=${FUZZ_RSS_MB:-2048}

cmake --build "$build" -j2 --target fuzz_spec fuzz_session fuzz_step fuzz_cert >/dev/null
bin="$build/tests/fuzz"
mkdir -p "$out/corpus" "$out/artifacts" "$out/logs"

# Seeds: every JSON the project ships (specs, blocks, catalogues, the good
# and bad test specs) for fuzz_spec; every transcript for fuzz_step; and
# for fuzz_session the sessions fuzz_step saves while replaying those
# transcripts. Names carry their folder so equal file names do not clash.
seed() { # seed TARGET FILE...
  local dir="$out/corpus/$1"
  shift
  mkdir -p "$dir"
  for f in "$@"; do
    cp "$f" "$dir/seed-$(echo "${f#"$src"/}" | tr '/' '_')"
  done
}
mapfile -t json < <(find "$src/fsm-specs" "$src/tests/specs" \
  "$src/tests/engine-specs" -name '*.json' | sort)
seed fuzz_spec "${json[@]}"
mapfile -t chats < <(find "$src/fsm-specs" "$src/tests" -name '*.chat' \
  -not -path '*/fuzz/*' | sort)
seed fuzz_step "${chats[@]}"
mkdir -p "$out/corpus/fuzz_session"
SAMVAD_FUZZ_DUMP="$out/corpus/fuzz_session" "$bin/fuzz_step" "${chats[@]}" \
  >"$out/logs/seed-sessions.log" 2>&1
mkdir -p "$out/corpus/fuzz_cert"
for t in fuzz_spec fuzz_step fuzz_session fuzz_cert; do
  if [ -d "$here/regressions/$t" ]; then
    seed "$t" $(find "$here/regressions/$t" -type f | sort)
  fi
done

status=0
for t in "${targets[@]}"; do
  mkdir -p "$out/artifacts/$t"
  echo "== $t: $(ls "$out/corpus/$t" | wc -l) corpus files, $seconds s"
  dict=()
  [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
  if "$bin/$t" "$out/corpus/$t" "${dict[@]}" -max_total_time="$seconds" \
      -rss_limit_mb="$rss" -timeout=25 -print_final_stats=1 \
      -artifact_prefix="$out/artifacts/$t/" >"$out/logs/$t.log" 2>&1; then
    echo "   ok: $(grep -E '^#[0-9]+.*(DONE|pulse)' "$out/logs/$t.log" | tail -1)"
  else
    status=1
    echo "   FAILED: see $out/logs/$t.log and $out/artifacts/$t/"
    grep -m3 -E 'invariant failed|ERROR:|SUMMARY' "$out/logs/$t.log" || true
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
    "$out/logs/$t.log" | sed 's/^/   /' || true
done
exit $status
