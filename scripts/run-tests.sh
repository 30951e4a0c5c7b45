#!/usr/bin/env bash
# Builds ssc-agent and runs every test: the engine's unit tests and the command-line
# tests on loop-mounted btrfs, XFS, ext4, tmpfs and loop block devices (these need root:
# without it they fail, never skip). Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH

if [[ $(id -u) -ne 0 ]]; then
    echo "run-tests: the tests create loop devices and mount filesystems: run as root" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

log=$(mktemp /tmp/ssc-agent-tests.XXXXXX.log)
trap 'rm -f "$log"' EXIT

swift build --build-tests || { echo "0 passed, 1 failed"; exit 1; }
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One line per test case: "Test Case 'Suite.test' passed|failed (...)".
passed=$(grep -cE "^Test Case '.*' passed" "$log")
failed=$(grep -cE "^Test Case '.*' failed" "$log")
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi   # a crash or a build error
if [[ $passed -eq 0 && $failed -eq 0 ]]; then failed=1; fi  # nothing ran: that is a failure
echo "$passed passed, $failed failed"
[[ $status -eq 0 && $failed -eq 0 ]]
