#!/bin/sh
# Edge cases of one EXTENDED COPY (hand-built LID1 parameter lists, sent to the
# source LUN A, destination B): the largest segment (65535 blocks), an empty
# segment, and a segment that runs past the end of the source.
. /lab/lib.sh

NA=$(naa_of "$LUN_A_SG"); NB=$(naa_of "$LUN_B_SG")
last=$(( $(dev_blocks "$LUN_A_SD") - 8 ))

# 65535 blocks at source LBA 1000 -> destination LBA 3000
fill_dev /dev/urandom "$LUN_A_SD" 65535 1000
out=$(xcopy_lid1 "$LUN_A_SG" "$NA" "$NB" 65535 1000 3000); rc=$?
src=$(dev_sum "$LUN_A_SD" 65535 1000)
dst=$(dev_sum "$LUN_B_SD" 65535 3000)
if [ $rc = 0 ] && [ "$src" = "$dst" ]; then
    pass "xcopy-max-segment: 65535 blocks at LBA 1000 -> 3000 in one command, data matches"
else
    fail "xcopy-max-segment: exit $rc, data $( [ "$src" = "$dst" ] && echo matches || echo differs): $(echo "$out" | sense_summary)"
fi

out=$(xcopy_lid1 "$LUN_A_SG" "$NA" "$NB" 0 0 0); rc=$?
info "xcopy-limits: 0-block segment: exit $rc $(echo "$out" | sense_summary)"
[ $rc = 0 ] && pass "xcopy-zero-blocks: a 0-block segment ends GOOD (no-op)" ||
    fail "xcopy-zero-blocks: exit $rc: $(echo "$out" | sense_summary)"

out=$(xcopy_lid1 "$LUN_A_SG" "$NA" "$NB" 16 $last 0); rc=$?
sense=$(echo "$out" | sense_summary)
info "xcopy-limits: 16 blocks from LBA $last (8 past the end): exit $rc, $sense"
case "$rc:$sense" in
    0:*) fail "xcopy-past-end: a copy past the end of LUN A ended GOOD" ;;
    *"Copy Aborted: Copy target device not reachable"*"0x0d/0x02"*) pass "xcopy-past-end: refused, $sense" ;;
    *) fail "xcopy-past-end: exit $rc, unexpected sense '$sense'" ;;
esac
