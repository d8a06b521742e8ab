# Thin wrapper over CMake. `make demo` and `make test` install missing Debian packages first.
BUILD ?= build
JOBS ?= $(shell nproc)
# Hardened builds (docs/hardening.md): libFuzzer targets (clang) and the sanitizer build of the suite.
FUZZ_BUILD ?= build-fuzz
ASAN_BUILD ?= build-asan
FUZZ_CXX ?= clang++-14
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 4
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/sanitizer/lsan.supp:print_suppressions=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: all deps configure build demo test bench python clean fuzz-build fuzz test-sanitize format

all: build

deps:
	@bash scripts/install_deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release > /dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

# The suite, then every fuzz target for a few seconds (after replaying its saved crashes).
test: build fuzz-build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)

fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Release -DGRASPQP_FUZZ=ON -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) > /dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz: fuzz-build
	@bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer (not part of `make test`).
test-sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Release -DGRASPQP_SANITIZE=ON > /dev/null
	@$(SANITIZER_ENV) cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS)

# Applies .clang-format to every C++ source (tests/test_layering.cpp checks it).
format:
	@clang-format-14 -i --style=file $$(git ls-files '*.cpp' '*.hpp' | grep -v '^fuzz/upstream/')

bench: build
	@bash scripts/bench.sh $(BUILD)

# The Python package in a virtual environment over Debian's numpy, h5py and pytest (docs/python.md):
# .venv/bin/python -c "import graspqp". No network: pip installs from this folder only.
VENV ?= .venv
python: build
	@test -x $(VENV)/bin/python || /usr/bin/python3 -m venv --system-site-packages $(VENV)
	@GRASPQP_BUILD_DIR=$(abspath $(BUILD)) GRASPQP_JOBS=$(JOBS) $(VENV)/bin/python -m pip install -q \
		--no-build-isolation --no-index --disable-pip-version-check .
	@$(VENV)/bin/python -c "import graspqp; print('graspqp', graspqp.__version__, 'installed in $(VENV):', graspqp.__file__)"

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(ASAN_BUILD)
