#!/bin/sh
# A range that runs past the end of the destination (64 MiB LUN B, 8 MiB at
# 60 MiB) is refused as invalid, forced xcopy or not, and B is not written.
. /lab/lib.sh
need_agent ssc-xcopy-past-end

fill_dev /dev/urandom "$LUN_A_SD" 16384
fill_lun /dev/urandom B
before=$(dev_sum "$LUN_B_SD")
ssc copy "$LUN_A_SD" "$LUN_B_SD" --dst-offset 60M --count 8M --backend xcopy --json
after=$(dev_sum "$LUN_B_SD")
p=$(refusal_problems invalid)
[ "$before" = "$after" ] || p="$p LUN B changed;"
info "ssc-xcopy-past-end: forced xcopy: exit $SSC_RC, kind '$(jv error.kind)', message '$(jv error.message)'"
[ -z "$p" ] && pass "ssc-xcopy-past-end: forced xcopy refused as invalid, B unchanged: $(jv error.message)" ||
    fail "ssc-xcopy-past-end: forced xcopy:$p"

# The same without --backend and without --json: exit 1, one line on stderr.
ssc copy "$LUN_A_SD" "$LUN_B_SD" --dst-offset 60M --count 8M
after=$(dev_sum "$LUN_B_SD")
lines=$(printf '%s\n' "$SSC_ERR" | grep -c .)
p=
[ "$SSC_RC" = 1 ] || p="$p exit $SSC_RC;"
[ "$lines" = 1 ] || p="$p $lines lines on stderr;"
case "$SSC_ERR" in "ssc-agent: "*) ;; *) p="$p stderr does not start with 'ssc-agent: ';" ;; esac
[ "$before" = "$after" ] || p="$p LUN B changed;"
[ -z "$p" ] && pass "ssc-past-end-auto: refused (exit 1), B unchanged: $SSC_ERR" ||
    fail "ssc-past-end-auto:$p"
