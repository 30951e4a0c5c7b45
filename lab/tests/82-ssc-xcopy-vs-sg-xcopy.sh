#!/bin/sh
# The same whole copy A -> B by ssc-agent's xcopy backend and by sg_xcopy
# --on_src (the reference initiator): B must hold the same bytes after each,
# A's bytes.  B is zeroed before each copy.
. /lab/lib.sh
need_agent ssc-xcopy-vs-sg-xcopy

fill_lun /dev/urandom A || { fail "ssc-xcopy-vs-sg-xcopy: filling LUN A failed"; exit 0; }
sum_a=$(dev_sum "$LUN_A_SD")
fill_lun /dev/zero B
ssc copy "$LUN_A_SD" "$LUN_B_SD" --backend xcopy --json
sum_ssc=$(dev_sum "$LUN_B_SD")
fill_lun /dev/zero B
t0=$(cut -d' ' -f1 /proc/uptime)
out=$(sg_xcopy if="$LUN_A_SG" of="$LUN_B_SG" bs=512 bpt=65535 --on_src 2>&1); rc=$?
t1=$(cut -d' ' -f1 /proc/uptime)
sum_sg=$(dev_sum "$LUN_B_SD")
info "ssc-xcopy-vs-sg-xcopy: ssc-agent exit $SSC_RC in ${SSC_SECS}s (backend '$(jv backend)'), sg_xcopy exit $rc in $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }")s"
if [ "$SSC_RC" != 0 ] || [ "$(jv backend)" != xcopy ]; then
    fail "ssc-xcopy-vs-sg-xcopy: ssc-agent exit $SSC_RC, backend '$(jv backend)': $(jv error.message)${SSC_ERR:+ / $SSC_ERR}"
elif [ $rc != 0 ]; then
    fail "ssc-xcopy-vs-sg-xcopy: sg_xcopy failed ($rc): $(echo "$out" | sense_summary)"
elif [ "$sum_ssc" != "$sum_sg" ]; then
    fail "ssc-xcopy-vs-sg-xcopy: different bytes: ssc-agent $sum_ssc, sg_xcopy $sum_sg (A $sum_a)"
elif [ "$sum_ssc" != "$sum_a" ]; then
    fail "ssc-xcopy-vs-sg-xcopy: both give $sum_ssc, but A is $sum_a"
else
    pass "ssc-xcopy-vs-sg-xcopy: ssc-agent and sg_xcopy --on_src give the same 64 MiB, sha256 $(echo "$sum_a" | cut -c1-16)..."
fi
