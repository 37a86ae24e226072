-- wrk script: list the chart of accounts with a bearer token, over and over.
--   OASYS_BENCH_TOKEN=<access JWT> wrk -t2 -c32 -d10s --latency -s bench/list.lua http://127.0.0.1:18766
-- OASYS_BENCH_LIST_PATH picks another list endpoint (default: the chart of accounts), and
-- OASYS_BENCH_NAME the name on the RESULT line (default: list).

local token = os.getenv("OASYS_BENCH_TOKEN")
if token == nil or token == "" then
   error("set OASYS_BENCH_TOKEN to an access token (bench/http.sh does it)")
end

wrk.method = "GET"
local path = os.getenv("OASYS_BENCH_LIST_PATH")
if path == nil or path == "" then
   path = "/api/accounting/chart-of-accounts/"
end
local name = os.getenv("OASYS_BENCH_NAME")
if name == nil or name == "" then
   name = "list"
end
wrk.path = path
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "RESULT " .. name .. " rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx=%d socket_errors=%d\n",
      summary.requests / seconds,
      latency:percentile(50) / 1000,
      latency:percentile(99) / 1000,
      summary.requests,
      e.status,
      e.connect + e.read + e.write + e.timeout))
end
