#!/usr/bin/env bash
# Writes scripts/startup-order.txt: the functions a one-shot ssc-agent process runs, in a
# file that build-release.sh hands to the linker (--symbol-ordering-file) so that they
# sit next to each other in the executable.
#
# Why: every 64 KiB window of code a process touches for the first time costs a page
# fault (the kernel maps up to 16 pages around it), and under emulation, as in the
# device lab, each fault costs tens of microseconds. Spread over a 34 MB binary, the
# code of a failed copy touched 69 windows; grouped, 27 (README, "Start-up").
#
# How: the release binary runs under callgrind for the invocations one-shot use is made
# of (a failed copy, a file copy, block-device copies with aio and with xcopy refused,
# the profile listing, probe), and every function any of them executed is listed. The
# SCSI path cannot run on this machine (no SCSI), so the XCopy module, the xcopy backend
# (with the command window and threads that keep several commands in flight), the SCSI
# probes and libsgutils2's pass-through follow in full. Functions that no
# longer exist are skipped by the linker; new ones are placed as before. Run as root
# (loop devices) after changes to what start-up runs: `make startup-order`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || apt-get install -y valgrind >/dev/null
[[ $(id -u) == 0 ]] || { echo "startup-order.sh: run as root (it attaches loop devices)" >&2; exit 1; }
binary=.build/release/ssc-agent
[[ -x $binary ]] || scripts/build-release.sh >/dev/null

work=$(mktemp -d)
loops=()
cleanup() {
    for loop in "${loops[@]}"; do losetup -d "$loop" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
# valgrind cannot read the binary's compressed debug sections: run a stripped copy.
strip -g -o "$work/ssc-agent" "$binary"
head -c $((3 << 20)) /dev/urandom >"$work/source"
for name in a b; do
    truncate -s 16M "$work/$name.img"
    loops+=("$(losetup --find --show "$work/$name.img")")
done

runs=(
    "copy $work/missing $work/x"
    "copy $work/source $work/copy"
    "copy ${loops[0]} ${loops[1]}"
    "copy ${loops[0]} ${loops[1]} --backend xcopy --json"
    "clone $work/source $work/clone"
    "profiles"
    "probe ${loops[0]}"
    "--version"
)
index=0
for run in "${runs[@]}"; do
    index=$((index + 1))
    # shellcheck disable=SC2086 # each run is a list of words
    valgrind --tool=callgrind --demangle=no --compress-strings=no --compress-pos=no \
        --callgrind-out-file="$work/callgrind.$index" "$work/ssc-agent" $run >/dev/null 2>&1 || true
done
{
    # callgrind marks recursion depth with 'N and has pseudo-functions such as "(below main)".
    cat "$work"/callgrind.* | sed -n "s/^c\{0,1\}fn=//p" | sed "s/'[0-9]*\$//" | grep -v -E '^0x|^\(|[[:space:]]'
    nm --defined-only "$binary" | awk '$2 ~ /^[tT]$/ { print $3 }' |
        grep -E '^\$s5XCopy|^\$s8Backends[0-9]+(XCopy|SCSI|SGIO|CommandWindow|OSThread|ConditionLock)|scsi_pt|^sg_pt_|^sg_get_sense|^sg_scsi_normalize|^sg_err_category'
} | awk '!seen[$0]++' >scripts/startup-order.txt
echo "scripts/startup-order.txt: $(wc -l <scripts/startup-order.txt) functions"
