#!/bin/sh
# Without --backend, ssc-agent tries reflink, copy_file_range, xcopy, aio in
# that order: for two LUNs of one LIO target reflink and copy_file_range cannot
# serve, xcopy can.
. /lab/lib.sh
need_agent ssc-auto-xcopy

fill_lun /dev/urandom A || { fail "ssc-auto-xcopy: filling LUN A failed"; exit 0; }
fill_lun /dev/zero B
sum_a=$(dev_sum "$LUN_A_SD")
ssc copy "$LUN_A_SD" "$LUN_B_SD" --json
sum_b=$(dev_sum "$LUN_B_SD")
rf=$(skipped_field reflink reason) && has_rf=1 || has_rf=0
cfr=$(skipped_field copy_file_range reason) && has_cfr=1 || has_cfr=0
info "ssc-auto-xcopy: exit $SSC_RC in ${SSC_SECS}s, backend '$(jv backend)'; skipped reflink: '$rf' ($(skipped_field reflink class)); copy_file_range: '$cfr' ($(skipped_field copy_file_range class))"
if [ "$SSC_RC" != 0 ] || [ "$(jv ok)" != true ]; then
    fail "ssc-auto-xcopy: exit $SSC_RC: $(jv error.kind) $(jv error.message)${SSC_ERR:+ / $SSC_ERR}"
elif [ "$(jv backend)" != xcopy ]; then
    fail "ssc-auto-xcopy: picked '$(jv backend)', expected xcopy"
elif [ $has_rf = 0 ] || [ $has_cfr = 0 ]; then
    fail "ssc-auto-xcopy: xcopy picked, but reflink ($has_rf) and copy_file_range ($has_cfr) are not both in skipped"
elif skipped_field xcopy reason >/dev/null; then
    fail "ssc-auto-xcopy: xcopy is both the backend and in skipped"
elif [ "$sum_a" != "$sum_b" ]; then
    fail "ssc-auto-xcopy: xcopy picked, but checksums differ: A $sum_a B $sum_b"
else
    pass "ssc-auto-xcopy: picked xcopy after skipping reflink and copy_file_range, data matches"
fi
