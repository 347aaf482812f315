#!/usr/bin/env bash
# make pg-tls-test: the AWS database connection, rehearsed locally. A throwaway PostgreSQL
# (its own directory and port) that refuses connections without TLS (as rds.force_ssl=1
# does) and asks for a password, with a certificate from a throwaway CA. Then:
# DATABASE_URL without password + sslmode=verify-full + sslrootcert, the password in
# PGPASSWORD — connects; a host name the certificate does not name, a wrong CA, a wrong
# password and sslmode=disable are refused; and two servers started together on an empty
# database both come up (migrations under the advisory lock).
# Usage: infra-tests/pg-tls.sh [BINARY]  (default target/release/carrier-sales). Needs
# Debian's postgresql server binaries and openssl; run as root (the server runs as postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

binary=$(realpath "${1:-target/release/carrier-sales}")
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || { echo "pg-tls-test needs the PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }
port=55432
work=$(mktemp -d)
chmod 755 "$work"
as_pg() { runuser -u postgres -- "$@"; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  as_pg "$pgbin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=carrier-sales test CA" -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf "subjectAltName=DNS:localhost\n" >san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt 2>/dev/null
chown -R postgres: "$work"
chmod 600 server.key
as_pg "$pgbin/initdb" -D "$work/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
ssl = on
ssl_cert_file = '$work/server.crt'
ssl_key_file = '$work/server.key'
CONF
printf "local all all trust\nhostnossl all all 0.0.0.0/0 reject\nhostssl all all 127.0.0.1/32 scram-sha-256\n" >"$work/data/pg_hba.conf"
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
as_pg "$pgbin/psql" -h "$work" -p "$port" -U postgres -q -c "ALTER USER postgres PASSWORD 'pg-tls-test-password'" \
  -c "CREATE DATABASE tls" -c "CREATE DATABASE race"

url() { echo "postgres://postgres@$1:$port/$2?sslmode=verify-full&sslrootcert=$3"; }
expect() {  # expect ok|refused LABEL PASSWORD URL
  local want=$1 label=$2 out rc=0
  out=$(PGPASSWORD=$3 DATABASE_URL=$4 timeout 60 "$binary" migrate 2>&1) || rc=$?
  if { [ "$want" = ok ] && [ $rc -eq 0 ]; } || { [ "$want" = refused ] && [ $rc -ne 0 ]; }; then
    echo "ok: $label ($want)"
  else
    echo "FAILED: $label: wanted $want, got exit $rc: $out" >&2
    exit 1
  fi
}
expect ok "verify-full, password from PGPASSWORD" pg-tls-test-password "$(url localhost tls "$work/ca.pem")"
expect refused "a host name the certificate does not name" pg-tls-test-password "$(url 127.0.0.1 tls "$work/ca.pem")"
expect refused "a CA that did not sign the server's certificate" pg-tls-test-password "$(url localhost tls /etc/ssl/certs/ca-certificates.crt)"
expect refused "a wrong PGPASSWORD" wrong-password "$(url localhost tls "$work/ca.pem")"
expect refused "no TLS (sslmode=disable)" pg-tls-test-password "postgres://postgres@localhost:$port/tls?sslmode=disable"

# Two servers on an empty database, started together.
ports=()
for _ in 1 2; do
  p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  ports+=("$p")
  PGPASSWORD=pg-tls-test-password DATABASE_URL="$(url localhost race "$work/ca.pem")" HOST=127.0.0.1 PORT=$p \
    API_KEYS="agent:pg-tls-test-agent-key-0123456789" "$binary" serve >"$work/serve-$p.log" 2>&1 &
  pids+=($!)
done
for p in "${ports[@]}"; do
  for _ in $(seq 1 150); do PORT=$p "$binary" healthcheck 2>/dev/null && break; sleep 0.2; done
  PORT=$p "$binary" healthcheck || { cat "$work/serve-$p.log" >&2; echo "FAILED: the server on $p did not come up" >&2; exit 1; }
done
echo "ok: two servers started together on an empty database both answer /readyz"
grep -h "migration" "$work"/serve-*.log | sed 's/^/  /'
