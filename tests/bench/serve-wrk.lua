-- serve-wrk.lua - wrk's script for scripts/bench-serve.sh: signed WhatsApp
-- webhook posts, each with its own message id, read from a file of
-- "SIGNATURE<TAB>BODY" lines. Each wrk thread sends its own share of the
-- lines in order, so no message is sent twice unless a thread runs out
-- (counted as "wrapped": the run then has too few lines).
--   wrk -t THREADS -s serve-wrk.lua URL -- FILE THREADS
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

function init(args)
  local path, n = args[1], tonumber(args[2] or "1")
  sigs, bodies, next_line, wrapped = {}, {}, 0, 0
  local i = 0
  for line in io.lines(path) do
    if i % n == index - 1 then
      local tab = line:find("\t", 1, true)
      sigs[#sigs + 1] = line:sub(1, tab - 1)
      bodies[#bodies + 1] = line:sub(tab + 1)
    end
    i = i + 1
  end
end

function request()
  next_line = next_line + 1
  if next_line > #bodies then
    next_line = 1
    wrapped = wrapped + 1
  end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = sigs[next_line],
  }, bodies[next_line])
end

function done(summary, latency, requests)
  local wraps = 0
  for _, t in ipairs(threads) do wraps = wraps + (t:get("wrapped") or 0) end
  io.write(string.format(
    "RESULT requests=%d duration_us=%d status_errors=%d socket_errors=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d max_us=%d wrapped=%d\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, wraps))
end
