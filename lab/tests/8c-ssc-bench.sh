#!/bin/sh
# ssc-agent bench between two LUNs of one LIO target: xcopy and aio side by side
# with sg_xcopy --on_src. xcopy moves no byte through the agent's buffers and aio
# every byte; sg_xcopy runs as a compared tool; fio, which the guest lacks, is
# listed as skipped; the report says ok and B ends up holding A's bytes.
. /lab/lib.sh
need_agent ssc-bench-xcopy

size=$(( $(dev_blocks "$LUN_A_SD") * 512 ))
fill_lun /dev/urandom A || { fail "ssc-bench-xcopy: filling LUN A failed"; exit 0; }
fill_lun /dev/zero B
ssc bench "$LUN_A_SD" "$LUN_B_SD" --backends xcopy,aio --compare sg_xcopy,fio --runs 2 --json

p=
[ "$SSC_RC" = 0 ] || p="$p exit $SSC_RC;"
[ "$(jv ok)" = true ] || p="$p ok is '$(jv ok)';"
[ "$(jv source.scsi)" = true ] && [ "$(jv destination.scsi)" = true ] || p="$p the LUNs are not seen as SCSI;"
names="$(jv cases.0.name) $(jv cases.1.name) $(jv cases.2.name) $(jv cases.3.name)"
[ "$names" = "xcopy aio sg_xcopy fio" ] || p="$p cases are '$names';"
for i in 0 1 2; do
    [ "$(jv cases.$i.status)" = ok ] || p="$p $(jv cases.$i.name) is '$(jv cases.$i.status)': $(jv cases.$i.reason);"
    for r in 0 1; do
        [ "$(jv cases.$i.runs.$r.bytes)" = "$size" ] || p="$p $(jv cases.$i.name) run $r copied '$(jv cases.$i.runs.$r.bytes)' bytes;"
    done
done
for r in 0 1; do
    [ "$(jv cases.0.runs.$r.buffered_bytes)" = 0 ] || p="$p xcopy run $r moved '$(jv cases.0.runs.$r.buffered_bytes)' bytes through the agent;"
    [ "$(jv cases.1.runs.$r.buffered_bytes)" = "$size" ] || p="$p aio run $r moved '$(jv cases.1.runs.$r.buffered_bytes)' bytes through the agent;"
    [ "$(jv cases.2.runs.$r.buffered_bytes)" = null ] || p="$p sg_xcopy has agent bytes '$(jv cases.2.runs.$r.buffered_bytes)';"
done
jv cases.2.command.0 | grep -q 'sg_xcopy$' || p="$p sg_xcopy's command is '$(jv cases.2.command.0)';"
[ "$(jv cases.3.status)" = skipped ] || p="$p fio is '$(jv cases.3.status)';"
jv cases.3.reason | grep -q 'not installed' || p="$p fio's reason is '$(jv cases.3.reason)';"
sum_a=$(dev_sum "$LUN_A_SD")
sum_b=$(dev_sum "$LUN_B_SD")
[ "$sum_a" = "$sum_b" ] || p="$p B does not hold A's bytes after the bench;"

if [ -n "$p" ]; then
    fail "ssc-bench-xcopy:$p"
else
    info "ssc-bench-xcopy: xcopy median $(jv cases.0.summary.seconds.median) s, aio $(jv cases.1.summary.seconds.median) s, sg_xcopy $(jv cases.2.summary.seconds.median) s"
    pass "ssc-bench-xcopy: xcopy (0 bytes through the agent), aio ($size) and sg_xcopy --on_src benched between two LUNs; fio skipped as not installed"
fi
