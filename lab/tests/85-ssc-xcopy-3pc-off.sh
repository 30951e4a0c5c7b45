#!/bin/sh
# LUN D reports 3PC=0 (emulate_3pc=0): a forced xcopy from or to it is refused
# as not_supported, naming 3PC, and nothing is written; without --backend the
# copy falls back to aio.
. /lab/lib.sh
need_agent ssc-xcopy-3pc-off

fill_lun /dev/urandom A || { fail "ssc-xcopy-3pc-off: filling LUN A failed"; exit 0; }
fill_lun /dev/urandom D
fill_lun /dev/urandom B
sum_a=$(dev_sum "$LUN_A_SD"); sum_d=$(dev_sum "$LUN_D_SD"); sum_b=$(dev_sum "$LUN_B_SD")

ssc copy "$LUN_A_SD" "$LUN_D_SD" --backend xcopy --json
p=$(refusal_problems not_supported 3PC)
[ "$(dev_sum "$LUN_D_SD")" = "$sum_d" ] || p="$p LUN D changed;"
info "ssc-xcopy-3pc-off: A -> D forced: exit $SSC_RC, kind '$(jv error.kind)', message '$(jv error.message)'"
[ -z "$p" ] && pass "ssc-xcopy-3pc-off-dst: A -> D refused as not_supported, D unchanged: $(jv error.message)" ||
    fail "ssc-xcopy-3pc-off-dst:$p"

ssc copy "$LUN_D_SD" "$LUN_B_SD" --backend xcopy --json
p=$(refusal_problems not_supported 3PC)
[ "$(dev_sum "$LUN_B_SD")" = "$sum_b" ] || p="$p LUN B changed;"
info "ssc-xcopy-3pc-off: D -> B forced: exit $SSC_RC, kind '$(jv error.kind)', message '$(jv error.message)'"
[ -z "$p" ] && pass "ssc-xcopy-3pc-off-src: D -> B refused as not_supported, B unchanged: $(jv error.message)" ||
    fail "ssc-xcopy-3pc-off-src:$p"

a_rd=$(port_stat A read_mbytes); d_wr=$(port_stat D write_mbytes)
ssc copy "$LUN_A_SD" "$LUN_D_SD" --json
a_rd=$(( $(port_stat A read_mbytes) - a_rd )); d_wr=$(( $(port_stat D write_mbytes) - d_wr ))
after=$(dev_sum "$LUN_D_SD")
info "ssc-xcopy-3pc-off: A -> D auto: exit $SSC_RC in ${SSC_SECS}s, backend '$(jv backend)', xcopy skipped: '$(skipped_field xcopy reason)' ($(skipped_field xcopy class))"
if [ "$SSC_RC" != 0 ] || [ "$(jv backend)" != aio ]; then
    fail "ssc-3pc-off-auto: exit $SSC_RC, backend '$(jv backend)', expected aio: $(jv error.message)"
elif ! skipped_field xcopy reason >/dev/null; then
    fail "ssc-3pc-off-auto: aio used, but xcopy is not in skipped"
elif [ "$after" != "$sum_a" ]; then
    fail "ssc-3pc-off-auto: aio used, but D differs from A"
else
    pass "ssc-3pc-off-auto: A -> D fell back to aio (xcopy skipped: $(skipped_field xcopy reason)), data matches"
fi
# The per-port counters that 80-ssc-xcopy-whole.sh relies on ("no data crossed
# the fabric") do count an initiator's data: 64 MiB each way for this aio copy.
info "ssc-xcopy-3pc-off: A -> D auto: through the fabric: A read ${a_rd} MiB, D written ${d_wr} MiB"
if [ "$SSC_RC" = 0 ] && [ "$a_rd" -ge 64 ] && [ "$d_wr" -ge 64 ]; then
    pass "lab-port-counters: the aio copy A -> D shows in LIO's port counters (A read ${a_rd} MiB, D written ${d_wr} MiB)"
else
    fail "lab-port-counters: after an aio copy A -> D (exit $SSC_RC), A read ${a_rd} MiB, D written ${d_wr} MiB (expected 64 each)"
fi
