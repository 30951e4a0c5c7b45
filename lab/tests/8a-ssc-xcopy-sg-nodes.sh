#!/bin/sh
# SCSI generic nodes as copy endpoints: /dev/sgN is copied only by xcopy and only
# when asked for explicitly (no other backend can read or write it); the size comes
# from READ CAPACITY(16).
. /lab/lib.sh
need_agent ssc-xcopy-sg-nodes

fill_dev /dev/urandom "$LUN_A_SD" "$(dev_blocks "$LUN_A_SD")"
fill_dev /dev/zero "$LUN_B_SD" "$(dev_blocks "$LUN_B_SD")"
a_cmds=$(port_stat A in_cmds); b_cmds=$(port_stat B in_cmds)
ssc copy "$LUN_A_SG" "$LUN_B_SG" --backend xcopy --json
a_cmds=$(( $(port_stat A in_cmds) - a_cmds )); b_cmds=$(( $(port_stat B in_cmds) - b_cmds ))
a=$(dev_sum "$LUN_A_SD"); b=$(dev_sum "$LUN_B_SD")
p=
[ "$SSC_RC" = 0 ] || p="$p exit $SSC_RC: $(jv error.message);"
[ "$(jv backend)" = xcopy ] || p="$p backend '$(jv backend)';"
[ "$(jv bytes)" = $(( $(dev_blocks "$LUN_A_SD") * 512 )) ] || p="$p bytes '$(jv bytes)';"
[ "$a" = "$b" ] || p="$p B differs from A;"
[ -z "$p" ] && pass "ssc-xcopy-sg-nodes: $LUN_A_SG -> $LUN_B_SG by xcopy, the whole unit, data equal" ||
    fail "ssc-xcopy-sg-nodes:$p"

# The commands the destination received: READ CAPACITY(16) (the node's size, asked
# once during validation and carried on to the backend), INQUIRY and VPD 0x83. (A's
# port also counts LIO's own reads for the copy, so only B's count is exact.)
info "ssc-xcopy-sg-nodes: commands received: A $a_cmds (with LIO's own reads for the copy), B $b_cmds"
[ "$b_cmds" = 3 ] &&
    pass "ssc-xcopy-sg-nodes-commands: B received 3 commands (INQUIRY, VPD 0x83, READ CAPACITY once)" ||
    fail "ssc-xcopy-sg-nodes-commands: B received $b_cmds commands, expected 3 (INQUIRY, VPD 0x83, READ CAPACITY once)"

# Without --backend xcopy: refused as wrong_type, nothing written.
fill_dev /dev/zero "$LUN_B_SD" "$(dev_blocks "$LUN_B_SD")"
before=$(dev_sum "$LUN_B_SD")
ssc copy "$LUN_A_SG" "$LUN_B_SG" --json
after=$(dev_sum "$LUN_B_SD")
p=
[ "$SSC_RC" = 1 ] || p="$p exit $SSC_RC;"
[ "$(jv error.kind)" = wrong_type ] || p="$p kind '$(jv error.kind)';"
case "$(jv error.message)" in *"--backend xcopy"*) ;; *) p="$p message does not name --backend xcopy;" ;; esac
[ "$before" = "$after" ] || p="$p B changed;"
[ -z "$p" ] && pass "ssc-xcopy-sg-nodes-auto: an sg node without --backend xcopy is refused as wrong_type, B unchanged" ||
    fail "ssc-xcopy-sg-nodes-auto:$p"
