# carrier-sales — the commands a newcomer and CI use. The Dockerfile runs the same
# steps (npm ci + vite build, then cargo build --release).
SHELL := /bin/bash
CARGO ?= cargo
# CI sets CARGO_TARGET_DIR to a cache outside the clone; `make build` still leaves the
# binary at target/release/carrier-sales.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
# The release binary is static (glibc with +crt-static): it runs in an empty image.
HOST_TRIPLE := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
STATIC_BIN := $(TARGET_DIR)/$(HOST_TRIPLE)/release/carrier-sales
WEB_SOURCES := $(shell find web/src web/public web/index.html web/vite.config.js web/svelte.config.js -type f 2>/dev/null)

.PHONY: run demo test test-browser bench reliability build binary web web-deps check fmt docker clean

## run: build the dashboard and the release binary, serve on http://127.0.0.1:8080 (SQLite in ./data)
run: build
	DATABASE_URL=$${DATABASE_URL:-sqlite://data/carrier-sales.db} target/release/carrier-sales serve

## demo: fill the database (DATABASE_URL, default ./data) with 30 days of simulated calls, then `make run`
demo: build
	DATABASE_URL=$${DATABASE_URL:-sqlite://data/carrier-sales.db} target/release/carrier-sales demo-data --days 30

## test: every test: unit, API (SQLite; PostgreSQL too when TEST_DATABASE_URL is set),
## and the dashboard in headless Chromium (installed with apt-get when missing)
test: web
	$(CARGO) test --locked
	scripts/browser-test.sh $(TARGET_DIR)/debug/carrier-sales

## test-browser: only the dashboard's browser tests
test-browser: web
	$(CARGO) build --locked
	scripts/browser-test.sh $(TARGET_DIR)/debug/carrier-sales

## build: dashboard + static release binary at target/release/carrier-sales
build: web binary

## binary: the static release binary only (embeds whatever web/dist holds)
binary:
	RUSTFLAGS="-C target-feature=+crt-static" $(CARGO) build --release --locked --target $(HOST_TRIPLE)
	@mkdir -p target/release
	cp $(STATIC_BIN) target/release/carrier-sales
	@ls -l target/release/carrier-sales

## bench: load benchmark (wrk) of the release binary on SQLite and PostgreSQL; writes docs/benchmarks.md
bench: build
	bench/run.sh target/release/carrier-sales

## reliability: try to break the release binary (races across processes, stale indexes across
## processes, kill -9, a failing FMCSA, schemathesis, hostile input); writes docs/reliability.md.
## RELIABILITY_EXAMPLES sets schemathesis' examples per operation (default 100).
reliability: build
	reliability/run.py target/release/carrier-sales --write-docs

## docker: the container image (needs a Docker engine)
docker:
	docker build -t carrier-sales .

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is required (Node.js 20+)"; exit 1; }
	cd web && npm ci --no-audit --no-fund

web-deps: web/node_modules/.package-lock.json

## web: build the dashboard into web/dist (embedded by the Rust build)
web: web/dist/index.html

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

## check: formatting and lints, as CI runs them
check: web
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

fmt:
	$(CARGO) fmt

clean:
	rm -rf web/dist web/node_modules
	$(CARGO) clean
