# Two commands for a fresh Debian 12 machine, as root:
#   make run    install what is missing, build, run the agent in the foreground
#   make demo   copies on scratch loop filesystems, showing the backend each one used
#   make test   install what is missing, build, run every test
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

BINARY := .build/release/ssc-agent

.PHONY: run demo test deps build release bench bench-chart clean profiles startup-order

deps:
	@scripts/install-deps.sh

# One static-pie executable; the flags and why are in the script.
release: deps
	scripts/build-release.sh

build: release

# The agent on built-in defaults (root: /run/ssc-agent/ssc-agent.sock). Ctrl-C stops it.
run: release
	$(BINARY) serve

demo: release
	scripts/demo.sh $(BINARY)

test: deps
	scripts/run-tests.sh

bench: release
	bench/compare.sh $(BINARY)

# Regenerate the compiled-in profiles after changing hw-profiles/*.toml (a test fails
# while they differ).
profiles: deps
	scripts/generate-builtin-profiles.sh

# Relist the functions one-shot runs execute, which the release link places together
# (scripts/build-release.sh); then rebuild.
startup-order: release
	scripts/startup-order.sh
	scripts/build-release.sh

bench-chart: release
	bench/chart.sh $(BINARY) docs

clean:
	rm -rf .build
