# Rampart: the two quick-start commands are `make run` and `make test`; each installs what it needs.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
RAMPART := build/release/src/cli/rampart

.PHONY: deps build run stop test unit bench fuzz-smoke format clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# The main job: build the web console, start the platform (server on SQLite, TLS), enrol this machine's
# agent, print the console and API addresses and the admin's password and token. Both keep running in the background until `make stop`.
run: build
	@scripts/run.sh

stop:
	@scripts/stop.sh

# Every test, in the ASan/UBSan build and then in the release build.
test: deps
	@scripts/test.sh

# The fast unit set only (release build).
unit: build
	@ctest --preset release -L unit -j $(JOBS)

bench: build
	@scripts/install-deps.sh bench
	@bench/run.sh

fuzz-smoke: deps
	@scripts/fuzz-smoke.sh

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build
