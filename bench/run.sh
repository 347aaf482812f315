#!/usr/bin/env bash
# make bench: load benchmark of the release binary with wrk, on SQLite and PostgreSQL,
# at 1 and 32 connections. Prints one table and writes docs/benchmarks.md.
# Env: BENCH_DURATION (seconds per run, default 10), BENCH_PG_URL (admin URL of a
# PostgreSQL server; default postgres://postgres@127.0.0.1:5432/postgres; set to "" to skip).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/carrier-sales}
dur=${BENCH_DURATION:-10}
pg_admin=${BENCH_PG_URL-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d)
results="$work/results.tsv"
: >"$results"
key="bench-agent-key-0123456789abcdef"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ms() { date +%s%N | awk '{printf "%d", $1/1000000}'; }

echo "generating 10k and 100k loads"
python3 bench/gen_loads.py 10000 "$work/loads-10k.json"
python3 bench/gen_loads.py 100000 "$work/loads-100k.json"
# An import holds at most 50,000 loads: the 100k set goes in as two halves.
python3 - "$work/loads-100k.json" <<'PY'
import json, sys
loads = json.load(open(sys.argv[1]))
half = len(loads) // 2
for name, part in (("a", loads[:half]), ("b", loads[half:])):
    json.dump(part, open(sys.argv[1].replace(".json", f"-{name}.json"), "w"))
PY

fmcsa_port=$(free_port)
python3 bench/fake_fmcsa.py "$fmcsa_port" & pids+=($!)

# start_server NAME DATABASE_URL → sets $port, $pid; records cold start and idle RSS
start_server() {
  local name=$1 url=$2
  port=$(free_port)
  local t0; t0=$(ms)
  DATABASE_URL="$url" HOST=127.0.0.1 PORT=$port API_KEYS="agent:$key" RATE_LIMIT_PER_MINUTE=0 \
    FMCSA_WEB_KEY=bench FMCSA_BASE_URL="http://127.0.0.1:$fmcsa_port" RUST_LOG=warn \
    "$bin" serve >"$work/$name.log" 2>&1 &
  pid=$!; pids+=("$pid")
  until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.002; done
  local t1; t1=$(ms)
  echo -e "$name\tcold start (process start → /readyz 200)\t-\t-\t$((t1 - t0)) ms\t-\t-" >>"$results"
  sleep 1
  echo -e "$name\tRSS idle\t-\t-\t$(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)\t-\t-" >>"$results"
}

# run NAME LABEL CONNECTIONS PATH [BODY]
run() {
  local name=$1 label=$2 conns=$3 path=$4 body=${5:-}
  local out
  if [ -n "$body" ]; then
    out=$(BENCH_KEY=$key BENCH_BODY="$body" wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${dur}s" --latency -s bench/post.lua "http://127.0.0.1:$port$path")
  else
    out=$(wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${dur}s" --latency "http://127.0.0.1:$port$path")
  fi
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $4}')
  echo -e "$name\t$label\t$conns\t$rps\t$p50\t$p99\t${errors:-0}" >>"$results"
  printf '  %-8s %-34s c=%-3s %10s req/s  p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$label" "$conns" "$rps" "$p50" "$p99" "${errors:-0}"
}

bench_backend() {
  local name=$1 url_10k=$2 url_100k=$3
  echo "== $name: importing 10k loads"
  DATABASE_URL="$url_10k" RUST_LOG=warn "$bin" import-loads "$work/loads-10k.json" | tail -1
  start_server "$name" "$url_10k"
  for c in 1 32; do
    run "$name" "GET /healthz" $c /healthz
    run "$name" "search, 10k loads" $c /api/v1/loads/search '{"call_id": "s-%ID%", "mc_number": "1515", "origin": "Dallas, TX", "equipment_type": "Dry Van", "max_results": 3}'
    run "$name" "evaluate (new call each request)" $c /api/v1/negotiations/evaluate '{"call_id": "bench-%ID%", "mc_number": "1515", "load_id": "B-000000", "carrier_offer": 9000}'
    curl -fsS -X POST "http://127.0.0.1:$port/api/v1/fmcsa/verify" -H "api-key: $key" -d '{"mc_number": "1515"}' >/dev/null
    run "$name" "verify (cache hit)" $c /api/v1/fmcsa/verify '{"mc_number": "MC-1515", "call_id": "v-%ID%"}'
    run "$name" "finalize (new call each request)" $c /api/v1/calls/finalize '{"call_id": "f-%ID%", "outcome": "Booked", "sentiment": "", "agreed_rate": "2,350", "transcript": [{"role": "user", "content": "That works, thanks!"}]}'
  done
  echo -e "$name\tRSS after load\t-\t-\t$(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)\t-\t-" >>"$results"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "== $name: importing 100k loads"
  for half in a b; do
    DATABASE_URL="$url_100k" RUST_LOG=warn "$bin" import-loads "$work/loads-100k-$half.json" | tail -1
  done
  start_server "$name-100k" "$url_100k"
  run "$name" "search, 100k loads" 1 /api/v1/loads/search '{"call_id": "s-%ID%", "mc_number": "1515", "origin": "Dallas, TX", "equipment_type": "Dry Van", "max_results": 3}'
  run "$name" "search, 100k loads" 32 /api/v1/loads/search '{"call_id": "s-%ID%", "mc_number": "1515", "origin": "Dallas, TX", "equipment_type": "Dry Van", "max_results": 3}'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

bench_backend sqlite "sqlite://$work/bench-10k.db" "sqlite://$work/bench-100k.db"
if [ -n "$pg_admin" ] && psql "$pg_admin" -Atc 'select 1' >/dev/null 2>&1; then
  base=${pg_admin%/*}
  for db in cs_bench_10k cs_bench_100k; do
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  done
  bench_backend postgres "$base/cs_bench_10k" "$base/cs_bench_100k"
  for db in cs_bench_10k cs_bench_100k; do psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done
else
  echo "PostgreSQL not reachable: skipping its leg"
fi

size=$(stat -c %s "$bin")
python3 bench/report.py "$results" "$size" "$dur" "$bin"
