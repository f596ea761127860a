#!/usr/bin/env bash
# The side-by-side benchmark: aftercare, PostGraphile v5 and a raw pgx
# program over the same PostgreSQL data, driven by bench/loadgen with the
# same GraphQL documents. Run from anywhere; results go to $OUT.
#   bench/compare/run.sh [target ...]     (default: aftercare postgraphile rawpgx)
# Settings (environment): DURATION (15s per measurement), RATE_<scenario>
# (open-loop rate: home 100, node 200, day and nested 20, book 20; each is
# followed by a closed-loop saturation run), WORKERS (32), ROUNDS (1: the
# targets one after another, repeated), SCENARIOS, PREPARE_ONLY=1 (build and
# seed, then stop: the data for later runs).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/compare
TARGETS=${*:-aftercare postgraphile rawpgx}
SCENARIOS=${SCENARIOS:-home day node nested book}
DURATION=${DURATION:-15s}
RATE_home=${RATE_home:-100} RATE_node=${RATE_node:-200} RATE_day=${RATE_day:-20} RATE_nested=${RATE_nested:-20} RATE_book=${RATE_book:-20}
WORKERS=${WORKERS:-32}
ROUNDS=${ROUNDS:-1}
OWNERS=${OWNERS:-100000}
# shellcheck source=aftercare.sh
. "$HERE/aftercare.sh"
OUT=${OUT:-/var/tmp/aftercare-bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
BIN=$OUT/bin
mkdir -p "$BIN" "$OUT/logs"
log() { echo "[$(date -u +%T)] $*" >&2; }

"$HERE/pg.sh" start
# The cluster stops with the harness (KEEP_PG=1 leaves it up); its data stays.
[ -n "${KEEP_PG:-}" ] || trap '"$HERE/pg.sh" stop' EXIT
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$DB" "$@"; }

build() {
  log "build"
  (cd "$ROOT" && go build -o "$BIN/aftercare" . && go build -o "$BIN/loadgen" ./bench/loadgen &&
    go build -o "$BIN/reqgen" ./bench/reqgen && go build -o "$BIN/rawpgx" ./bench/rawpgx)
  if [ ! -x "$ROOT/bench/postgraphile/node_modules/.bin/node" ]; then
    (cd "$ROOT/bench/postgraphile" && npm ci --no-audit --no-fund)
  fi
}

# seed: the large data set, made once and kept in the cluster.
seed() {
  if ! psql -X -tA "${DB/aftercare_bench/postgres}" -c "SELECT 1 FROM pg_database WHERE datname = 'aftercare_bench'" | grep -q 1; then
    psql -X -q "${DB/aftercare_bench/postgres}" -c 'CREATE DATABASE aftercare_bench'
  fi
  psql_ -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
  local have
  have=$(psql_ -tA -c "SELECT count(*) FROM owners" 2>/dev/null || echo 0)
  if [ "$have" -lt "$OWNERS" ]; then
    log "seed: $OWNERS owners"
    DATABASE_URL=$DB SEED_DEMO=false LOG_LEVEL=warn "$BIN/aftercare" seed --owners "$OWNERS"
  fi
  log "bulk: work orders, events, appointments, messages"
  psql_ -f "$HERE/bulk.sql"
}

# start_target starts one server in the background; prints its pid.
start_target() {
  local t=$1
  case $t in
    aftercare)
      start_aftercare "$BIN/aftercare" "$OUT/data" "$OUT/logs/$t.log"
      echo $! ;;
    rawpgx)
      env DATABASE_URL="$DB" AUTH_LOCAL_SECRET=$SECRET "$BIN/rawpgx" -addr 127.0.0.1:8090 >"$OUT/logs/$t.log" 2>&1 &
      echo $! ;;
    postgraphile)
      (cd "$ROOT/bench/postgraphile" && NODE_ENV=production DATABASE_URL="$DB" PORT=5678 \
        exec node_modules/.bin/node node_modules/postgraphile/dist/cli-run.js >"$OUT/logs/$t.log" 2>&1) &
      echo $! ;;
  esac
}

url_of() { case $1 in aftercare) echo http://127.0.0.1:8080/graphql ;; rawpgx) echo http://127.0.0.1:8090/graphql ;;
  postgraphile) echo http://127.0.0.1:5678/graphql ;; esac; }

# clean_bookings removes earlier runs' bench bookings so their slots are free.
clean_bookings() {
  psql_ -c "DELETE FROM outbox_messages WHERE appointment_id IN (SELECT id FROM appointments WHERE idempotency_key LIKE 'bench-%')" \
    -c "DELETE FROM appointments WHERE idempotency_key LIKE 'bench-%'" -c "VACUUM ANALYZE appointments, outbox_messages"
}

drive() { # target pid scenario args...
  local t=$1 pid=$2 sc=$3; shift 3
  drive_file "$t" "$pid" "$sc" "$sc" "$@"
}

drive_file() { # target pid scenario requests-file args...
  local t=$1 pid=$2 sc=$3 file=$4; shift 4
  "$BIN/loadgen" -url "$(url_of "$t")" -requests "$OUT/req/$t/$file.jsonl" -target "$t" -scenario "$sc" \
    -pid "$pid" -pg "$DB" -pgdata "${BENCH_PGDATA:-/var/tmp/aftercare-bench-pg}" -out "$OUT/results.jsonl" "$@" ||
    log "loadgen failed: $t $sc"
}

bench_target() {
  local t=$1 pid
  "$BIN/reqgen" -db "$DB" -secret $SECRET -target "$t" -queries "$HERE/queries" -out "$OUT/req/$t"
  # No leftover due messages: aftercare's dispatcher would work on them.
  # That includes the reminders aftercare's own reminder sweep queued on
  # its first start over this data (28,000 in the first run): they are
  # moved a day ahead, or the dispatcher sends them during the measurements.
  clean_bookings
  psql_ -c "UPDATE outbox_messages SET send_after = now() + interval '1 day' WHERE status = 'pending' AND send_after < now() + interval '1 hour'"
  pid=$(start_target "$t")
  # PostGraphile's pid is the subshell's until exec replaces it: same pid.
  wait_ready "$(url_of "$t")"
  log "$t up (pid $pid, load $(cut -d' ' -f1-3 /proc/loadavg))"
  for sc in $SCENARIOS; do
    if [ "$sc" = book ]; then
      clean_bookings
      drive_file "$t" "$pid" book book_fixed -once -rate "$RATE_book" -duration "$DURATION" -warmup 0
      drive "$t" "$pid" book -once -workers "$WORKERS" -duration "$DURATION" -warmup 0
      continue
    fi
    local rate=RATE_$sc
    drive "$t" "$pid" "$sc" -rate "${!rate}" -duration "$DURATION"
    drive "$t" "$pid" "$sc" -workers "$WORKERS" -duration "$DURATION"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

build
seed
[ -z "${PREPARE_ONLY:-}" ] || exit 0
for round in $(seq 1 "$ROUNDS"); do
  for t in $TARGETS; do log "round $round: $t"; bench_target "$t"; done
done
clean_bookings
"$BIN/loadgen" -report "$OUT/results.jsonl" | tee "$OUT/table.md"
log "results in $OUT"
