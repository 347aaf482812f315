# syntax=docker/dockerfile:1.7
# carrier-sales: one static binary in an empty image.
# The build steps are the Makefile's (`make web`, then `make binary`), so what CI runs
# through `make` is what this image runs.

# Where the image's files come from: files-built (the multi-stage build below) or
# files-prebuilt (a prepared folder, see stage 3).
ARG FILES=files-built

# 1. The dashboard (Svelte + Vite) → web/dist
FROM node:20-bookworm AS web
WORKDIR /src
COPY Makefile ./
COPY web/package.json web/package-lock.json web/
RUN --mount=type=cache,target=/root/.npm cd web && npm ci --no-audit --no-fund
COPY web/ web/
RUN make web

# 2. The static binary (glibc, +crt-static), dashboard and data embedded
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
COPY --from=web /src/web/dist web/dist
# Cache mounts keep the crate registry and compiled dependencies between builds.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target-cache \
    CARGO_TARGET_DIR=/src/target-cache make binary && \
    mkdir -p /out/data && cp target/release/carrier-sales /out/carrier-sales && \
    /out/carrier-sales --version

# 3. The image's files, from the build above (the default) ...
FROM scratch AS files-built
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# Amazon RDS's CA bundle (RDS certificates are not signed by a public CA), for
# DATABASE_URL=...?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem
ADD --chmod=644 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
COPY --from=build /out/carrier-sales /carrier-sales
COPY --from=build /out/data /data

# ... or the same files from a prepared folder holding a static binary built outside
# (`make image-test`: --build-arg FILES=files-prebuilt, that folder as the context).
FROM scratch AS files-prebuilt
COPY ca-certificates.crt rds-global-bundle.pem /etc/ssl/certs/
COPY carrier-sales /carrier-sales
COPY data/ /data/

FROM ${FILES} AS files

# 4. The runtime, the same for both: nothing but the binary, CA certificates (public and
# RDS) and a data folder owned by the non-root user
FROM scratch
COPY --from=files /etc/ssl/certs/ /etc/ssl/certs/
COPY --from=files /carrier-sales /carrier-sales
COPY --from=files --chown=10001:10001 /data /data
USER 10001:10001
ENV HOST=0.0.0.0 \
    PORT=8080 \
    DATABASE_URL=sqlite:///data/carrier-sales.db \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 CMD ["/carrier-sales", "healthcheck"]
ENTRYPOINT ["/carrier-sales"]
CMD ["serve"]
