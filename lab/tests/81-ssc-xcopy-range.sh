#!/bin/sh
# A range copy by xcopy: 40 MiB (81920 blocks: more than one command's 65535, so it
# crosses a command boundary; two at a time, two commands of 40960) from A at 1 MiB
# to B at 3 MiB.  The range must match A, and B
# outside [3 MiB, 43 MiB) must keep the data it had.
. /lab/lib.sh
need_agent ssc-xcopy-range

fill_lun /dev/urandom A || { fail "ssc-xcopy-range: filling LUN A failed"; exit 0; }
fill_lun /dev/urandom B
blocks=$(dev_blocks "$LUN_B_SD")
# in 512 B blocks: source 2048.., destination 6144..86015, count 81920
head_b=$(dev_sum "$LUN_B_SD" 6144 0)
tail_b=$(dev_sum "$LUN_B_SD" $((blocks - 88064)) 88064)
src=$(dev_sum "$LUN_A_SD" 81920 2048)
ssc copy "$LUN_A_SD" "$LUN_B_SD" --src-offset 1M --dst-offset 3M --count 40M --backend xcopy --json
dst=$(dev_sum "$LUN_B_SD" 81920 6144)
head_after=$(dev_sum "$LUN_B_SD" 6144 0)
tail_after=$(dev_sum "$LUN_B_SD" $((blocks - 88064)) 88064)
info "ssc-xcopy-range: exit $SSC_RC in ${SSC_SECS}s, backend '$(jv backend)', bytes '$(jv bytes)', count '$(jv count)'"

if [ "$SSC_RC" != 0 ] || [ "$(jv ok)" != true ]; then
    fail "ssc-xcopy-range: exit $SSC_RC, ok '$(jv ok)': $(jv error.kind) $(jv error.message)${SSC_ERR:+ / $SSC_ERR}"
elif [ "$(jv backend)" != xcopy ] || [ "$(jv bytes)" != 41943040 ]; then
    fail "ssc-xcopy-range: backend '$(jv backend)' bytes '$(jv bytes)', expected xcopy and 41943040"
elif [ "$src" != "$dst" ]; then
    fail "ssc-xcopy-range: B[3M, 43M) differs from A[1M, 41M)"
else
    pass "ssc-xcopy-range: A[1M, 41M) -> B[3M, 43M) by xcopy, data matches"
fi
if [ "$head_b" = "$head_after" ] && [ "$tail_b" = "$tail_after" ]; then
    pass "ssc-xcopy-range-bounds: B[0, 3M) and B[43M, 64M) untouched"
else
    fail "ssc-xcopy-range-bounds: B outside the range changed: [0, 3M) $( [ "$head_b" = "$head_after" ] && echo same || echo CHANGED), [43M, 64M) $( [ "$tail_b" = "$tail_after" ] && echo same || echo CHANGED)"
fi
