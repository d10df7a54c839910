# SPDX-License-Identifier: Apache-2.0
# Thin wrapper around Meson. `make run` and `make test` work on a fresh
# Debian 12 machine: both install what is missing first.
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?= -Dwerror=true
MESON_TEST_OPTS ?= --print-errorlogs --num-processes 2

.PHONY: all deps build run test test-asan check bench install clean

all: build

deps:
	@./scripts/install-deps

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	./scripts/run-demo $(BUILD)/src/cli/ferrohsm

test: build
	meson test -C $(BUILD) $(MESON_TEST_OPTS)

$(ASAN_BUILD)/build.ninja: | deps
	meson setup $(ASAN_BUILD) $(MESON_OPTS) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug

test-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(ASAN_BUILD) $(MESON_TEST_OPTS) --timeout-multiplier 3

check: test test-asan

bench: build
	ninja -C $(BUILD) bench
	ninja -C $(BUILD) bench-rest

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
