#!/bin/sh
# sg_xcopy of all of LUN A (64 MiB of random data) to LUN B on the same target:
# 131072 blocks of 512 B need several EXTENDED COPY commands (at most 65535
# blocks per 0x02 segment).  Verified by reading both LUNs back with O_DIRECT.
#
# The command is sent to the source LUN (--on_src), as ssc-agent does.  sg_xcopy's
# default sends it to the destination, and LIO then looks the source up by its
# NAA among the session's LUNs: harmless here (A's NAA is unique), wrong when
# another LUN shares the NAA (see 60-xcopy-ambiguous-naa.sh, LUNs E and F).
. /lab/lib.sh

blocks=$(dev_blocks "$LUN_A_SD")
dd if=/dev/urandom of="$LUN_A_SD" bs=1M count=64 oflag=direct 2>/dev/null ||
    { fail "xcopy-a-to-b: filling LUN A failed"; exit 0; }
dd if=/dev/zero of="$LUN_B_SD" bs=1M count=64 oflag=direct 2>/dev/null
sum_a=$(dev_sum "$LUN_A_SD")
t0=$(cut -d' ' -f1 /proc/uptime)
out=$(sg_xcopy if="$LUN_A_SG" of="$LUN_B_SG" bs=512 bpt=65535 --on_src verbose=1 2>&1); rc=$?
t1=$(cut -d' ' -f1 /proc/uptime)
echo "$out" | grep -v '^ *\(inquiry\|read capacity\|open\|Receive copy\)'
cmds=$(echo "$out" | sed -n 's/.* blocks, \([0-9]*\) command.*/\1/p')
sum_b=$(dev_sum "$LUN_B_SD")
info "xcopy-a-to-b: $blocks blocks in ${cmds:-?} EXTENDED COPY commands, sg_xcopy exit $rc in $(awk "BEGIN{print $t1-$t0}")s (guest clock)"
if [ $rc != 0 ]; then
    fail "xcopy-a-to-b: sg_xcopy failed ($rc): $(echo "$out" | sense_summary)"
elif [ "$sum_a" != "$sum_b" ]; then
    fail "xcopy-a-to-b: checksums differ after the copy: A $sum_a B $sum_b"
elif [ "${cmds:-0}" -lt 2 ]; then
    fail "xcopy-a-to-b: data matches, but sg_xcopy did not report several commands ('$cmds')"
else
    pass "xcopy-a-to-b: $blocks blocks in $cmds commands, sha256 $(echo "$sum_a" | cut -c1-16)... matches"
fi
