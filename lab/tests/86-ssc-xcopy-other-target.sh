#!/bin/sh
# LUN C sits on another tcm_loop target (another I_T nexus): LIO cannot reach it
# from a command that came in on A's session and answers COPY ABORTED, ASC/ASCQ
# 0x0D/0x02 (40-xcopy-other-target.sh).  A forced xcopy A -> C fails as denied
# with that in its message, C is untouched; without --backend, aio.
. /lab/lib.sh
need_agent ssc-xcopy-other-target

fill_lun /dev/urandom A || { fail "ssc-xcopy-other-target: filling LUN A failed"; exit 0; }
fill_lun /dev/urandom C
sum_a=$(dev_sum "$LUN_A_SD"); sum_c=$(dev_sum "$LUN_C_SD")

a_cmds=$(port_stat A in_cmds); c_cmds=$(port_stat C in_cmds)
ssc copy "$LUN_A_SD" "$LUN_C_SD" --backend xcopy --json
a_cmds=$(( $(port_stat A in_cmds) - a_cmds )); c_cmds=$(( $(port_stat C in_cmds) - c_cmds ))
p=$(refusal_problems denied 'copy aborted' '0x0d/0x02')
[ "$(dev_sum "$LUN_C_SD")" = "$sum_c" ] || p="$p LUN C changed;"
info "ssc-xcopy-other-target: A -> C forced: exit $SSC_RC, kind '$(jv error.kind)', bytes '$(jv error.bytes)', message '$(jv error.message)'; fabric commands to A $a_cmds, to C $c_cmds"
[ -z "$p" ] && pass "ssc-xcopy-other-target: A -> C refused as denied, C unchanged: $(jv error.message)" ||
    fail "ssc-xcopy-other-target:$p"

ssc copy "$LUN_A_SD" "$LUN_C_SD" --json
after=$(dev_sum "$LUN_C_SD")
info "ssc-xcopy-other-target: A -> C auto: exit $SSC_RC in ${SSC_SECS}s, backend '$(jv backend)', xcopy skipped: '$(skipped_field xcopy reason)' ($(skipped_field xcopy class))"
if [ "$SSC_RC" != 0 ] || [ "$(jv backend)" != aio ]; then
    fail "ssc-other-target-auto: exit $SSC_RC, backend '$(jv backend)', expected aio: $(jv error.message)"
elif ! skipped_field xcopy reason >/dev/null; then
    fail "ssc-other-target-auto: aio used, but xcopy is not in skipped (not tried?)"
elif [ "$after" != "$sum_a" ]; then
    fail "ssc-other-target-auto: aio used, but C differs from A"
else
    pass "ssc-other-target-auto: A -> C fell back to aio (xcopy skipped: $(skipped_field xcopy reason)), data matches"
fi
