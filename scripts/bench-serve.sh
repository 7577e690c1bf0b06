#!/usr/bin/env bash
# bench-serve.sh - `samvad serve` under webhook load, beside a plain Node.js
# webhook (tests/bench/node-peer/server.js) on the same load in the same
# run. wrk sends signed WhatsApp webhook posts, one message each, every one
# with its own message id, from thousands of citizens each going through a
# marriage registration (tests/bench/gateway-load.awk); both servers reply
# through the fake Graph API (tests/fake_graph.c), which records every
# request. Reported: messages per second answered, the median and 99th
# percentile time to answer, and the rate at which replies reach the fake
# Graph API, with how long it took after the load stopped for the last
# one to arrive (acknowledging fast while the outbox grows does not count).
# samvad is durable: a 200 means the message is committed and its
# write-ahead log fdatasync'd, and will be answered exactly once; the peer
# keeps nothing.
#
# Usage: scripts/bench-serve.sh [SECONDS] [CONNECTIONS]   (default 10, 64)
# BENCH_BUILD=DIR uses an existing build (with the targets samvad_bin,
# fake_graph and webhook_sign) instead of a Release build in build-bench;
# BENCH_DIR=DIR puts the database there (default: a folder under /tmp; the
# figure depends on the disk's fsync); BENCH_ONLY=samvad|node runs one;
# BENCH_PAIRS=N runs N pairs (samvad, then the peer) and prints the medians;
# BENCH_MESSAGES=N changes the number of posts prepared (15,000 a second);
# BENCH_GRAPH_DELAY_MS=N makes the fake Graph API answer each request
# after N ms, as the real one does from afar (the fake then runs a thread
# per connection and logs every body): replies then flow at most at
# senders / delay.
set -eu

secs=${1:-10}
conns=${2:-64}
threads=2
case "$secs$conns" in
  *[!0-9]*) echo "usage: scripts/bench-serve.sh [SECONDS] [CONNECTIONS]" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
for tool in wrk node curl; do
  command -v $tool >/dev/null ||
    { echo "bench-serve: $tool is needed (scripts/deps.sh --bench installs it)" >&2; exit 2; }
done
if [ -n "${BENCH_BUILD:-}" ]; then
  build=$BENCH_BUILD
else
  build=$root/build-bench
  echo "== building a Release build in $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target samvad_bin fake_graph webhook_sign -j2 >/dev/null
