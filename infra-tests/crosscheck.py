#!/usr/bin/env python3
"""Cross-checks the deployment files against the product they deploy.

A deployment that names a setting the binary does not read fails silently in production
(the value is ignored), so every environment variable name in deploy/aws/*.tf,
docker-compose.yml, .env.example, fly.toml and the workflows must be one the product
knows: the README's configuration tables, or a name src/config.rs reads. Also checked:
the container port, the health check path and command, the non-root user, the TLS
settings of DATABASE_URL, that every secret production needs comes from Secrets
Manager and never from plain environment, and that the network (made in network.tf, or
an existing VPC given by vpc_id) reaches every other file only through network.tf's locals.

Run with the python-hcl2 venv (infra-tests/tools.sh); exits 1 naming each problem.
"""
import pathlib
import re
import sys
import tomllib

import hcl2
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*(?:__[A-Z0-9_]+)*$")
# What libpq (linked into the binary through pq-sys) reads itself: the password kept out
# of DATABASE_URL.
LIBPQ_NAMES = {"PGPASSWORD"}
# Settings production refuses to start without, or must not leave public (README
# "What production needs"), plus the database: all from Secrets Manager on AWS.
PRODUCTION_SECRETS = {"DATABASE_URL", "PGPASSWORD", "API_KEYS", "FMCSA_WEB_KEY", "METRICS_TOKEN"}
# Names the workflows set for their own tools, not for the product (one reason each).
WORKFLOW_TOOL_NAMES = {
    "CARGO_TERM_COLOR": "cargo's output",
    "CARGO_TARGET_DIR": "cargo's build cache",
    "OPENSSL_SRC_PERL": "the vendored OpenSSL build",
    "TEST_DATABASE_URL": "the API tests' PostgreSQL leg (tests/api/helpers.rs)",
    "AWS_REGION": "the AWS actions",
    "ECR_REPOSITORY": "deploy: the image repository",
    "ECS_CLUSTER": "deploy: the cluster",
    "ECS_SERVICE": "deploy: the service",
    "CONTAINER_NAME": "deploy: the container in the task definition",
    "IMAGE": "deploy: the pushed image",
    "TASK_DEFINITION_ARN": "deploy: the revision just registered",
    "FLY_API_TOKEN": "flyctl's credential",
    "AWS_DEPLOY_ROLE_ARN": "deploy: the role the workflow assumes",
    "DEBIAN_FRONTEND": "apt-get without prompts",
    "RELIABILITY_EXAMPLES": "make reliability's example count",
}
# The network is made in network.tf or given by vpc_id and its subnets; every other file
# reaches it only through these locals, so a given VPC cannot leave one consumer pointing
# at a VPC that was never made.
NETWORK_LOCALS = ("vpc_id", "public_subnet_ids", "private_subnet_ids", "vpc_cidr_blocks")
NETWORK_REFERENCE = re.compile(
    r"\b(?:data\.)?aws_(?:vpc|subnet)\.[a-z_]+"
    r"|\bvar\.(?:vpc_id|public_subnet_ids|private_subnet_ids|vpc_cidr|availability_zones|single_nat_gateway)\b"
)
# Resources that make or change a VPC: in network.tf, counted on whether it makes one.
NETWORK_TYPES = {
    "aws_vpc", "aws_subnet", "aws_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route",
    "aws_route_table", "aws_route_table_association", "aws_flow_log", "aws_default_security_group",
    "aws_default_network_acl", "aws_default_route_table", "aws_network_acl", "aws_vpc_endpoint",
}
NETWORK_VARIABLES = {"vpc_id": None, "public_subnet_ids": [], "private_subnet_ids": []}
# Names only the PostgreSQL image reads (compose's db service).
POSTGRES_IMAGE_NAMES = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "PGDATA"}


def product_names():
    """Every setting name the product knows: README tables and src/config.rs."""
    readme = (ROOT / "README.md").read_text()
    config = readme.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in config.splitlines():
        if not line.startswith("| `"):
            continue
        previous = None
        for token in re.findall(r"`([A-Z_][A-Z0-9_]*)`", line.split("|")[1]):
            if token.startswith("__") and previous:
                token = previous.rsplit("__", 1)[0] + token
            names.add(token)
            previous = token
    source = (ROOT / "src/config.rs").read_text()
    names |= set(re.findall(r'\("([A-Z][A-Z0-9_]+)", "[a-z_.]+"\)', source))
    names |= set(re.findall(r'env_value\("([A-Z][A-Z0-9_]+)"\)', source))
    return names


