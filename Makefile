# Two commands for a fresh Debian 12 machine, as root:
#   make run    install what is missing, build, run the agent's main job
#   make test   install what is missing, build, run every test
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

RELEASE_FLAGS := -c release --static-swift-stdlib
BINARY := .build/release/ssc-agent

.PHONY: run test deps build release bench bench-chart clean

deps:
	@scripts/install-deps.sh

release: deps
	swift build $(RELEASE_FLAGS)

build: release

run: release
	scripts/demo.sh $(BINARY)

test: deps
	scripts/run-tests.sh

bench: release
	bench/compare.sh $(BINARY)

bench-chart: release
	bench/chart.sh $(BINARY) docs

clean:
	rm -rf .build
