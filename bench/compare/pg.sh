#!/usr/bin/env bash
# A private PostgreSQL cluster for the comparison benchmark, with
# pg_stat_statements preloaded. The shared server on 127.0.0.1:5432 is never
# touched: this one has its own data directory (kept between runs, so the
# large seed is made once) and its own port.
#   pg.sh start | stop | status
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
BENCH_PGDATA=${BENCH_PGDATA:-/var/tmp/aftercare-bench-pg}
BENCH_PGPORT=${BENCH_PGPORT:-55433}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start() {
  if [ ! -f "$BENCH_PGDATA/PG_VERSION" ]; then
    mkdir -p "$BENCH_PGDATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$BENCH_PGDATA"
    as_pg "$PGBIN/initdb" -D "$BENCH_PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$BENCH_PGDATA/postgresql.conf" <<CONF
# aftercare bench: loopback only, its own port and socket directory
listen_addresses = '127.0.0.1'
port = $BENCH_PGPORT
unix_socket_directories = '$BENCH_PGDATA'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 10000
pg_stat_statements.track = top
max_connections = 200
CONF
  fi
  if as_pg "$PGBIN/pg_ctl" -D "$BENCH_PGDATA" status >/dev/null 2>&1; then return 0; fi
  as_pg "$PGBIN/pg_ctl" -D "$BENCH_PGDATA" -l "$BENCH_PGDATA/server.log" -w start >/dev/null
}

stop() { as_pg "$PGBIN/pg_ctl" -D "$BENCH_PGDATA" -m fast -w stop >/dev/null || true; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) as_pg "$PGBIN/pg_ctl" -D "$BENCH_PGDATA" status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
