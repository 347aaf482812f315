# carrier-sales — the commands a newcomer and CI use. The Dockerfile runs the same
# steps (npm ci + vite build, then cargo build --release).
SHELL := /bin/bash
CARGO ?= cargo
# CI sets CARGO_TARGET_DIR to a cache outside the clone; `make build` still leaves the
# binary at target/release/carrier-sales.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
BIN := $(TARGET_DIR)/release/carrier-sales
WEB_SOURCES := $(shell find web/src web/public web/index.html web/vite.config.js web/svelte.config.js -type f 2>/dev/null)

.PHONY: run test build web web-deps check fmt lint docker clean

## run: build the dashboard and the release binary, serve on http://127.0.0.1:8080 (SQLite in ./data)
run: build
	DATABASE_URL=$${DATABASE_URL:-sqlite://data/carrier-sales.db} $(BIN) serve

## test: every test (unit, API on SQLite; API on PostgreSQL too when TEST_DATABASE_URL is set)
test: web
	$(CARGO) test --locked
	@echo "tests: done"

## build: dashboard + release binary at target/release/carrier-sales
build: web
	$(CARGO) build --release --locked
	@if [ "$(TARGET_DIR)" != "$(CURDIR)/target" ]; then mkdir -p target/release && cp $(BIN) target/release/carrier-sales; fi
	@ls -l target/release/carrier-sales

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