def tf_text():
    return {p.name: p.read_text() for p in sorted((ROOT / "deploy/aws").glob("*.tf"))}


def tf_env_names(texts):
    """Upper-case map keys (`NAME = ...`) and quoted upper-case names with an underscore."""
    names = set()
    for text in texts.values():
        text = re.sub(r"(?m)^\s*#.*$", "", text)
        names |= set(re.findall(r'(?m)^\s*"?([A-Z][A-Z0-9_]+)"?\s*=(?!=)', text))
        names |= {n for n in re.findall(r'"([A-Z][A-Z0-9_]+)"', text) if "_" in n}
    # AWS constants that look like names: redirect status and CPU architecture.
    return names - {"HTTP_301", "X86_64"}


def keys_in_expression(expression):
    return set(re.findall(r"[\"']([A-Z][A-Z0-9_]+)[\"']:", expression))


def check_terraform(known, problems, dockerfile):
    texts = tf_text()
    parsed = {}
    for name, text in texts.items():
        try:
            parsed[name] = hcl2.loads(text)
        except Exception as error:  # the parser's own exception types vary by version
            problems.append(f"deploy/aws/{name} does not parse: {error}")
    for name in sorted(tf_env_names(texts) - known - LIBPQ_NAMES):
        problems.append(f"deploy/aws: {name} is not a setting the product knows")
    if "ecs.tf" not in parsed or "secrets.tf" not in parsed:
        problems.append("deploy/aws: ecs.tf and secrets.tf must exist")
        return
    locals_ = {k: v for block in parsed["ecs.tf"]["locals"] + parsed["secrets.tf"]["locals"] for k, v in block.items()}
    plain = keys_in_expression(str(locals_["container_environment"]))
    secret = keys_in_expression(str(locals_["container_secrets"])) | set(locals_["operator_secrets"])
    for name in sorted(PRODUCTION_SECRETS - secret):
        problems.append(f"deploy/aws: production secret {name} is not injected from Secrets Manager")
    for name in sorted(PRODUCTION_SECRETS & plain):
        problems.append(f"deploy/aws: {name} is set as plain environment; it must be a secret")
    for name, want in {"CARRIER_SALES_ENV": "production"}.items():
        if not re.search(rf"[\"']{name}[\"']: [\"']{want}[\"']", str(locals_["container_environment"])):
            problems.append(f"deploy/aws: the task must set {name}={want}")
    if "TRUSTED_PROXIES" not in plain:
        problems.append("deploy/aws: the task must set TRUSTED_PROXIES (client addresses through the load balancer)")
    elif not re.search(r"[\"']TRUSTED_PROXIES[\"']: [\"']\$\{join\([\"'],[\"'], local\.vpc_cidr_blocks\)\}", str(locals_["container_environment"])):
        problems.append("deploy/aws: TRUSTED_PROXIES must be the VPC's blocks, join(\",\", local.vpc_cidr_blocks)")
    check_tf_container(texts, problems, dockerfile)
    check_tf_network(texts, parsed, problems)


