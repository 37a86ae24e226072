-- wrk script: sign in as the demo administrator, over and over.
--   wrk -t2 -c32 -d10s --latency -s bench/login.lua http://127.0.0.1:18766
-- Every request runs argon2, so this measures the password hash more than HTTP.
-- The per-IP sign-in limit must be lifted for the server under test
-- (OASYS_AUTH__LOGIN_ATTEMPTS_PER_IP_PER_MINUTE=100000000; bench/http.sh does it).

local email = os.getenv("OASYS_BENCH_EMAIL") or "admin@oasys.com"
local password = os.getenv("OASYS_BENCH_PASSWORD") or "admin123"

wrk.method = "POST"
wrk.path = "/api/auth/login/"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.body = string.format('{"email":"%s","password":"%s"}', email, password)

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "RESULT login rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx=%d socket_errors=%d\n",
      summary.requests / seconds,
      latency:percentile(50) / 1000,
      latency:percentile(99) / 1000,
      summary.requests,
      e.status,
      e.connect + e.read + e.write + e.timeout))
end
