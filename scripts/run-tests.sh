#!/usr/bin/env bash
# Builds ssc-agent and runs every test: the unit tests, the command-line tests on
# loop-mounted btrfs, XFS, ext4, tmpfs and loop block devices (these need root: without
# it they fail, never skip), and the device lab, which boots a VM with the Linux LIO
# SCSI target and runs the release binary's xcopy tests in it. Ends with one line
# "N passed, N failed" over all of them; a skipped lab check counts as failed.
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

# The release binary first: ReleaseBinaryTests check it (static-pie, ASLR, copies) and
# the device lab runs it.
release_built=0
scripts/build-release.sh && release_built=1 || rm -f .build/release/ssc-agent  # never test a stale one
swift build --build-tests || { echo "0 passed, 1 failed"; exit 1; }
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One line per test case: "Test Case 'Suite.test' passed|failed (...)".
passed=$(grep -cE "^Test Case '.*' passed" "$log")
failed=$(grep -cE "^Test Case '.*' failed" "$log")
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi   # a crash or a build error
if [[ $passed -eq 0 && $failed -eq 0 ]]; then failed=1; fi  # nothing ran: that is a failure
echo "swift test: $passed passed, $failed failed"

# The device lab, with the release binary (see scripts/build-release.sh).
lab_passed=0
lab_failed=0
if [[ $release_built -eq 1 ]]; then
    LAB_OUT=$PWD/lab/out lab/run.sh --binary .build/release/ssc-agent
    lab_status=$?
    summary=lab/out/summary.txt
    if [[ -f $summary ]]; then
        lab_passed=$(grep -c '^PASS ' "$summary" || true)
        lab_failed=$(( $(grep -c '^FAIL ' "$summary" || true) + $(grep -c '^SKIP ' "$summary" || true) ))
    fi
    if [[ $lab_status -ne 0 && $lab_failed -eq 0 ]]; then lab_failed=1; fi
    if [[ $lab_passed -eq 0 && $lab_failed -eq 0 ]]; then lab_failed=1; fi
else
    lab_failed=1
fi
echo "device lab: $lab_passed passed, $lab_failed failed"

total_passed=$((passed + lab_passed))
total_failed=$((failed + lab_failed))
echo "$total_passed passed, $total_failed failed"
[[ $status -eq 0 && $total_failed -eq 0 ]]
