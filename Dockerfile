# syntax=docker/dockerfile:1
# OASYS as a container image: the release binary on debian:bookworm-slim, run as the unprivileged
# user oasys (uid 10001), data in the volume /var/lib/oasys, listening on 0.0.0.0:8000 inside the
# container only.
#
#   docker build -t oasys .
#   docker run -d --name oasys -p 127.0.0.1:8000:8000 -v oasys-data:/var/lib/oasys \
#       -e OASYS_PUBLIC_URL=http://localhost:8000 oasys
#   docker logs oasys              # a fresh volume prints the one-time setup link
#   docker exec oasys oasys doctor # checks the installation, ok/warn/FAIL per check
#
# Settings come from OASYS_* variables (see README, "Configuration"), or from a file mounted
# read-only and named by OASYS_CONFIG. A bind mount instead of a named volume must belong to
# uid 10001 with mode 0700. PostgreSQL and scheduled backups to S3: docker-compose.yml.
# .ci/run (section docker) checks this file's inputs; it cannot build the image (no daemon).

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
# The build context is filtered by .dockerignore: sources, migrations, the committed web app.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
 && install -m 755 target/release/oasys /usr/local/bin/oasys

# Same Debian release as the builder, so the binary finds the glibc it was linked against.
FROM debian:bookworm-slim
# CA certificates for smtps:// and https:// (S3) connections; nothing else is needed: SQLite is
# built in and TLS is rustls.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 oasys \
 && useradd --system --uid 10001 --gid oasys --home-dir /var/lib/oasys --no-create-home \
        --shell /usr/sbin/nologin oasys \
 && install -d -m 700 -o oasys -g oasys /var/lib/oasys
COPY --from=build /usr/local/bin/oasys /usr/bin/oasys

ENV OASYS_DATA_DIR=/var/lib/oasys \
    OASYS_LISTEN=0.0.0.0:8000
USER oasys:oasys
WORKDIR /var/lib/oasys
VOLUME ["/var/lib/oasys"]
EXPOSE 8000
# oasys finishes the requests in flight and closes its databases on SIGTERM
# (give it time: docker stop --time 30).
STOPSIGNAL SIGTERM
# The binary asks itself: GET /api/health/ on the listen address (slim has no curl).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["oasys", "doctor", "--health"]
ENTRYPOINT ["oasys"]
CMD ["serve"]
