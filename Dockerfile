# Images for the operator and the sidecar, from one build stage:
#   docker build --target operator -t modelmonitor/operator:0.1.0 .
#   docker build --target sidecar  -t modelmonitor/sidecar:0.1.0 .
# The chart (charts/modelmonitor) runs these names; set operator.image and
# sidecar.image in its values for your registry.
#
# The build stage installs its packages with the same script as a developer machine
# (scripts/setup build). Each runtime stage is Debian bookworm-slim plus only the
# shared libraries its binary links (tests/images/check-dockerfile checks them
# against the built binaries), and runs as the non-root user 65532, the user the
# chart's and the webhook's security contexts ask for.

FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/setup scripts/setup
RUN scripts/setup build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMM_BENCH=OFF -DMM_WERROR=ON \
 && cmake --build /build --target modelmonitor-operator modelmonitor-sidecar \
 && strip /build/operator/modelmonitor-operator /build/sidecar/modelmonitor-sidecar

FROM debian:bookworm-slim AS operator
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 libcpprest2.10 \
      libyaml-cpp0.7 libprometheus-cpp-core1.0 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/operator/modelmonitor-operator /usr/local/bin/modelmonitor-operator
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/modelmonitor-operator"]

FROM debian:bookworm-slim AS sidecar
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
      libprometheus-cpp-core1.0 libsqlite3-0 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/sidecar/modelmonitor-sidecar /usr/local/bin/modelmonitor-sidecar
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/modelmonitor-sidecar"]
