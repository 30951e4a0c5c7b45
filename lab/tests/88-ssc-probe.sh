#!/bin/sh
# ssc-agent probe on a LIO LUN shows its SCSI identity: vendor LIO-ORG, 3PC and
# the NAA designator of VPD 0x83; probe --json carries a "scsi" object.
. /lab/lib.sh
need_agent ssc-probe

naa=$(naa_of "$LUN_A_SG")
ssc probe "$LUN_A_SD"
text=$(echo "$SSC_OUT" | tr 'A-F' 'a-f' | tr -d ':')
p=
[ "$SSC_RC" = 0 ] || p="$p exit $SSC_RC;"
echo "$SSC_OUT" | grep -q 'LIO-ORG' || p="$p no LIO-ORG;"
echo "$SSC_OUT" | grep -qi '3PC' || p="$p no 3PC;"
case "$text" in *"$naa"*) ;; *) p="$p no NAA $naa;" ;; esac
[ -z "$p" ] && pass "ssc-probe-scsi: probe $LUN_A_SD shows LIO-ORG, 3PC and NAA $naa" ||
    fail "ssc-probe-scsi:$p${SSC_ERR:+ stderr: $SSC_ERR}"
info "ssc-probe: A: $(echo "$SSC_OUT" | grep -i '3pc' | head -3 | tr '\n' ' ')"

ssc probe "$LUN_A_SD" --json
scsi=$(echo "$SSC_JSON" | grep -E '^([^=]*\.)?scsi\.')
p=
[ "$SSC_RC" = 0 ] || p="$p exit $SSC_RC;"
[ -n "$scsi" ] || p="$p no \"scsi\" object;"
echo "$scsi" | grep -q '=LIO-ORG' || p="$p no LIO-ORG value in it;"
echo "$scsi" | tr 'A-F' 'a-f' | tr -d ':' | grep -q "$naa" || p="$p no NAA $naa in it;"
echo "$scsi" | head -40 | sed 's/^/  /'
[ -z "$p" ] && pass "ssc-probe-json: probe --json has a scsi object ($(echo "$scsi" | wc -l) fields) with LIO-ORG and the NAA" ||
    fail "ssc-probe-json:$p"

# 3PC and the copy operating parameters as the device answered (10-inquiry-3pc,
# 25-rcop): A 3PC=1, one segment and two target descriptors per command; D 3PC=0.
a_3pc=$(jv paths.0.scsi.three_pc); a_seg=$(jv paths.0.scsi.copy_operating_parameters.max_segment_descriptors)
a_tgt=$(jv paths.0.scsi.copy_operating_parameters.max_target_descriptors)
ssc probe "$LUN_D_SD" --json
d_3pc=$(jv paths.0.scsi.three_pc)
info "ssc-probe: three_pc A '$a_3pc' D '$d_3pc'; A max segment descriptors '$a_seg', max target descriptors '$a_tgt'"
[ "$a_3pc" = true ] && [ "$d_3pc" = false ] && [ "$a_seg" = 1 ] && [ "$a_tgt" = 2 ] &&
    pass "ssc-probe-3pc: three_pc true on A, false on D (emulate_3pc=0); A: 1 segment, 2 target descriptors per command" ||
    fail "ssc-probe-3pc: three_pc A '$a_3pc' D '$d_3pc' (expected true, false); A segments '$a_seg' targets '$a_tgt' (expected 1, 2)"
ssc probe "$LUN_D_SD"
info "ssc-probe: D: $(echo "$SSC_OUT" | grep -i '3pc' | head -3 | tr '\n' ' ')"

# Two LUNs: the xcopy verdict runs every check a copy makes short of the EXTENDED COPY
# (INQUIRY, VPD 0x83, READ CAPACITY, RCOP, the ambiguity rule).
xcopy_verdict() { # prints "verdict|reason" of the xcopy entry in SSC_JSON's backends
    i=0
    while [ $i -lt 6 ]; do
        if [ "$(jv backends.$i.name)" = xcopy ]; then echo "$(jv backends.$i.verdict)|$(jv backends.$i.reason)"; return; fi
        i=$((i + 1))
    done
    echo "missing|no xcopy entry"
}
ssc probe "$LUN_A_SD" "$LUN_B_SD" --json
ab=$(xcopy_verdict)
ssc probe "$LUN_A_SD" "$LUN_D_SD" --json
ad=$(xcopy_verdict)
ssc probe "$LUN_E_SD" "$LUN_B_SD" --json
eb=$(xcopy_verdict)
info "ssc-probe-pair: A->B '$ab'; A->D '$ad'; E->B '$eb'"
p=
case "$ab" in yes\|*) ;; *) p="$p A->B not yes;" ;; esac
case "$ad" in no\|*3PC=0*) ;; *) p="$p A->D not 'no' naming 3PC=0;" ;; esac
case "$eb" in no\|*ambiguous*) ;; *) p="$p E->B not 'no' naming the ambiguity;" ;; esac
[ -z "$p" ] && pass "ssc-probe-pair: xcopy verdicts yes for A->B, no for A->D (3PC=0) and E->B (ambiguous designator)" ||
    fail "ssc-probe-pair:$p"
