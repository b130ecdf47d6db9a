# Serin's image: one static binary (`serin operator`, `serin loadtester`) on a slim Debian with hey and wrk.
# Build: make image   (docker build -t ghcr.io/serin-dev/serin:<version> .)

FROM swift:6.3-bookworm AS build
WORKDIR /src
# Dependencies first, so that source changes do not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Benchmarks ./Benchmarks
COPY scripts/build-image-binary.sh scripts/serin.order ./scripts/
# Without the default `Sandbox` trait: the image's serin has no embedded cluster (`serin sandbox`/`serin demo`).
# The script's flags (function order, packed relocations) keep the idle operator's memory small.
RUN install -D -s "$(scripts/build-image-binary.sh .build)" /out/serin

FROM debian:bookworm-slim
# hey and wrk for the load tester (as Flagger's load tester image; its ghz and grpc_health_probe are in no registry
# this image is built from), curl for gate recipes, CA certificates for HTTPS webhooks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl hey wrk zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin serin
COPY --from=build /out/serin /usr/local/bin/serin
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/serin"]
CMD ["operator"]
