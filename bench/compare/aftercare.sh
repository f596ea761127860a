# Sourced by run.sh and ab.sh: the bench database, and aftercare started
# with the settings every measurement of it uses, so that an A/B of two
# builds runs them exactly as the side-by-side run does.
export BENCH_PGPORT=${BENCH_PGPORT:-55433}
DB=postgres://postgres@127.0.0.1:$BENCH_PGPORT/aftercare_bench?sslmode=disable
SECRET=bench-compare-local-signer-secret-0123456789

# start_aftercare BIN DATA_DIR LOG starts BIN in the background on :8080.
start_aftercare() {
  # The reminder sweep (every 10 minutes by default) reads the 150,000
  # vehicles on one instance; it ran inside round 1's measurements of
  # runs 15 and 16. Once a day keeps it out of all but a new database's.
  env DATABASE_URL="$DB" AUTH_LOCAL_SECRET=$SECRET PORT=8080 SEED_DEMO=false LOG_LEVEL=warn REMINDER_SWEEP_INTERVAL=24h \
    RATE_LIMIT_IP_RPS=0 QUERY_MAX_DEPTH=16 DATA_DIR="$2" "$1" serve >"$3" 2>&1 &
}

# wait_ready URL waits up to a minute for a GraphQL answer at URL.
wait_ready() {
  local url=$1
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "$url"; then return 0; fi
    sleep 0.5
  done
  echo "server at $url did not come up" >&2; return 1
}
