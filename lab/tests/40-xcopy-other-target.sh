#!/bin/sh
# EXTENDED COPY from LUN A (target 1) to LUN C (a second tcm_loop target, another
# I_T nexus): LIO looks target descriptors up among the LUNs of the session the
# command came in on, so C is unreachable whichever LUN gets the command.  The
# copy must fail and C must stay untouched.
. /lab/lib.sh

n=2048
fill_dev /dev/urandom "$LUN_C_SD" $n
before=$(dev_sum "$LUN_C_SD" $n)
for where in on_src on_dst; do
    out=$(sg_xcopy if="$LUN_A_SG" of="$LUN_C_SG" bs=512 count=$n --$where verbose=3 2>&1); rc=$?
    sense=$(echo "$out" | sense_summary)
    echo "$out" | grep -i -A3 'extended copy.*:$\|sense\|failed'
    after=$(dev_sum "$LUN_C_SD" $n)
    info "xcopy-a-to-c: sg_xcopy --$where exit $rc, sense '$sense'"
    if [ $rc = 0 ]; then
        fail "xcopy-a-to-c-$where: EXTENDED COPY to a LUN of another target succeeded"
    elif [ "$before" != "$after" ]; then
        fail "xcopy-a-to-c-$where: failed ($sense) but LUN C changed"
    else
        case "$sense" in
            "Copy Aborted: Copy target device not reachable") pass "xcopy-a-to-c-$where: refused, $sense" ;;
            *) fail "xcopy-a-to-c-$where: refused, but not with COPY ABORTED/0x0d02: '$sense' (exit $rc)" ;;
        esac
    fi
done
# The same with a hand-built parameter list, for the raw sense bytes.
out=$(xcopy_lid1 "$LUN_A_SG" "$(naa_of "$LUN_A_SG")" "$(naa_of "$LUN_C_SG")" $n 0 0); rc=$?
info "xcopy-a-to-c: raw EXTENDED COPY sent to A: exit $rc, $(echo "$out" | sense_summary)"
