#!/bin/sh
# ssc-agent's xcopy backend, forced, copies all of LUN A (64 MiB of random data)
# to LUN B: 131072 blocks, more than one EXTENDED COPY at LIO's limits (1 segment
# of at most 65535 blocks per command; the lio profile sends two at a time, as four
# commands of 32768 blocks).  Checked by reading both LUNs back with
# O_DIRECT; and the data must not pass through the initiator: the ssc-agent
# process reads and writes no storage bytes (/proc/PID/io), nothing is written
# to B through the fabric, and LIO's own reads show on A's port (the command
# went to the source LUN).
. /lab/lib.sh
need_agent ssc-xcopy-whole

blocks=$(dev_blocks "$LUN_A_SD"); size=$((blocks * 512))
fill_lun /dev/urandom A || { fail "ssc-xcopy-whole: filling LUN A failed"; exit 0; }
fill_lun /dev/zero B
sum_a=$(dev_sum "$LUN_A_SD")
a_cmds=$(port_stat A in_cmds); a_rd=$(port_stat A read_mbytes); a_wr=$(port_stat A write_mbytes)
b_cmds=$(port_stat B in_cmds); b_rd=$(port_stat B read_mbytes); b_wr=$(port_stat B write_mbytes)
lu_b_wr=$(lu_stat B write_mbytes); lu_a_rd=$(lu_stat A read_mbytes)
ssc copy "$LUN_A_SD" "$LUN_B_SD" --backend xcopy --json
a_cmds=$(( $(port_stat A in_cmds) - a_cmds )); a_rd=$(( $(port_stat A read_mbytes) - a_rd ))
a_wr=$(( $(port_stat A write_mbytes) - a_wr ))
b_cmds=$(( $(port_stat B in_cmds) - b_cmds )); b_rd=$(( $(port_stat B read_mbytes) - b_rd ))
b_wr=$(( $(port_stat B write_mbytes) - b_wr ))
lu_b_wr=$(( $(lu_stat B write_mbytes) - lu_b_wr )); lu_a_rd=$(( $(lu_stat A read_mbytes) - lu_a_rd ))
sum_b=$(dev_sum "$LUN_B_SD")
info "ssc-xcopy-whole: exit $SSC_RC in ${SSC_SECS}s, backend '$(jv backend)', bytes '$(jv bytes)', committed '$(jv committed)'"
info "ssc-xcopy-whole: process read_bytes $SSC_READ_BYTES write_bytes $SSC_WRITE_BYTES; port counters: commands to A $a_cmds (read ${a_rd} MiB, written ${a_wr} MiB), to B $b_cmds (read ${b_rd} MiB, written ${b_wr} MiB); backstores: A read ${lu_a_rd} MiB, B written ${lu_b_wr} MiB"

if [ "$SSC_RC" != 0 ] || [ "$(jv ok)" != true ]; then
    fail "ssc-xcopy-whole: exit $SSC_RC, ok '$(jv ok)': $(jv error.kind) $(jv error.message)${SSC_ERR:+ / $SSC_ERR}"
elif [ "$(jv backend)" != xcopy ]; then
    fail "ssc-xcopy-whole: backend '$(jv backend)', expected xcopy"
elif [ "$(jv bytes)" != "$size" ]; then
    fail "ssc-xcopy-whole: bytes '$(jv bytes)', expected $size"
elif [ "$sum_a" != "$sum_b" ]; then
    fail "ssc-xcopy-whole: ok, but checksums differ: A $sum_a B $sum_b"
else
    pass "ssc-xcopy-whole: $size bytes A -> B by xcopy in ${SSC_SECS}s, sha256 $(echo "$sum_a" | cut -c1-16)... matches"
fi
# At most 65535 blocks per EXTENDED COPY: 131072 blocks need at least 3 commands to A.
if [ "$SSC_RC" = 0 ] && [ "$SSC_READ_BYTES" = 0 ] && [ "$SSC_WRITE_BYTES" = 0 ] &&
    [ "$b_wr" = 0 ] && [ "$a_rd" -ge 64 ] && [ "$a_cmds" -ge 3 ]; then
    pass "ssc-xcopy-offload: the process read and wrote 0 bytes of storage, B got 0 MiB through the fabric, LIO read ${a_rd} MiB on A (the command went to the source); $a_cmds commands to A, $b_cmds to B"
else
    fail "ssc-xcopy-offload: exit $SSC_RC, process read_bytes $SSC_READ_BYTES write_bytes $SSC_WRITE_BYTES (expected 0), written to B through the fabric ${b_wr} MiB (expected 0), read on A's port ${a_rd} MiB (expected 64: LIO's reads for a command sent to A), $a_cmds commands to A (at least 3 EXTENDED COPY)"
fi
