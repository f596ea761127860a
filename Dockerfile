# syntax=docker/dockerfile:1
#
# aftercare container image: a static, pure-Go binary on distroless, run as
# the non-root user nonroot (uid/gid 65532).
#
#   docker build --pull --build-arg VERSION=v1.2.3 -t aftercare:v1.2.3 .
#   docker run --rm -p 8080:8080 -v aftercare-data:/data aftercare:v1.2.3
#
# The second line is a development run (embedded SQLite and demo data in the
# /data volume). Production settings, the migrate job and the probes:
# docs/OPERATIONS.md, "Deploying with the image".
#
# How this file was verified. There is no Docker engine on the machine where
# it was written, so it has never been built with `docker build`, and CI does
# not build it either. It was checked by hand instead, with Go 1.26.8, on
# 2026-11-23 (commit 3bba31c):
#   - BuildKit v0.34.2's Dockerfile parser and linter accept this file with
#     no warnings. The build context that .dockerignore leaves (listed with
#     moby/patternmatcher, as the Docker CLI does; about 8.5 MB) builds.
#   - `go mod download && go mod verify`, then the build line below with
#     VERSION=test. `file` says "statically linked", `ldd` says "not a dynamic
#     executable", `aftercare version` prints "aftercare test", and
#     `go version -m` shows CGO_ENABLED=0, -trimpath=true and
#     -tags=timetzdata. GOARCH=arm64 builds as well.
#   - The binary was run in a chroot holding only what this image holds:
#     /aftercare, /etc/passwd and /etc/group with nonroot, the CA
#     certificates, a world-writable /tmp and a /data owned by 65532. It had
#     no /usr/share/zoneinfo. It ran as uid:gid 65532:65532
#     (`chroot --userspec`), with `env -i` plus the ENV below.
#       - Development: it created /data/aftercare.db and seeded the demo data
#         (which loads Asia/Shanghai). /healthz and /readyz answered 200. A
#         token from `aftercare token` got Shanghai-time slots from
#         availableSlots. A 9 MiB photo upload worked. The same upload failed
#         with 422 when /tmp was not writable, because gqlgen spools
#         multipart requests of 8 MiB or more to /tmp.
#       - Production (APP_ENV=production) against a scratch PostgreSQL
#         database, with FCM_ENDPOINT on loopback because no Google
#         credentials were at hand: `aftercare migrate` as a job, then
#         `serve`. It wrote nothing to /data and nothing to stdout. /readyz
#         answered 200, then 503 "migrations pending" after the row was
#         deleted from schema_migrations. While psql held the migration
#         lock, `serve` waited without listening. SIGTERM made it exit
#         with code 0.
#     The same code built without -tags timetzdata failed in that chroot
#     ("time zone: unknown IANA name" from the demo seed).
# If you change this file, repeat those checks or build it for real.

# Pinned to Go's major.minor; --pull fetches the newest 1.26.x patch. The
# image sets GOTOOLCHAIN=local, so an old cached 1.26.x below go.mod's
# `go 1.26.8` line fails with "go.mod requires go >= 1.26.8": pull again.
ARG GO_VERSION=1.26

# The builder runs on the build machine's platform and cross-compiles (pure
# Go, no cgo), so a multi-platform build (--platform linux/amd64,linux/arm64)
# needs no emulation.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src

# Modules first, in their own layer: it is rebuilt only when go.mod or
# go.sum change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .

ARG VERSION=dev
ARG TARGETOS TARGETARCH
# CGO_ENABLED=0: a static binary that needs no libc (SQLite is modernc's
# pure-Go port, PostgreSQL is pgx).
# -tags timetzdata embeds Go's copy of the IANA time-zone database (about
# 400 KB). Bookings, free slots, push quiet hours and the validation of a
# store's time zone call time.LoadLocation with store and owner zones
# (Asia/Shanghai, ...), and the code does not import time/tzdata itself.
# distroless/static also ships /usr/share/zoneinfo, and Go reads that first
# when present; the embedded copy is the fallback that keeps the binary
# correct on scratch or any other base without zoneinfo.
# -trimpath and -s -w: no build paths, no symbol tables.
# The build cache mount only speeds up rebuilds (BuildKit, the default
# builder since Docker 23); the image does not depend on it.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -tags timetzdata \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/aftercare . \
 && mkdir -p /out/data

# distroless/static: CA certificates (Firebase, FCM, TLS to PostgreSQL),
# /etc/passwd with nonroot (65532), tzdata, a world-writable /tmp, and no
# shell or package manager.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="aftercare" \
      org.opencontainers.image.description="GraphQL API for car-dealership after-sales care" \
      org.opencontainers.image.version="${VERSION}"

COPY --from=build /out/aftercare /aftercare
# An empty /data owned by nonroot: a new named volume mounted here copies
# that ownership, so the non-root process can write the SQLite file. Other
# volumes (a host directory, a Kubernetes PVC) must be made writable by
# 65532 (Kubernetes: securityContext.fsGroup: 65532).
COPY --from=build --chown=65532:65532 /out/data /data

# DATA_DIR holds the embedded SQLite database and the development secrets;
# with DATABASE_URL set (production) it only holds the photos, unless
# BLOB_DIR points elsewhere. Photos must be on storage that every instance
# shares.
ENV DATA_DIR=/data
VOLUME ["/data"]

# nonroot, given by number: with runAsNonRoot and no runAsUser in the pod,
# Kubernetes refuses an image whose user is a name ("image has non-numeric
# user (nonroot), cannot verify user is non-root").
USER 65532:65532
EXPOSE 8080

# No HEALTHCHECK: distroless has no shell, curl or wget to run one, and the
# binary has no probe sub-command. Orchestrators should probe over HTTP
# instead: GET /healthz for liveness (200 while the process serves HTTP) and
# GET /readyz for readiness (503 while the database is unreachable or lacks
# a migration this binary knows). `serve` applies pending migrations before
# it listens, so allow for start-up time (a startupProbe on Kubernetes).
#
# Exec form: aftercare is PID 1 and gets SIGTERM itself. It then closes
# websockets with 1012 and drains requests for up to 20 s, so give the
# container a stop timeout of 30 s (Docker's default is 10 s:
# `docker run --stop-timeout 30`; Kubernetes' default grace period is 30 s).
ENTRYPOINT ["/aftercare"]
CMD ["serve"]