def check_tf_container(texts, problems, dockerfile):
    port = product_port(problems)
    expose = re.search(r"(?m)^EXPOSE (\d+)", dockerfile)
    if not expose or int(expose.group(1)) != port:
        problems.append(f"Dockerfile: EXPOSE must be the product's port {port}")
    tf_port = re.search(r"container_port = (\d+)", texts["versions.tf"])
    if not tf_port or int(tf_port.group(1)) != port:
        problems.append(f"deploy/aws: local.container_port must be the product's port {port}")
    paths = set(re.findall(r'resource\("(/[a-z]+)"\)', (ROOT / "src/http/mod.rs").read_text()))
    health = re.findall(r'path\s+=\s+"(/[^"]*)"', texts["alb.tf"])
    if health != ["/readyz"] or "/readyz" not in paths:
        problems.append(f"deploy/aws: the target group must check /readyz (a route the product serves); found {health}")
    binary = re.search(r"COPY --from=\S+ \S+ (/carrier-sales)\n", dockerfile)
    command = '["CMD", "/carrier-sales", "healthcheck"]'
    if not binary or command not in texts["ecs.tf"] or "Healthcheck" not in (ROOT / "src/main.rs").read_text():
        problems.append("deploy/aws: the container health check must run /carrier-sales healthcheck (the image's binary)")
    user = re.search(r"(?m)^USER (\S+)", dockerfile)
    if not user or f'user                   = "{user.group(1)}"' not in texts["ecs.tf"]:
        problems.append("deploy/aws: the task must run as the image's non-root USER")
    bundle = re.search(r"ADD .* (/etc/ssl/certs/rds-global-bundle\.pem)", dockerfile)
    url = re.search(r'"postgres://[^"]*"', texts["secrets.tf"])
    if not bundle or not url or f"sslmode=verify-full&sslrootcert={bundle.group(1)}" not in url.group(0):
        problems.append("deploy/aws: DATABASE_URL must use sslmode=verify-full with the image's RDS CA bundle")
    if url and re.search(r"postgres://[^@/]*:[^@/]*@", url.group(0)):
        problems.append("deploy/aws: DATABASE_URL must not carry a password")


def blocks(parsed_file, kind):
    """(type, name, body) of every resource or data block in one parsed file."""
    for block in parsed_file.get(kind, []):
        for type_, named in block.items():
            for name, body in named.items():
                yield type_, name, body


def attributes(body, path=()):
    """(name, value) of every attribute in a block body, nested blocks included."""
    for key, value in body.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for nested in value:
                yield from attributes(nested, path + (key,))
        else:
            yield key, value


def check_tf_network(texts, parsed, problems):
    """Both network modes reach every consumer: see NETWORK_LOCALS."""
    if "network.tf" not in parsed or "variables.tf" not in parsed:
        problems.append("deploy/aws: network.tf and variables.tf must exist")
        return
    network = parsed["network.tf"]
    locals_ = {k: str(v) for block in network.get("locals", []) for k, v in block.items()}
    for name in NETWORK_LOCALS:
        if name not in locals_:
            problems.append(f"deploy/aws/network.tf: local.{name} is missing (the one place consumers read the network from)")
    # A block follows the mode when its count (or for_each) names local.create_vpc, directly
    # or through a local that does (nat_count, zone_count).
    on_mode = {f"local.{k}" for k, v in locals_.items() if "local.create_vpc" in v} | {"local.create_vpc"}
    for kind in ("resource", "data"):
        for type_, name, body in blocks(network, kind):
            count = str(body.get("count", body.get("for_each", "")))
            if not any(re.search(rf"{re.escape(ref)}\b", count) for ref in on_mode):
                problems.append(f"deploy/aws/network.tf: {kind} {type_}.{name} has no count or for_each on local.create_vpc: it would be made (or read) in both network modes")
    seen = {"public": 0, "private": 0, "vpc_id": 0}
    for file, text in texts.items():
        if file in ("network.tf", "variables.tf") or file not in parsed:
            continue
        code = re.sub(r"(?m)#.*$", "", text)
        for reference in sorted(set(NETWORK_REFERENCE.findall(code))):
            problems.append(f"deploy/aws/{file}: {reference} bypasses network.tf's locals (a given VPC would not reach it)")
        for type_, name, body in blocks(parsed[file], "resource"):
            if type_ in NETWORK_TYPES:
                problems.append(f"deploy/aws/{file}: {type_}.{name} makes network; it belongs in network.tf, counted on local.create_vpc")
            for attribute, value in attributes(body):
                if attribute == "vpc_id":
                    seen["vpc_id"] += 1
                    if value != "${local.vpc_id}":
                        problems.append(f"deploy/aws/{file}: {type_}.{name} vpc_id is {value}, not local.vpc_id")
                elif attribute in ("subnets", "subnet_ids"):
                    # Only an internet-facing load balancer sits in the public subnets.
                    side = "public" if type_ == "aws_lb" and body.get("internal") is False else "private"
                    seen[side] += 1
                    if value != f"${{local.{side}_subnet_ids}}":
                        problems.append(f"deploy/aws/{file}: {type_}.{name} {attribute} is {value}, not local.{side}_subnet_ids")
    for what, count in seen.items():
        if count == 0:
            problems.append(f"deploy/aws: no resource outside network.tf uses the {what.replace('_', ' ')} (subnets) of the network; the check found nothing to check")
    variables = {name: body for block in parsed["variables.tf"].get("variable", []) for name, body in block.items()}
    for name, default in NETWORK_VARIABLES.items():
        body = variables.get(name)
        if body is None:
            problems.append(f"deploy/aws/variables.tf: variable {name} is missing (an existing VPC needs it)")
            continue
        if not body.get("description") or not body.get("validation") or body.get("default", "absent") != default:
            problems.append(f"deploy/aws/variables.tf: {name} needs a description, a validation and the default {default!r}")
        for doc in ("deploy/aws/terraform.tfvars.example", "docs/deploy.md"):
            if not re.search(rf"\b{name}\b", (ROOT / doc).read_text()):
                problems.append(f"{doc}: does not show {name} (the existing-VPC mode)")


