# Images for the operator and the sidecar, from one build stage:
#   docker build --target operator -t modelmonitor/operator:0.1.0 .
#   docker build --target sidecar  -t modelmonitor/sidecar:0.1.0 .
# The build installs its packages with the same script as a developer machine.

FROM debian:12 AS build
WORKDIR /src
COPY scripts/setup scripts/setup
RUN scripts/setup build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMM_BENCH=OFF -DMM_WERROR=ON \
 && cmake --build /build --target modelmonitor-operator modelmonitor-sidecar \
 && strip /build/operator/modelmonitor-operator /build/sidecar/modelmonitor-sidecar

# The shared libraries the binaries link, nothing else; a non-root user (65532).
FROM debian:12-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 libcpprest2.10 \
      libyaml-cpp0.7 libprometheus-cpp-core1.0 libsqlite3-0 \
 && rm -rf /var/lib/apt/lists/*
USER 65532:65532

FROM runtime AS operator
COPY --from=build /build/operator/modelmonitor-operator /usr/local/bin/modelmonitor-operator
ENTRYPOINT ["/usr/local/bin/modelmonitor-operator"]

FROM runtime AS sidecar
COPY --from=build /build/sidecar/modelmonitor-sidecar /usr/local/bin/modelmonitor-sidecar
ENTRYPOINT ["/usr/local/bin/modelmonitor-sidecar"]
