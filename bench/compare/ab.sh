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
# shellcheck source=aftercare.sh
. "$ROOT/bench/compare/aftercare.sh"
LOADGEN=$(mktemp -d)/loadgen
(cd "$ROOT" && go build -o "$LOADGEN" ./bench/loadgen)

for round in $(seq 1 "$ROUNDS"); do
  for bin in "$@"; do
    start_aftercare "$bin" "$(mktemp -d)" /dev/null
    pid=$!
    wait_ready http://127.0.0.1:8080/graphql
    echo -n "round $round: "
    "$LOADGEN" -url http://127.0.0.1:8080/graphql -requests "$REQ/$SCENARIO.jsonl" -target "$(basename "$(dirname "$bin")")" \
      -scenario "$SCENARIO" -pid "$pid" -pg "$DB" -pgdata "${BENCH_PGDATA:-/var/tmp/aftercare-bench-pg}" \
      -workers "$WORKERS" -duration "$DURATION" -out "$OUT"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done
"$LOADGEN" -report "$OUT"