def product_port(problems):
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"\| `HOST`, `PORT` \| [^|]* \| `[^`]*`, `(\d+)`", readme)
    if not match:
        problems.append("README: the HOST, PORT row is missing its default port")
        return 8080
    return int(match.group(1))


def check_compose(known, problems):
    path = ROOT / "docker-compose.yml"
    if not path.exists():
        return
    text = path.read_text()
    compose = yaml.safe_load(text)
    app = compose["services"]["app"]
    env = app.get("environment", {})
    names = set(env) if isinstance(env, dict) else {e.split("=", 1)[0] for e in env}
    for name in sorted(names - known - LIBPQ_NAMES):
        problems.append(f"docker-compose.yml: app sets {name}, not a setting the product knows")
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    for name in sorted(used - known - POSTGRES_IMAGE_NAMES):
        problems.append(f"docker-compose.yml: ${{{name}}} is not a setting the product knows")
    port = product_port(problems)
    if not any(str(p).endswith(f":{port}") for p in app.get("ports", [])):
        problems.append(f"docker-compose.yml: app must publish the product's port {port}")
    if app.get("healthcheck", {}).get("test") != ["CMD", "/carrier-sales", "healthcheck"]:
        problems.append("docker-compose.yml: app's health check must run /carrier-sales healthcheck")
    example = ROOT / ".env.example"
    if example.exists():
        listed = set(re.findall(r"(?m)^#?\s*([A-Z][A-Z0-9_]*)=", example.read_text()))
        for name in sorted(listed - known - (used & POSTGRES_IMAGE_NAMES)):
            problems.append(f".env.example: {name} is neither a product setting nor used by docker-compose.yml")
        if "API_KEYS" not in listed:
            problems.append(".env.example: must name API_KEYS")


def check_workflows(known, problems):
    for path in sorted((ROOT / ".github/workflows").glob("*.yml")):
        text = path.read_text()
        names = set(re.findall(r"(?m)^\s+([A-Z][A-Z0-9_]*):", text))
        names |= set(re.findall(r"(?<![A-Za-z0-9_.])([A-Z][A-Z0-9_]{2,})=", text))
        for name in sorted(names - known - LIBPQ_NAMES - set(WORKFLOW_TOOL_NAMES) - POSTGRES_IMAGE_NAMES):
            problems.append(f"{path.relative_to(ROOT)}: {name} is neither a product setting nor a known tool name")


def check_fly(known, problems):
    fly = tomllib.loads((ROOT / "fly.toml").read_text())
    for name in sorted(set(fly.get("env", {})) - known):
        problems.append(f"fly.toml: {name} is not a setting the product knows")


def main():
    known = product_names()
    if len(known) < 20:
        print(f"crosscheck: found only {len(known)} product settings; the README table moved?")
        return 1
    problems = []
    dockerfile = (ROOT / "Dockerfile").read_text()
    check_terraform(known, problems, dockerfile)
    check_compose(known, problems)
    check_workflows(known, problems)
    check_fly(known, problems)
    for problem in problems:
        print(f"crosscheck: {problem}")
    if problems:
        return 1
    print(f"crosscheck: ok ({len(known)} product settings; port, health check, user, TLS, secrets and network agree)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
