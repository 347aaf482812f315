#!/usr/bin/env bash
# make image-test: builds the Dockerfile's runtime stage with podman from a prebuilt static
# binary (the files-prebuilt path; the full multi-stage build shares the same final stage),
# runs it read-only as its non-root user with /data as a volume, checks /readyz and the
# image's HEALTHCHECK, and prints the image size. No Docker engine needed: podman with the
# vfs storage driver, runc and cgroupfs (Debian: apt-get install podman runc).
# Usage: infra-tests/image-test.sh [BINARY]  (default target/release/carrier-sales, `make binary`)
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:-target/release/carrier-sales}
image=localhost/carrier-sales:image-test
for tool in podman runc curl; do
  command -v "$tool" >/dev/null || { echo "image-test needs $tool (apt-get install -y podman runc curl)" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "no binary at $binary: run make binary first" >&2; exit 1; }
if ! ldd "$binary" 2>&1 | grep -Eq "statically linked|not a dynamic executable"; then
  echo "$binary is not static: the image is empty besides it (make binary builds it static)" >&2
  exit 1
fi

work=$(mktemp -d)
name=carrier-sales-image-test-$$
podman=(podman --root "$work/storage" --runroot "$work/run" --storage-driver vfs
        --runtime runc --cgroup-manager cgroupfs --events-backend file)
cleanup() {
  "${podman[@]}" rm -f "$name" >/dev/null 2>&1 || true
  "${podman[@]}" volume rm -f "$name-data" >/dev/null 2>&1 || true
  "${podman[@]}" rmi -f "$image" >/dev/null 2>&1 || true
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The build context of the files-prebuilt stage.
context=$work/context
mkdir -p "$context/data"
cp "$binary" "$context/carrier-sales"
cp /etc/ssl/certs/ca-certificates.crt "$context/"
bundle_url=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
if [ -n "${RDS_CA_BUNDLE:-}" ]; then
  cp "$RDS_CA_BUNDLE" "$context/rds-global-bundle.pem"
elif ! curl -fsS -m 20 -o "$context/rds-global-bundle.pem" "$bundle_url" 2>/dev/null; then
  echo "note: $bundle_url is not reachable: this test image holds an empty RDS bundle (set RDS_CA_BUNDLE=<file> to use a copy)"
  : >"$context/rds-global-bundle.pem"
fi

echo "== podman build (Dockerfile, FILES=files-prebuilt)"
"${podman[@]}" build --quiet --format docker --network host --build-arg FILES=files-prebuilt \
  -f Dockerfile -t "$image" "$context" >/dev/null

config=$("${podman[@]}" image inspect --format '{{.Config.User}}|{{json .Config.Healthcheck.Test}}|{{json .Config.ExposedPorts}}' "$image")
echo "image config: $config"
[[ $config == '10001:10001|["CMD","/carrier-sales","healthcheck"]|{"8080/tcp":{}}' ]] \
  || { echo "the image must run as 10001:10001, health-check with /carrier-sales healthcheck and expose 8080" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== podman run --read-only, /data a volume, port $port"
"${podman[@]}" volume create "$name-data" >/dev/null
# Limits set explicitly: podman's defaults (nproc above what these machines allow) make
# runc fail with "error setting rlimit type 6: operation not permitted".
"${podman[@]}" run -d --name "$name" --network host --read-only -v "$name-data:/data" \
  --ulimit "nofile=$(ulimit -n):$(ulimit -Hn)" --ulimit nproc=4096:4096 \
  -e PORT="$port" -e API_KEYS="agent:image-test-agent-key-0123456789" "$image" \
  2> >(grep -v "systemd connection" >&2) >/dev/null  # no systemd here: health checks run by hand below
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break
  sleep 0.2
done
if ! curl -fsS "http://127.0.0.1:$port/readyz"; then
  "${podman[@]}" logs "$name" >&2 || true
  echo "the container did not answer /readyz" >&2
  exit 1
fi
echo
user=$("${podman[@]}" top "$name" huser user | tail -n 1)
echo "process user (host, container): $user"
[[ $user == *10001* ]] || { echo "the server must run as uid 10001" >&2; exit 1; }
"${podman[@]}" healthcheck run "$name" && echo "HEALTHCHECK: healthy"
curl -fsS -X POST "http://127.0.0.1:$port/api/v1/loads/search" -H "api-key: image-test-agent-key-0123456789" \
  -d '{"origin": "Dallas, TX", "max_results": 1}' | grep -q '"load_id"' && echo "API answers from the read-only container (SQLite in the /data volume)"

size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
packed=$("${podman[@]}" save "$image" 2>/dev/null | gzip -6 | wc -c)
echo "image size: $((size / 1024 / 1024)) MiB unpacked ($size bytes), $((packed / 1024 / 1024)) MiB gzip-compressed (what a registry stores)"
