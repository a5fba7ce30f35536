# Hull: top-level entry points. `make demo` and `make test` work on a fresh Debian 12 (as root):
# they install missing Debian packages first (scripts/setup.sh), then build with CMake + Ninja.

BUILD      ?= build
ASAN_BUILD ?= build-asan
# ccache (scripts/setup.sh installs it) keeps compiled objects for every clone on the machine:
# it hashes paths relative to the clone (CCACHE_BASEDIR) and not the build directory
# (CCACHE_NOHASHDIR), so a second clone -- a CI run -- compiles only what differs. Looked up
# when a recipe runs, after setup.
CMAKE_FLAGS = -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  $$(command -v ccache > /dev/null && echo -DCMAKE_C_COMPILER_LAUNCHER=ccache \
     -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
JOBS       ?= $(shell nproc)

.PHONY: all setup build bench demo test test-asan conformance clean format

all: build

setup:
	@bash scripts/setup.sh

# The benchmarks (bench/) are built by `make bench`, not by every build: tests never run them.
build: setup
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Release -DHULL_BENCH=OFF > /dev/null
	@cmake --build $(BUILD) -j $(JOBS)

bench: setup
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Release -DHULL_BENCH=ON > /dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@echo "benchmarks built in $(BUILD)/bench; compare with peers: bench/compare.sh --build $(BUILD) --help"

demo: build
	@echo "== hull run examples/hello/add.wat --invoke add 2 40"
	@$(BUILD)/hull run examples/hello/add.wat --invoke add 2 40
	@echo "== hull run examples/hello/fac.wat --invoke fac 20"
	@$(BUILD)/hull run examples/hello/fac.wat --invoke fac 20
	@echo "== a WASI program (tests/programs/upper.c compiled to wasm32-wasi): echo ... | hull run upper.wasm"
	@echo "hello from a wasm guest" | $(BUILD)/hull run $(BUILD)/tests/programs/wasm/upper.wasm
	@echo "== a component's world as WIT: hull inspect examples/component-cpp/demo.wat"
	@$(BUILD)/hull inspect examples/component-cpp/demo.wat
	@echo "== component exports called with WAVE values (tests/cli/components/demo.wat)"
	@$(BUILD)/hull run tests/cli/components/demo.wat --invoke 'local:demo/api#greet("Hull")'
	@$(BUILD)/hull run tests/cli/components/demo.wat --invoke 'sum([1, 2, 3, 36])'
	@echo "== hull wast on one spec file"
	@$(BUILD)/hull wast $$(bash scripts/testsuite-dir.sh)/core/fac.wast

# Unit tests + the spec testsuite (release build), then the spec testsuite under ASan+UBSan.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --progress
	@$(MAKE) --no-print-directory test-asan

# The ASan build also carries libFuzzer's coverage instrumentation, so the fuzz targets are
# built from the same objects and each runs briefly (label fuzz-brief, tests/fuzz/run_fuzz.sh).
# Line tables are all the debug information it keeps: enough for the sanitizers' reports
# (file:line), and 15-20 % less compile time than -g.
test-asan: setup
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DHULL_SANITIZE=ON \
	  "-DCMAKE_CXX_FLAGS=-O1 -fsanitize=fuzzer-no-link" -DHULL_FUZZ=ON -DHULL_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only -DCMAKE_C_FLAGS_DEBUG=-gline-tables-only \
	  -DHULL_SHARED_LIB=OFF > /dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target hull hull_test_programs hull_guard_tests hull_guard_engine_tests \
	  hull_reservation_pool_tests hull_component_tests hull_component_abi_tests \
	  hull_component_decoder_tests hull_wit_tests hull_bindgen_tests hull_bindgen_wasi_check \
	  hull_typed_abi_tests hull_wasi_tests \
	  hull_wasi_p2_tests hull_wasi_http_tests hull_serve_tests hull_server_tests fuzz_decode fuzz_text \
	  fuzz_validate fuzz_exec fuzz_gc fuzz_component fuzz_wit fuzz_manifest fuzz_http fuzz_hullc hull_fuzz_seeds \
	  hull-native hull_native_tests fuzz_native hull_api_snapshot_tests hull_baseline_tests fuzz_baseline
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) \
	  -L 'spec|component$$|component-unit|wasi|wit|bindgen|programs|hostile|sandbox|cli|serve|fuzz-brief|native|baseline' --progress

conformance: build
	@bash scripts/conformance.sh $(BUILD)/hull

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# Fuzzing (tests/fuzz): builds the libFuzzer targets with ASan+UBSan into $(FUZZ_BUILD) and runs
# each for FUZZ_SECONDS, seeded from the spec testsuite's modules.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz: setup
	@cmake -S . -B $(FUZZ_BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHULL_FUZZ=ON \
	  -DHULL_BENCH=OFF -DHULL_SHARED_LIB=OFF -DHULL_TESTS=OFF \
	  "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" > /dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_decode fuzz_text fuzz_validate fuzz_exec fuzz_gc \
	  fuzz_component fuzz_wit fuzz_manifest fuzz_http fuzz_baseline hull_fuzz_seeds
	@bash tests/fuzz/run_fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
