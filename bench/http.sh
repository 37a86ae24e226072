#!/usr/bin/env bash
# HTTP load benchmark for the oasys server, with wrk.
#
#   bench/http.sh [PATH-TO-OASYS]      (default: ${CARGO_TARGET_DIR:-target}/release/oasys)
#
# Starts the binary on a fresh, throw-away data dir with demo data, signs in as the demo
# administrator, posts 20 two-line journal entries through the API (the demo firm has none),
# then runs three wrk loads and prints requests/s and p99 latency next to each goal, and memory:
#   login    POST /api/auth/login/                      (argon2-bound; no goal)
#   accounts GET  /api/accounting/chart-of-accounts/    (a page of 20 accounts)
#   journal  GET  /api/accounting/journal-entries/      (a page of 20 entries with their lines)
# The goals are issue 15's: 50x what the seed's Django served on the same machine.
#
# Build first: cargo build --release --locked
# Tunables (environment): BENCH_THREADS (1), BENCH_CONNECTIONS (8), BENCH_DURATION (5s) — the
# issue's `wrk -t1 -c8 -d5s` — and BENCH_PORT (18766).
# Figures depend on the machine; wrk shares the CPU with the server.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"

target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in
    /*) ;;
    *) target_dir="$root/$target_dir" ;;
esac
bin="${1:-$target_dir/release/oasys}"
threads="${BENCH_THREADS:-1}"
connections="${BENCH_CONNECTIONS:-8}"
duration="${BENCH_DURATION:-5s}"
port="${BENCH_PORT:-18766}"
base="http://127.0.0.1:$port"

die() {
    echo "bench: error: $*" >&2
    exit 1
}

[ -x "$bin" ] || die "no oasys binary at $bin (build with: cargo build --release --locked, or pass its path)"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench: installing wrk"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
        die "wrk not found (Debian: apt-get install wrk)"
    fi
fi
for cmd in curl python3; do
    command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found"
done

if curl -s -o /dev/null --max-time 2 "$base/"; then
    die "something already listens on 127.0.0.1:$port (set BENCH_PORT)"
fi

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# VmRSS / VmHWM of the server in MB, one decimal.
mem_mb() {
    awk -v key="$1:" '$1 == key { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status"
}

echo "== oasys HTTP benchmark =="
echo "binary:  $bin ($("$bin" --version 2>&1 | head -n 1))"
echo "commit:  $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "machine: $(nproc) CPUs, $(uname -sm); wrk -t$threads -c$connections -d$duration"
echo

# Sign-ins run eight at a time from one address on one account: lift the limits that would
# (rightly) throttle that, so the login load measures the hashing.
OASYS_AUTH__LOGIN_ATTEMPTS_PER_IP_PER_MINUTE=100000000 OASYS_AUTH__LOGIN_FAILURES_BEFORE_DELAY=1000000 \
    "$bin" --data-dir "$tmp/data" serve --listen "127.0.0.1:$port" --demo >"$tmp/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null --max-time 2 "$base/api/health/" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        cat "$tmp/server.log" >&2
        die "server exited during startup"
    fi
    sleep 0.5
done
if ! curl -fsS -o /dev/null --max-time 2 "$base/api/health/"; then
    cat "$tmp/server.log" >&2
    die "server did not answer $base/api/health/ within 60 s"
fi

# Sign in once for a token; this also checks that the demo data is there.
login_body='{"email":"admin@oasys.com","password":"admin123"}'
login_json="$(curl -sS --max-time 30 -H 'Content-Type: application/json' -d "$login_body" "$base/api/auth/login/")"
if ! token="$(printf '%s' "$login_json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
tok = d.get("access") or (d.get("tokens") or {}).get("access")
if d.get("success") is not True or not tok:
    sys.exit(1)
print(tok)
')"; then
    die "demo sign-in failed: $login_json"
fi
export OASYS_BENCH_TOKEN="$token"

auth=(-H "Authorization: Bearer $token")

# The journal list is measured on 20 entries of two lines each, posted as a client would:
# a draft, then `post/`. Dr Cash on Hand / Cr Sales, 100.00 + n.
accounts_json="$(curl -sS --max-time 30 "${auth[@]}" "$base/api/accounting/chart-of-accounts/?page_size=200")"
read -r cash sales < <(printf '%s' "$accounts_json" | python3 -c '
import json, sys
by_code = {a["code"]: a["id"] for a in json.load(sys.stdin)["results"]}
print(by_code["1010"], by_code["4100"])
') || die "demo chart of accounts lacks 1010 or 4100: $(printf '%s' "$accounts_json" | head -c 300)"
have="$(curl -sS --max-time 30 "${auth[@]}" "$base/api/accounting/journal-entries/" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])')"
for n in $(seq $((have + 1)) 20); do
    body="$(printf '{"date":"2026-01-%02d","reference":"BENCH-%02d","description":"Bench sale %d","lines":[{"account":"%s","debit_amount":"%d.00"},{"account":"%s","credit_amount":"%d.00"}]}' \
        "$n" "$n" "$n" "$cash" $((100 + n)) "$sales" $((100 + n)))"
    created="$(curl -sS --max-time 30 "${auth[@]}" -H 'Content-Type: application/json' -d "$body" \
        "$base/api/accounting/journal-entries/")"
    id="$(printf '%s' "$created" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')" ||
        die "creating a journal entry failed: $created"
    status="$(curl -sS -o "$tmp/post.json" -w '%{http_code}' --max-time 30 -X POST "${auth[@]}" \
        "$base/api/accounting/journal-entries/$id/post/")"
    [ "$status" = 200 ] || die "posting entry $id answered $status: $(head -c 300 "$tmp/post.json")"
done

accounts_path=/api/accounting/chart-of-accounts/
journal_path=/api/accounting/journal-entries/
for list_path in "$accounts_path" "$journal_path"; do
    status="$(curl -sS -o "$tmp/list.json" -w '%{http_code}' --max-time 30 "${auth[@]}" "$base$list_path")"
    [ "$status" = 200 ] || die "GET $list_path answered $status: $(head -c 300 "$tmp/list.json")"
    python3 - "$tmp/list.json" "$list_path" <<'PY' || die "GET $list_path is not a full page of 20"
import json, sys
page = json.load(open(sys.argv[1]))
results = page["results"]
assert len(results) == 20, len(results)
if "journal" in sys.argv[2]:
    assert all(len(e["lines"]) >= 2 for e in results)
PY
done

sleep 1
rss_idle="$(mem_mb VmRSS)"
echo "idle RSS after startup: $rss_idle MB"

run_wrk() {
    local name="$1" script="$2" path="${3:-}"
    echo
    echo "== $name =="
    OASYS_BENCH_NAME="$name" OASYS_BENCH_LIST_PATH="$path" \
        wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s --latency \
        -s "$script" "$base" | tee "$tmp/$name.out"
}

run_wrk login "$bench_dir/login.lua"
run_wrk accounts "$bench_dir/list.lua" "$accounts_path"
run_wrk journal "$bench_dir/list.lua" "$journal_path"

kill -0 "$server_pid" 2>/dev/null || die "server died under load (log: see above)"
rss_load="$(mem_mb VmRSS)"
rss_peak="$(mem_mb VmHWM)"

# Fields of a "RESULT name key=value ..." line printed by the lua done() callbacks.
field() {
    grep '^RESULT ' "$tmp/$1.out" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'
}

echo
echo "== summary =="
printf '%-40s %10s %10s %8s   %s\n' "load" "req/s" "p99 ms" "errors" "goal (issue 15)"
failed=0
for name in login accounts journal; do
    if ! grep -q '^RESULT ' "$tmp/$name.out"; then
        echo "$name: no RESULT line from wrk" >&2
        failed=1
        continue
    fi
    case "$name" in
        login) label="POST /api/auth/login/" goal="" ;;
        accounts) label="GET $accounts_path" goal=16000 ;;
        journal) label="GET $journal_path" goal=9000 ;;
    esac
    rps="$(field "$name" rps)"
    verdict="-"
    if [ -n "$goal" ]; then
        if awk -v r="$rps" -v g="$goal" 'BEGIN { exit !(r >= g) }'; then
            verdict=">= $goal req/s: met"
        else
            verdict=">= $goal req/s: NOT met"
        fi
    fi
    bad=$(($(field "$name" non2xx) + $(field "$name" socket_errors)))
    printf '%-40s %10s %10s %8s   %s\n' "$label" "$rps" "$(field "$name" p99_ms)" "$bad" "$verdict"
    [ "$bad" = 0 ] || failed=1
done
printf '%-40s %10s MB\n' "RSS idle" "$rss_idle"
printf '%-40s %10s MB\n' "RSS after load" "$rss_load"
printf '%-40s %10s MB\n' "RSS peak (VmHWM)" "$rss_peak"

if [ "$failed" != 0 ]; then
    echo "bench: some requests failed (non-2xx or socket errors); the figures above are not valid" >&2
    exit 1
fi
