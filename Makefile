# Two commands for a fresh Debian 12 machine, as root:
#   make run    install what is missing, build, run the agent's main job
#   make test   install what is missing, build, run every test
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

BINARY := .build/release/ssc-agent

.PHONY: run test deps build release bench clean

deps:
	@scripts/install-deps.sh

# One static-pie executable; the flags and why are in the script.
release: deps
	scripts/build-release.sh

build: release

run: release
	scripts/demo.sh $(BINARY)

test: deps
	scripts/run-tests.sh

bench: release
	bench/compare.sh $(BINARY)

clean:
	rm -rf .build
