# Thin wrapper around CMake presets. `make demo` and `make test` work on a fresh machine.
BUILD_DIR   ?= build/release
BINARY      := $(BUILD_DIR)/rivven-connect
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build test sanitize demo bench chaos docs fuzz clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test: CI's share of the sanitizer suites first (scripts/sanitize.sh ci), then unit,
# integration and e2e on the release build (its ctest pass/fail count is the last line printed).
test: build
	JOBS=$(JOBS) scripts/sanitize.sh ci
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 600

# ASan+UBSan (build/asan, every test) and TSan (build/tsan) builds and their tests;
# `make sanitize SUITES=tsan` runs one suite (asan, asan-units, tsan, ci: scripts/sanitize.sh).
sanitize: deps
	JOBS=$(JOBS) scripts/sanitize.sh $(SUITES)

# The quick start: datagen orders -> embedded topic -> stdout; ends by itself.
demo: build
	rm -rf ./rivven-data/demo
	$(BINARY) run --config examples/quickstart.yaml

bench: build
	bench/run.sh $(BINARY)
	bench/file_pipeline.sh $(BINARY)
	bench/transforms.sh $(BUILD_DIR)
	bench/postgres_cdc.sh $(BUILD_DIR)
	bench/mysql_cdc.sh $(BUILD_DIR)
	bench/kafka_sink.sh $(BUILD_DIR)
	bench/http_webhook.sh $(BUILD_DIR)
	bench/s3_sink.sh $(BUILD_DIR)
	bench/extension_transforms.sh $(BUILD_DIR)

# The long chaos suite (tests/chaos/README.md); its table goes to bench/results/chaos.md.
# `make test` runs the short version (ctest label chaos).
chaos: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) --target chaos_test -j $(JOBS)
	tests/chaos/run_long.sh $(BUILD_DIR)

# Every libFuzzer target for FUZZ_SECONDS (default 60) each, in a Clang build (build/fuzz); fails on
# a crash and prints the reproducer. `make test` runs the fuzz replays over the checked-in corpus.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run_fuzzers.sh

# Regenerates docs/connectors.md from the connectors' config declarations.
docs: build
	$(BINARY) connectors --markdown > docs/connectors.md
	$(BINARY) transforms --markdown > docs/transforms.md

clean:
	rm -rf build