fi
samvad=$build/samvad
fake=$build/tests/fake_graph
sign=$build/tests/webhook_sign
work=$(mktemp -d "${BENCH_DIR:-/tmp}/samvad-bench-serve.XXXXXX")
pids=
cleanup() {
  # `|| true`: wait returns 137 for a killed process, and set -e would
  # end the loop there, leaving the other servers running (they did).
  for p in $pids; do kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo "== machine: ${model:-unknown CPU}, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); database in $(df -P "$work" | awk 'NR == 2 { print $1 " (" $6 ")" }')"
echo "== $(node --version) (peer), $(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2)"

# ---- the load -----------------------------------------------------------------
secret=bench-app-secret
export SAMVAD_WA_APP_SECRET=$secret SAMVAD_WA_TOKEN=bench-token
export SAMVAD_WA_PHONE_NUMBER_ID=106540352242922 SAMVAD_WA_VERIFY_TOKEN=bench
# About 34 messages per citizen (a whole application, then "status" for a
# third of them): 15,000 messages a second of load from n / 34 citizens,
# all of them in the middle of their application at once.
n=${BENCH_MESSAGES:-$((secs * 15000))}
citizens=$((n * 6 / 203 + 1))
awk -v citizens="$citizens" -v base=$(($(date +%s) - 3600)) -v seed=1 -v pace=20 \
  -f "$root/tests/bench/gateway-load.awk" \
  "$root/tests/bench/marriage-en.txt" "$root/tests/bench/marriage-hi.txt" |
  head -n "$n" |
  sed -E 's/^\{"from":"([0-9]+)","id":"([^"]+)","text":"(.*)","time":([0-9]+)\}$/{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Citizen"},"wa_id":"\1"}],"messages":[{"from":"\1","id":"wamid.\2","timestamp":"\4","type":"text","text":{"body":"\3"}}]}}]}]}/' \
    >"$work/bodies"
"$sign" --lines "$secret" <"$work/bodies" | paste - "$work/bodies" >"$work/load.tsv"
rm "$work/bodies"
echo "== load: $n signed webhook posts (one message each) from $citizens citizens," \
  "$(($(wc -c <"$work/load.tsv") / 1048576)) MiB; wrk -t$threads -c$conns -d${secs}s"

# start_fake LABEL: the fake Graph API, logging to $work/LABEL.graph.
start_fake() {
  if [ -n "${BENCH_GRAPH_DELAY_MS:-}" ]; then
    set -- "$1" --delay-ms "$BENCH_GRAPH_DELAY_MS"
  else
    set -- "$1" --bench 1
  fi
  fake_started=$(date +%s%N) # its log's clock starts here (to a few ms)
  # The last pair's files go first: a background job's redirection
  # empties its file only once the job runs, and the old port could be
  # read meanwhile (a pair once sent every reply to a closed port).
  rm -f "$work/$1.fake-port"
  "$fake" --port 0 --log "$work/$1.graph" "${@:2}" >"$work/$1.fake-port" &
  pids="$pids $!"
  fake_pid=$!
  await_port "$work/$1.fake-port" "the fake Graph API"
  export SAMVAD_WA_GRAPH_URL=http://127.0.0.1:$(cat "$work/$1.fake-port")
}

# await_port FILE WHAT [LOG]: waits up to 30 s for a server to print its
# port into FILE (a loaded machine can take seconds to start Node.js);
# without one the run stops, showing LOG.
await_port() {
  for _ in $(seq 600); do grep -q '^[0-9][0-9]*$' "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "bench-serve: $2 printed no port within 30 s" >&2
  [ -z "${3:-}" ] || cat "$3" >&2
  exit 1
}

# stop PID [NAME]: SIGTERM, then SIGKILL after 30 s (said when NAME is given).
stop() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    [ -n "${2:-}" ] && echo "   $2 did not stop within 30 s of SIGTERM"
    kill -9 "$1"
  fi
  wait "$1" 2>/dev/null || true
}

# settle FILE: waits until FILE stops growing for 2 s (at most 5 minutes).
settle() {
  local last=-1 now_lines same=0
  for _ in $(seq 1500); do
    now_lines=$(wc -l <"$1")
    if [ "$now_lines" = "$last" ]; then
      same=$((same + 1))
      [ $same -ge 10 ] && return 0
    else
      same=0
    fi
    last=$now_lines
    sleep 0.2
  done
}

# measure KEY LABEL PORT: runs wrk against the server on PORT, then waits
# for the replies at the fake KEY; prints one result line.
measure() {
  local key=$1 label=$2 port=$3 t_end
  local cpu0
  cpu0=$(head -n 1 /proc/stat)
  wrk -t$threads -c"$conns" -d"${secs}s" --timeout 10s -s "$root/tests/bench/serve-wrk.lua" \
    "http://127.0.0.1:$port/webhook" -- "$work/load.tsv" $threads >"$work/$key.wrk"
  t_end=$(date +%s%N)
  # Where the machine's time went while wrk ran: idle (and waiting for
  # the disk) means the server under test left CPU unused; steal is the
  # hypervisor's.
  printf '%s\n%s\n' "$cpu0" "$(head -n 1 /proc/stat)" | awk '
    { for (i = 2; i <= NF; i++) v[NR, i] = $i }
    END { for (i = 2; i <= 9; i++) { d[i] = v[2, i] - v[1, i]; t += d[i] }
          if (t > 0) printf "%.0f %.0f\n", (d[5] + d[6]) * 100 / t, d[9] * 100 / t }' \
    >"$work/$key.cpu"
  settle "$work/$key.graph"
  local result
  result=$(grep '^RESULT' "$work/$key.wrk") || { cat "$work/$key.wrk"; exit 1; }
  # The fake's log: t_ms of each request since the fake started; the load
  # ended end_ms after that (wrk spends its first second or two reading
  # the load file, so its start is not the load's).
  awk -v label="$label" -v result="$result" -v end_ms=$(((t_end - fake_started) / 1000000)) \
    -v cpufile="$work/$key.cpu" -v one_each=$([ "$key" = node ] && echo 1 || echo 0) '
    { if (match($0, /"t_ms":[0-9]+/)) { t = substr($0, RSTART + 7, RLENGTH - 7) + 0
        if (first == "" || t < first) first = t; if (t > last) last = t }
      n++ }
    END {
      split(result, kv, " ")
      for (i in kv) { split(kv[i], p, "="); r[p[1]] = p[2] }
      secs = r["duration_us"] / 1e6
      span = (last - first) / 1000; if (span <= 0) span = 1
      # Handled: the messages answered 200, over the time from the start
      # of the load until the last reply reached the Graph API (or the
      # load ended, if later), so that replies left waiting count.
      after = (last - end_ms) / 1000; if (after < 0) after = 0
      acked = r["requests"] - r["status_errors"]
      printf "%-28s %9.0f msg/s  p50 %6.1f ms  p99 %6.1f ms  errors %d/%d  |  " \
             "%7d replies at %7.0f/s, last %.1f s after the load  |  handled %6.0f msg/s\n",
        label, r["requests"] / secs, r["p50_us"] / 1000, r["p99_us"] / 1000,
        r["status_errors"], r["socket_errors"], n, n / span, after,
        acked / (secs + after)
      getline cpu < cpufile; split(cpu, c, " ")
      printf "   machine during the load: %d%% idle or waiting for the disk, %d%% stolen\n", c[1], c[2]
      # The peer sends one reply per message; fewer means lost replies.
      if (one_each && n < acked)
        printf "   warning: %d replies for %d messages: this pair does not count\n", n, acked
      if (r["wrapped"] > 0)
        printf "  warning: the load ran out of messages (%d wraps): raise BENCH_MESSAGES\n", r["wrapped"]
    }' "$work/$key.graph"
}

