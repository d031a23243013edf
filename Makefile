# Thin front door over CMake. `make quickstart` runs the main job, `make test` builds and runs every
# test; both install missing Debian packages first.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release -DRNMT_WERROR=ON

.PHONY: all deps build test quickstart bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Sequential on purpose: every test process runs OpenMP threads, and two processes spin-waiting
# against each other on a small machine turn a 2-second suite into minutes.
test: build
	ctest --test-dir $(BUILD) --output-on-failure

# For now the main job is the training benchmark on synthetic data (the quickstart recipe comes
# with recipe-driven training).
quickstart: build
	$(BUILD)/rnmt bench train --seconds 30

bench: build
	@scripts/install-deps.sh --bench
	scripts/bench-train.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD)
