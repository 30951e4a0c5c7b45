#!/bin/bash
# ssc-agent xcopy vs sg_xcopy in the device lab (not a test): boots the lab VM
# (lab/run.sh) with the binary and lab/bench/ as its tests, then prints the
# figures: per-run times, medians and their ratio (sg_xcopy / ssc-agent; above
# 1.0 means ssc-agent is faster), and the bytes the copying process read and
# wrote (/proc/PID/io) for xcopy, aio and sg_xcopy.
#
#   lab/bench-xcopy.sh [--binary PATH] [--runs N] [--timeout SECS]
#
# Default binary .build/release/ssc-agent, 25 runs each (the emulated target's
# copy time varies by +-15% from round to round: with fewer rounds the medians
# move more than the difference measured).  Output of the VM run in
# lab/out/bench/ (LAB_OUT), so it does not clobber a test run's lab/out/.
set -euo pipefail

LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BINARY=$LAB/../.build/release/ssc-agent
RUNS=25
TIMEOUT=
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) BINARY=${2:?--binary needs a path}; shift 2 ;;
        --binary=*) BINARY=${1#*=}; shift ;;
        --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
        --runs=*) RUNS=${1#*=}; shift ;;
        --timeout) TIMEOUT=${2:?}; shift 2 ;;
        --timeout=*) TIMEOUT=${1#*=}; shift ;;
        -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-xcopy: unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench-xcopy: --runs must be a positive number" >&2; exit 2; }
[ -x "$BINARY" ] || { echo "bench-xcopy: no executable binary at $BINARY (build it or pass --binary)" >&2; exit 2; }

export LAB_OUT=${LAB_OUT:-$LAB/out/bench}
mkdir -p "$LAB_OUT"
export LAB_GUEST_RUNS=$RUNS
# each run pair takes about 1 s of guest time; fills and checksums about 15 s
export LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-$((120 + 10 * RUNS))}
TIMEOUT=${TIMEOUT:-$((LAB_TEST_TIMEOUT + 120))}

echo "bench-xcopy: booting the lab VM ($RUNS runs each; VM output in $LAB_OUT.log)" >&2
set +e
"$LAB/run.sh" --binary "$BINARY" --tests "$LAB/bench" --timeout "$TIMEOUT" >"$LAB_OUT.log" 2>&1
rc=$?
set -e
results=$LAB_OUT/results.txt.clean
echo "==== ssc-agent xcopy vs sg_xcopy --on_src, 64 MiB LUN A -> LUN B, LIO in the lab VM ===="
echo "binary: $BINARY ($(stat -c %s "$BINARY") bytes, $(date -r "$BINARY" '+%F %T'))"
if [ -f "$results" ]; then
    grep -E '^INFO guest kernel' "$results" | sed 's/^INFO //'
    grep -E '^INFO bench' "$results" | sed 's/^INFO bench //'
    grep -E '^(PASS|FAIL) ' "$results" || true
fi
if [ $rc != 0 ]; then
    echo "bench-xcopy: the lab run failed (exit $rc); its output: $LAB_OUT.log" >&2
    tail -5 "$LAB_OUT.log" >&2
fi
exit $rc
