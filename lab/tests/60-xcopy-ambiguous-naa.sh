#!/bin/sh
# LUN F's serial shares its first 25 hex digits with LUN E's, so both carry the
# same NAA.  LIO resolves a target descriptor to the receiving LUN when the NAA
# is its own, else it searches the session's LUNs and takes the first match:
# with E and F both there, it picks one of them.  Record where the data really
# goes; every case is an EXTENDED COPY that ends GOOD.  An initiator must refuse
# ambiguous designators (ssc-agent does: 87-ssc-xcopy-ambiguous-naa.sh).
. /lab/lib.sh

n=2048
NB=$(naa_of "$LUN_B_SG"); NE=$(naa_of "$LUN_E_SG"); NF=$(naa_of "$LUN_F_SG")
info "xcopy-ambiguous-naa: NAA(E) $NE NAA(F) $NF NAA(B) $NB"
fill() { for x in B E F; do eval "fill_dev /dev/urandom \$LUN_${x}_SD $n"; done; }
snap() { # prefix: record sums of B, E, F
    for x in B E F; do eval "${1}_$x=\$(dev_sum \$LUN_${x}_SD $n)"; done
}
# whose old data does LUN $1 hold now, by comparing its sum with the "before" sums
holds() {
    eval "now=\$after_$1"
    for y in B E F; do eval "[ \"\$now\" = \"\$before_$y\" ] && { echo \"\$y's data\"; return; }"; done
    echo "other data"
}
result() { # name, status, expected description, observed description
    if [ "$2" != 0 ]; then fail "$1: EXTENDED COPY failed ($2)"
    elif [ "$3" = "$4" ]; then pass "$1: GOOD, $4"
    else fail "$1: GOOD, expected $3 but observed $4"; fi
}

# 1. sg_xcopy if=E of=B with its default (command sent to B, the destination):
#    the source descriptor (E's NAA) is looked up, and LIO takes F.
fill; snap before
out=$(sg_xcopy if="$LUN_E_SG" of="$LUN_B_SG" bs=512 count=$n 2>&1); rc=$?
snap after
obs="B now holds $(holds B)"
info "xcopy-ambiguous-naa: sg_xcopy E->B sent to B: exit $rc, $obs"
result xcopy-ambiguous-naa-source "$rc" "B now holds F's data" "$obs"

# 2. raw EXTENDED COPY sent to B, B -> NAA(E): the destination is looked up.
fill; snap before
out=$(xcopy_lid1 "$LUN_B_SG" "$NB" "$NE" $n 0 0); rc=$?
snap after
obs="E now holds $(holds E), F now holds $(holds F)"
info "xcopy-ambiguous-naa: B -> NAA(E) sent to B: exit $rc, $obs"
result xcopy-ambiguous-naa-destination "$rc" "E now holds E's data, F now holds B's data" "$obs"

# 3. E -> B sent to E itself: the NAA is the receiving LUN's own, no lookup.
fill; snap before
out=$(xcopy_lid1 "$LUN_E_SG" "$NE" "$NB" $n 0 0); rc=$?
snap after
obs="B now holds $(holds B)"
info "xcopy-ambiguous-naa: E -> B sent to E: exit $rc, $obs"
result xcopy-ambiguous-naa-local "$rc" "B now holds E's data" "$obs"

# 4. "E -> F" sent to E: both descriptors carry the receiving LUN's own NAA.
#    LIO takes the destination as the local LUN (E) and looks the source up.
fill; snap before
out=$(xcopy_lid1 "$LUN_E_SG" "$NE" "$NF" $n 0 0); rc=$?
snap after
obs="E now holds $(holds E), F now holds $(holds F)"
info "xcopy-ambiguous-naa: NAA(E) -> NAA(F) sent to E: exit $rc, $obs"
result xcopy-ambiguous-naa-both "$rc" "E now holds F's data, F now holds F's data" "$obs"
