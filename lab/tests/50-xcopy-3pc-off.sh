#!/bin/sh
# LUN D has emulate_3pc=0 (INQUIRY 3PC=0).  EXTENDED COPY A -> D:
#  - sent to D itself: LIO rejects the opcode (ILLEGAL REQUEST, 0x20/0x00);
#  - sent to A (3PC=1): LIO's descriptor lookup skips devices with emulate_3pc=0,
#    so D is "not reachable" (COPY ABORTED, 0x0d/0x02).
# Either way D must stay untouched.  (Measured on Debian's 6.1.)
. /lab/lib.sh

n=2048
fill_dev /dev/urandom "$LUN_A_SD" $n
fill_dev /dev/urandom "$LUN_D_SD" $n
before=$(dev_sum "$LUN_D_SD" $n)
check() { # label expected-sense
    out=$(sg_xcopy if="$LUN_A_SG" of="$LUN_D_SG" bs=512 count=$n --$1 verbose=3 2>&1); rc=$?
    sense=$(echo "$out" | sense_summary)
    after=$(dev_sum "$LUN_D_SD" $n)
    info "xcopy-3pc-off: sg_xcopy A->D --$1 exit $rc, sense '$sense'"
    if [ $rc = 0 ] || [ "$before" != "$after" ]; then
        fail "xcopy-3pc-off-$1: exit $rc, LUN D $( [ "$before" = "$after" ] && echo unchanged || echo CHANGED)"
    elif [ "$sense" = "$2" ]; then
        pass "xcopy-3pc-off-$1: refused, $sense"
    else
        fail "xcopy-3pc-off-$1: refused with '$sense', expected '$2'"
    fi
}
check on_dst "Illegal Request: Invalid command operation code"
check on_src "Copy Aborted: Copy target device not reachable"
out=$(xcopy_lid1 "$LUN_D_SG" "$(naa_of "$LUN_A_SG")" "$(naa_of "$LUN_D_SG")" $n 0 0); rc=$?
info "xcopy-3pc-off: raw EXTENDED COPY sent to D: exit $rc, $(echo "$out" | sense_summary)"
out=$(xcopy_lid1 "$LUN_A_SG" "$(naa_of "$LUN_A_SG")" "$(naa_of "$LUN_D_SG")" $n 0 0); rc=$?
info "xcopy-3pc-off: raw EXTENDED COPY sent to A: exit $rc, $(echo "$out" | sense_summary)"
