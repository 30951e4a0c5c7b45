#!/bin/sh
# Device profiles on LIO: probe identifies a LIO logical unit (INQUIRY vendor
# LIO-ORG, product FILEIO, SCSI transport, from the kernel's cached INQUIRY data)
# and chooses the lio profile, saying why; with two units the selection is lio's
# order (xcopy, then aio) and a copy reports the profiles and uses xcopy. The
# profile is about identity, not capability: LUN D (3PC=0) is still lio, and its
# xcopy verdict says no.
. /lab/lib.sh
need_agent ssc-profile-lio

ssc probe "$LUN_A_SD" --json
p=
[ "$SSC_RC" = 0 ] || p="$p exit $SSC_RC;"
[ "$(jv profile)" = lio ] || p="$p profile '$(jv profile)' (expected lio);"
[ "$(jv paths.0.profile.name)" = lio ] || p="$p paths.0.profile.name '$(jv paths.0.profile.name)';"
[ "$(jv paths.0.profile.verified)" = true ] || p="$p lio not verified;"
[ "$(jv paths.0.block_device.transport)" = scsi ] || p="$p transport '$(jv paths.0.block_device.transport)';"
[ "$(jv paths.0.block_device.scsi_inquiry.vendor)" = LIO-ORG ] || p="$p inquiry vendor '$(jv paths.0.block_device.scsi_inquiry.vendor)';"
[ "$(jv paths.0.block_device.scsi_inquiry.product)" = FILEIO ] || p="$p inquiry product '$(jv paths.0.block_device.scsi_inquiry.product)';"
[ "$(jv paths.0.block_device.scsi_inquiry.three_pc)" = true ] || p="$p three_pc '$(jv paths.0.block_device.scsi_inquiry.three_pc)';"
reason=$(jv paths.0.profile.reason)
case "$reason" in *LIO-ORG*FILEIO*) ;; *) p="$p reason '$reason' does not name LIO-ORG and FILEIO;" ;; esac
info "ssc-profile-lio: A: profile '$(jv profile)' because: $reason"
[ -z "$p" ] && pass "ssc-profile-lio-probe: $LUN_A_SD gets the lio profile ($reason)" ||
    fail "ssc-profile-lio-probe:$p${SSC_ERR:+ stderr: $SSC_ERR}"

ssc probe "$LUN_D_SD" --json
[ "$SSC_RC" = 0 ] && [ "$(jv profile)" = lio ] && [ "$(jv paths.0.block_device.scsi_inquiry.three_pc)" = false ] &&
    pass "ssc-profile-lio-3pc-off: LUN D (3PC=0) is still lio by identity, three_pc false" ||
    fail "ssc-profile-lio-3pc-off: exit $SSC_RC, profile '$(jv profile)', three_pc '$(jv paths.0.block_device.scsi_inquiry.three_pc)'"

verdict_of() { # backend field
    i=0
    while [ $i -lt 6 ]; do
        if [ "$(jv backends.$i.name)" = "$1" ]; then jv "backends.$i.$2"; return; fi
        i=$((i + 1))
    done
}
ssc probe "$LUN_A_SD" "$LUN_B_SD" --json
p=
[ "$SSC_RC" = 0 ] || p="$p exit $SSC_RC;"
[ "$(jv selection.source_profile)" = lio ] || p="$p source profile '$(jv selection.source_profile)';"
[ "$(jv selection.destination_profile)" = lio ] || p="$p destination profile '$(jv selection.destination_profile)';"
order="$(jv selection.order.0),$(jv selection.order.1),$(jv selection.order.2)"
[ "$order" = "xcopy,aio," ] || p="$p order '$order' (expected xcopy,aio);"
[ "$(verdict_of xcopy verdict)" = yes ] || p="$p xcopy verdict '$(verdict_of xcopy verdict)': $(verdict_of xcopy reason);"
[ "$(verdict_of reflink class)" = excluded ] || p="$p reflink class '$(verdict_of reflink class)';"
[ -z "$p" ] && pass "ssc-profile-lio-pair: A -> B selects lio's order xcopy, aio; xcopy yes; reflink excluded" ||
    fail "ssc-profile-lio-pair:$p"

fill_dev /dev/urandom "$LUN_A_SD" 8192
fill_dev /dev/zero "$LUN_B_SD" 8192
sum_a=$(dev_sum "$LUN_A_SD" 8192)
ssc copy "$LUN_A_SD" "$LUN_B_SD" --count 4M --json
sum_b=$(dev_sum "$LUN_B_SD" 8192)
if [ "$SSC_RC" = 0 ] && [ "$(jv backend)" = xcopy ] && [ "$(jv profiles.source)" = lio ] &&
    [ "$(jv profiles.destination)" = lio ] && [ "$sum_a" = "$sum_b" ]; then
    pass "ssc-profile-lio-copy: A -> B copied by xcopy under the lio profile, data matches"
else
    fail "ssc-profile-lio-copy: exit $SSC_RC, backend '$(jv backend)', profiles '$(jv profiles.source)' -> '$(jv profiles.destination)', sums $sum_a / $sum_b"
fi
