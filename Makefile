# Thin wrapper over CMake. `make demo` and `make test` install missing Debian packages first.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps configure build demo test bench python clean

all: build

deps:
	@bash scripts/install_deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release > /dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

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
	rm -rf $(BUILD)
