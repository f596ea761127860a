#!/usr/bin/env bash
# A/B of aftercare builds on the comparison benchmark's data: each binary
# in turn, ROUNDS times, serves the same requests at saturation, so that two
# builds are compared in alternation rather than minutes apart. Needs the
# data and requests of an earlier run.sh (KEEP_PG=1 keeps the cluster up).
#   bench/compare/ab.sh REQUESTS_DIR BIN [BIN ...]
#   e.g. bench/compare/ab.sh /var/tmp/aftercare-bench-results/run18/req/aftercare old/aftercare new/aftercare
# Settings: SCENARIO (nested), ROUNDS (3), DURATION (10s), WORKERS (32),
# OUT (results.jsonl; the target name is the binary's directory name).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REQ=$1
shift
SCENARIO=${SCENARIO:-nested} ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-10s} WORKERS=${WORKERS:-32}
OUT=${OUT:-/var/tmp/aftercare-bench-results/ab-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
BENCH_PGPORT=${BENCH_PGPORT:-55433}
DB=postgres://postgres@127.0.0.1:$BENCH_PGPORT/aftercare_bench?sslmode=disable
LOADGEN=$(mktemp -d)/loadgen
(cd "$ROOT" && go build -o "$LOADGEN" ./bench/loadgen)

for round in $(seq 1 "$ROUNDS"); do
  for bin in "$@"; do
    # The settings run.sh gives aftercare.
    env DATABASE_URL="$DB" AUTH_LOCAL_SECRET=bench-compare-local-signer-secret-0123456789 PORT=8080 SEED_DEMO=false \
      LOG_LEVEL=warn REMINDER_SWEEP_INTERVAL=24h RATE_LIMIT_IP_RPS=0 QUERY_MAX_DEPTH=16 DATA_DIR="$(mktemp -d)" \
      "$bin" serve >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do
      curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' http://127.0.0.1:8080/graphql && break
      sleep 0.5
    done
    echo -n "round $round: "
    "$LOADGEN" -url http://127.0.0.1:8080/graphql -requests "$REQ/$SCENARIO.jsonl" -target "$(basename "$(dirname "$bin")")" \
      -scenario "$SCENARIO" -pid "$pid" -pg "$DB" -pgdata "${BENCH_PGDATA:-/var/tmp/aftercare-bench-pg}" \
      -workers "$WORKERS" -duration "$DURATION" -out "$OUT"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done
"$LOADGEN" -report "$OUT"
