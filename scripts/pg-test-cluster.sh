#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the state backend tests.
#
#   pg-test-cluster.sh run CMD [ARGS...]  start a cluster, run CMD with
#                                         CPHFORM_TEST_PG set, remove the cluster,
#                                         exit with CMD's status
#   pg-test-cluster.sh start              start one and print two lines:
#                                         CPHFORM_TEST_PG=<conninfo> and
#                                         CPHFORM_TEST_PG_DIR=<dir>
#   pg-test-cluster.sh stop DIR           stop and remove a started cluster
#
# The cluster lives in a temp directory and listens only on a Unix socket
# there (no TCP port to collide with), with trust authentication and fsync
# off: it holds nothing worth protecting. PostgreSQL refuses to run as root,
# so as root the server runs as the "postgres" user that Debian's package
# creates. If the server cannot start this script fails loudly: the PG tests
# must run, not be skipped.
set -euo pipefail

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return 0; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return 0; fi
  echo "pg-test-cluster: no PostgreSQL server binaries (initdb) found; install the postgresql package" >&2
  exit 1
}

# Runs a server binary as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bindir dir user=cphform_test db=cphform_test
  bindir="$(find_bindir)"
  dir="$(mktemp -d /tmp/cphform-pg.XXXXXX)"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "pg-test-cluster: running as root but there is no postgres user" >&2; exit 1; }
    chown postgres: "$dir"
  fi
  chmod 755 "$dir"
  if ! as_owner "$bindir/initdb" -D "$dir/data" -U "$user" -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    echo "pg-test-cluster: initdb failed:" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1
  fi
  # Many connections: the concurrency tests open one per writer.
  if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses='' -k $dir -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" >/dev/null; then
    echo "pg-test-cluster: the server did not start:" >&2; cat "$dir/server.log" >&2
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"; exit 1
  fi
  "$bindir/../bin/psql" -h "$dir" -p 5432 -U "$user" -d postgres -qAt -c "CREATE DATABASE $db" >/dev/null 2>&1 \
    || as_owner "$bindir/createdb" -h "$dir" -p 5432 -U "$user" "$db"
  echo "CPHFORM_TEST_PG=host=$dir port=5432 user=$user dbname=$db"
  echo "CPHFORM_TEST_PG_DIR=$dir"
}

# Best effort: it also runs from the EXIT trap, where errexit must not cut
# the cleanup short.
stop() {
  set +e
  local dir="$1" bindir
  bindir="$(find_bindir)"
  [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  run)
    shift
    [ $# -gt 0 ] || { echo "usage: $0 run CMD [ARGS...]" >&2; exit 2; }
    out="$(start)"
    conn="$(sed -n 's/^CPHFORM_TEST_PG=//p' <<<"$out")"
    dir="$(sed -n 's/^CPHFORM_TEST_PG_DIR=//p' <<<"$out")"
    trap 'stop "$dir"' EXIT
    trap 'exit 143' TERM INT HUP  # a ctest timeout still removes the cluster
    started=$SECONDS
    set +e
    # The same server as a URL, to test that form of connection string.
    CPHFORM_TEST_PG="$conn" CPHFORM_TEST_PG_URL="postgresql:///cphform_test?host=$dir&port=5432&user=cphform_test" "$@"
    rc=$?
    set -e
    echo "pg-test-cluster: tests took $((SECONDS - started)) s against $conn" >&2
    exit $rc
    ;;
  start) start ;;
  stop) [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: $0 run CMD [ARGS...] | start | stop DIR" >&2; exit 2 ;;
esac
