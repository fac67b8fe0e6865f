# The two commands a user needs:
#   make demo   the local demo: control plane, operator, a model behind the sidecar, an alert, a rollback
#   make test   every test: unit, fuzz-corpus replay, integration against a real control plane
# Both install what they need first (scripts/setup).
# Benchmarks: make bench (README's sizes, its Benchmarks table), make bench-smoke (toy sizes, CI).

BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
ifeq ($(CI),true)
  CMAKE_FLAGS += -DMM_WERROR=ON
endif

.PHONY: all setup controlplane build test test-unit test-integration test-asan test-asan-all test-tsan format format-check fuzz demo manifests bench bench-smoke clean

all: build

setup:
	@scripts/setup

# What the tests need beyond Debian packages: the control plane, helm, promql-check and
# the CRDs of the chart's optional integrations (Go modules, cached in ~/.cache/modelmonitor)
# and the Python environment: scikit-learn, MLServer (PyPI, same cache).
controlplane: setup
	@scripts/build-controlplane >/dev/null
	@scripts/build-helm >/dev/null
	@scripts/build-promql-check >/dev/null
	@scripts/fetch-test-crds >/dev/null
	@scripts/python-env >/dev/null

$(BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: controlplane build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz'

test-integration: controlplane build
	cd $(BUILD) && ctest --output-on-failure -L 'integration|e2e'

# Every benchmark at README's sizes, one after another (about 17 minutes on 2
# cores), then one Markdown table README's Benchmarks section is updated from
# (bench/run.sh; each benchmark's log in $(BUILD)/bench-results/).
bench: controlplane build
	bench/run.sh $(BUILD)

# Every benchmark at toy size (seconds each): each must still run and produce
# every figure it prints. CI runs it after the tests (.ci/run).
bench-smoke: controlplane build
	bench/run.sh --smoke $(BUILD)

# The unit tests and fuzz-corpus replays under AddressSanitizer + UBSan. The
# suppressions name third-party code only (tests/sanitizers/*.supp say why).
SANITIZER_ENV = UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/sanitizers/ubsan.supp \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp
test-asan: setup
	cmake -S . -B build-asan -G Ninja -DMM_SANITIZE=ON -DMM_BENCH=OFF $(CMAKE_FLAGS)
	$(SANITIZER_ENV) cmake --build build-asan -j $(JOBS) --target unit-test-binaries
	cd build-asan && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz'

# Every test under AddressSanitizer + UBSan, the integration tests too: the
# operator, sidecars and local kubelet they start are the instrumented binaries.
# A CI job of its own (.ci/asan), like test-tsan.
test-asan-all: controlplane
	cmake -S . -B build-asan -G Ninja -DMM_SANITIZE=ON -DMM_BENCH=OFF $(CMAKE_FLAGS)
	$(SANITIZER_ENV) cmake --build build-asan -j $(JOBS)
	cd build-asan && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS)

# The unit tests under ThreadSanitizer: the sidecar's proxy, queues, store and
# label joiner, and the operator's work queue, informers and elector run threads.
# A CI job of its own (.ci/tsan): a third full build does not fit the main job's time.
TSAN_ENV = TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/sanitizers/tsan.supp
test-tsan: setup
	cmake -S . -B build-tsan -G Ninja -DMM_TSAN=ON -DMM_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build build-tsan -j $(JOBS) --target unit-test-binaries
	cd build-tsan && $(TSAN_ENV) ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz'

format: $(BUILD)/build.ninja
	cmake --build $(BUILD) --target format

format-check: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) --target format-check

# libFuzzer builds of every target, each run for FUZZ_SECONDS (default 60).
fuzz: setup
	scripts/fuzz $(FUZZ_SECONDS)

demo: setup
	@scripts/demo

# charts/modelmonitor rendered with default values into manifests/ (for kubectl apply);
# integration.helm_chart_test fails while they differ.
manifests:
	@scripts/render-manifests

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
