#!/bin/sh
# LUNs E and F carry identical NAA designators (60-xcopy-ambiguous-naa.sh shows
# LIO then copies from or to the wrong LUN).  ssc-agent must refuse a forced
# xcopy naming either as denied without writing anything: E -> F, A -> E, E -> B;
# without --backend, E -> B falls back to aio.
. /lab/lib.sh
need_agent ssc-xcopy-ambiguous

fill_dev /dev/urandom "$LUN_A_SD" 2048     # enough to tell A's data from E's
for x in B E F; do fill_lun /dev/urandom $x; done
for x in A B E F; do eval "sum_$x=\$(dev_sum \"\$LUN_${x}_SD\")"; done
now() { dev_sum "$(eval echo "\$LUN_${1}_SD")"; }

refused() { # name src dst
    eval "before=\$sum_$3; before_src=\$sum_$2"
    eval "ssc copy \"\$LUN_${2}_SD\" \"\$LUN_${3}_SD\" --backend xcopy --json"
    p=$(refusal_problems denied)
    [ "$(now $3)" = "$before" ] || p="$p LUN $3 changed;"
    # (LIO runs an EXTENDED COPY naming E -> F backwards, F -> E, if sent to E)
    [ "$(now $2)" = "$before_src" ] || p="$p LUN $2 changed;"
    info "$1: $2 -> $3 forced: exit $SSC_RC, kind '$(jv error.kind)', bytes '$(jv error.bytes)', message '$(jv error.message)'"
    [ -z "$p" ] && pass "$1: $2 -> $3 refused as denied, $2 and $3 unchanged: $(jv error.message)" ||
        fail "$1: $2 -> $3:$p"
}
refused ssc-xcopy-ambiguous-e-to-f E F
refused ssc-xcopy-ambiguous-a-to-e A E
refused ssc-xcopy-ambiguous-e-to-b E B

ssc copy "$LUN_E_SD" "$LUN_B_SD" --json
after=$(now B)
info "ssc-xcopy-ambiguous: E -> B auto: exit $SSC_RC in ${SSC_SECS}s, backend '$(jv backend)', xcopy skipped: '$(skipped_field xcopy reason)' ($(skipped_field xcopy class))"
if [ "$SSC_RC" != 0 ] || [ "$(jv backend)" != aio ]; then
    fail "ssc-ambiguous-auto: exit $SSC_RC, backend '$(jv backend)', expected aio: $(jv error.message)"
elif ! skipped_field xcopy reason >/dev/null; then
    fail "ssc-ambiguous-auto: aio used, but xcopy is not in skipped (not tried?)"
elif [ "$after" != "$sum_E" ]; then
    fail "ssc-ambiguous-auto: aio used, but B differs from E$( [ "$after" = "$sum_F" ] && echo ' (B holds F'"'"'s data)')"
else
    pass "ssc-ambiguous-auto: E -> B fell back to aio (xcopy skipped: $(skipped_field xcopy reason)), data matches"
fi
