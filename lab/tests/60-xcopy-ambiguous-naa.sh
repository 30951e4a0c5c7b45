#!/bin/sh
# LUN E's serial shares its first 25 hex digits with LUN A's, so both carry the
# same NAA.  LIO resolves a target descriptor to the receiving LUN when the NAA
# is its own, else it searches the session's LUNs: with A and E both there, it
# picks one of them.  Record where the data really goes; every case is an
# EXTENDED COPY that ends GOOD.  An initiator must refuse ambiguous designators.
. /lab/lib.sh

n=2048
NA=$(naa_of "$LUN_A_SG"); NB=$(naa_of "$LUN_B_SG")
fill() { for x in A B E; do eval "fill_dev /dev/urandom \$LUN_${x}_SD $n"; done; }
snap() { # prefix: record sums of A, B, E
    for x in A B E; do eval "${1}_$x=\$(dev_sum \$LUN_${x}_SD $n)"; done
}
# whose old data does LUN $1 hold now, by comparing its sum with the "before" sums
holds() {
    eval "now=\$after_$1"
    for y in A B E; do eval "[ \"\$now\" = \"\$before_$y\" ] && { echo \"\$y's data\"; return; }"; done
    echo "other data"
}
result() { # name, status, expected description, observed description
    if [ "$2" != 0 ]; then fail "$1: EXTENDED COPY failed ($2)"
    elif [ "$3" = "$4" ]; then pass "$1: GOOD, $4"
    else fail "$1: GOOD, expected $3 but observed $4"; fi
}

# 1. sg_xcopy if=A of=B with its default (command sent to B, the destination):
#    the source descriptor (A's NAA) is looked up, and LIO takes E.
fill; snap before
out=$(sg_xcopy if="$LUN_A_SG" of="$LUN_B_SG" bs=512 count=$n 2>&1); rc=$?
snap after
obs="B now holds $(holds B)"
info "xcopy-ambiguous-naa: sg_xcopy A->B sent to B: exit $rc, $obs"
result xcopy-ambiguous-naa-source "$rc" "B now holds E's data" "$obs"

# 2. raw EXTENDED COPY sent to B, B -> NAA(A): the destination is looked up.
fill; snap before
out=$(xcopy_lid1 "$LUN_B_SG" "$NB" "$NA" $n 0 0); rc=$?
snap after
obs="A now holds $(holds A), E now holds $(holds E)"
info "xcopy-ambiguous-naa: B -> NAA(A) sent to B: exit $rc, $obs"
result xcopy-ambiguous-naa-destination "$rc" "A now holds A's data, E now holds B's data" "$obs"

# 3. the same copy sent to A itself: the NAA is the receiving LUN's own, no lookup.
fill; snap before
out=$(xcopy_lid1 "$LUN_A_SG" "$NA" "$NB" $n 0 0); rc=$?
snap after
obs="B now holds $(holds B)"
info "xcopy-ambiguous-naa: A -> B sent to A: exit $rc, $obs"
result xcopy-ambiguous-naa-local "$rc" "B now holds A's data" "$obs"
