#!/bin/sh
# RECEIVE COPY RESULTS, OPERATING PARAMETERS (0x84/0x03) on LUN A: the limits an
# initiator must honour.
. /lab/lib.sh

out=$(sg_copy_results --params "$LUN_A_SG" 2>&1); rc=$?
echo "$out"
if [ $rc != 0 ]; then
    fail "rcop-params: sg_copy_results --params failed ($rc): $(echo "$out" | sense_summary)"
    exit 0
fi
field() { echo "$out" | sed -n "s/^ *$1[^:]*: *//p" | head -1; }
tgt=$(field 'Maximum target descriptor count')
seg=$(field 'Maximum segment descriptor count')
len=$(field 'Maximum segment length')
info "rcop: max target descriptors '$tgt', max segment descriptors '$seg', max segment length '$len'"
[ "$tgt" = 2 ] && [ "$seg" = 1 ] && pass "rcop-params: 2 target / 1 segment descriptors, max segment length $len" ||
    fail "rcop-params: unexpected limits: targets '$tgt' segments '$seg'"