# ---- samvad serve ------------------------------------------------------------------
run_samvad() {
  rm -f "$work/serve.db" "$work/serve.db-wal" "$work/serve.db-shm" "$work/samvad.graph" \
    "$work/serve.log" "$work/serve.port"
  start_fake samvad
  SAMVAD_LISTEN=127.0.0.1:0 "$samvad" serve --specs "$root/fsm-specs" --db "$work/serve.db" \
    2>"$work/serve.log" &
  serve_pid=$!
  pids="$pids $serve_pid"
  for _ in $(seq 600); do grep -q event=listening "$work/serve.log" && break; sleep 0.05; done
  sed -n 's/.*event=listening address=[^ ]*:\([0-9]*\) .*/\1/p' "$work/serve.log" >"$work/serve.port"
  await_port "$work/serve.port" "samvad serve" "$work/serve.log"
  port=$(cat "$work/serve.port")
  measure samvad "samvad serve (durable)" "$port" | tee "$work/samvad.line"
  curl -s "http://127.0.0.1:$port/metrics" >"$work/metrics"
  # Replies still in the outbox once they stopped reaching the fake: the
  # run did not do its work (the fake once stopped answering mid-run).
  left=$(sed -n 's/^samvad_outbox_pending //p' "$work/metrics")
  if [ "${left:-0}" != 0 ]; then
    echo "   warning: $left replies still in samvad's outbox after the load: this pair does not count" |
      tee -a "$work/samvad.line"
  fi
  # CPU time of each kind of thread (named by samvad), per message taken.
  for task in /proc/"$serve_pid"/task/*; do
    echo "$(cat "$task/comm") $(cut -d')' -f2 "$task/stat" | awk '{ print $12 + $13 }')"
  done >"$work/threads"
  wchar=$(sed -n 's/^wchar: //p' /proc/"$serve_pid"/io)
  rchar=$(sed -n 's/^rchar: //p' /proc/"$serve_pid"/io)
  stop "$serve_pid" "samvad serve"
  stop "$fake_pid"
  m() { sed -n "s/^$1 //p" "$work/metrics"; }
  echo "   messages in $(m samvad_messages_in_total), duplicates $(m samvad_duplicates_in_total)," \
    "sent $(m samvad_messages_out_total), retries $(m samvad_send_retries_total)," \
    "outbox pending $(m samvad_outbox_pending); database $(($(stat -c %s "$work/serve.db") / 1048576)) MiB"
  awk -v msgs="$(m samvad_messages_in_total)" -v hz="$(getconf CLK_TCK)" '
    { t[$1] += $2 }
    END { printf "   CPU per message:"
          for (k in t) printf " %s %.0f us", k, t[k] / hz * 1e6 / (msgs > 0 ? msgs : 1)
          printf "; written %.1f KiB, read %.1f KiB\n", wchar / 1024 / (msgs > 0 ? msgs : 1),
                 rchar / 1024 / (msgs > 0 ? msgs : 1) }' \
    wchar="$wchar" rchar="$rchar" "$work/threads"
}

# ---- the Node.js peer ---------------------------------------------------------------
run_node() {
  rm -f "$work/node.graph" "$work/node.port"
  start_fake node
  node "$root/tests/bench/node-peer/server.js" 0 >"$work/node.port" 2>"$work/node.log" &
  node_pid=$!
  pids="$pids $node_pid"
  await_port "$work/node.port" "the Node.js peer" "$work/node.log"
  measure node "Node.js peer (not durable)" "$(cat "$work/node.port")" | tee "$work/node.line"
  node_ticks=$(cut -d')' -f2 /proc/"$node_pid"/stat | awk '{ print $12 + $13 }')
  stop "$node_pid"
  # The peer takes every request it answers: its CPU per message, beside
  # samvad's above.
  awk -v ticks="$node_ticks" -v hz="$(getconf CLK_TCK)" -v wrk="$work/node.wrk" '
    BEGIN { while ((getline l < wrk) > 0) if (l ~ /^RESULT/) { split(l, kv, " ")
              for (i in kv) { split(kv[i], p, "="); if (p[1] == "requests") n = p[2] } }
            printf "   CPU per message: node %.0f us\n", ticks / hz * 1e6 / (n > 0 ? n : 1) }' 
  stop "$fake_pid"
}

# ---- The pairs: each samvad run followed at once by a peer run, so that
# both meet much the same machine (the hypervisor's share moves by the
# minute); with BENCH_PAIRS above 1, the medians and who won each pair.
pairs=${BENCH_PAIRS:-1}
case "$pairs" in
  '' | *[!0-9]* | 0) echo "bench-serve: BENCH_PAIRS must be a positive number" >&2; exit 2 ;;
esac
for pair in $(seq "$pairs"); do
  if [ "$pairs" -gt 1 ]; then echo "== pair $pair of $pairs, $(date -u '+%H:%M:%S UTC')"; fi
  rm -f "$work/samvad.line" "$work/node.line"
  if [ "${BENCH_ONLY:-samvad}" = samvad ]; then run_samvad; fi
  if [ "${BENCH_ONLY:-node}" = node ]; then run_node; fi
  # A pair counts when both runs did their work.
  if cat "$work/samvad.line" "$work/node.line" 2>/dev/null | grep -q 'does not count'; then
    echo "== pair $pair does not count"
  else
    for k in samvad node; do [ ! -f "$work/$k.line" ] || head -n 1 "$work/$k.line" >>"$work/$k.lines"; done
  fi
done
if [ "$pairs" -gt 1 ] && [ -z "${BENCH_ONLY:-}" ]; then
  # figure KIND FILE: each line's acknowledged rate (the first figure
  # before "msg/s"), handled rate or p99.
  figure() {
    awk -v kind="$1" '{ for (i = 2; i < NF; i++)
        if ((kind == "acks" && $(i + 1) == "msg/s") || $(i - 1) == kind) { print $i; break } }' "$2"
  }
  median() { sort -n | awk '{ v[NR] = $1 } END { print (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'; }
  wins() { paste <(figure "$1" "$work/samvad.lines") <(figure "$1" "$work/node.lines") | awk '$1 >= $2' | wc -l; }
  under50=$(figure p99 "$work/samvad.lines" | awk '$1 < 50' | wc -l)
  pairs=$(cat "$work/samvad.lines" 2>/dev/null | wc -l)
  [ "$pairs" -gt 0 ] || { echo "== no pair counts"; exit 1; }
  echo "== $pairs pairs, acknowledged: samvad median $(figure acks "$work/samvad.lines" | median) msg/s," \
    "peer median $(figure acks "$work/node.lines" | median) msg/s; samvad at least the peer in $(wins acks)"
  echo "== $pairs pairs, handled: samvad median $(figure handled "$work/samvad.lines" | median) msg/s," \
    "peer median $(figure handled "$work/node.lines" | median) msg/s; samvad at least the peer in" \
    "$(wins handled); samvad's p99 under 50 ms in $under50"
fi
