#!/bin/sh
# VPD 0x83 (device identification): every LUN has an NAA designator; LIO builds it
# from the first 25 hex digits of vpd_unit_serial, so E and F (serials differing
# only at the end) get identical NAAs while A, B, C, D and E all differ.
. /lab/lib.sh

for x in A B C D E F; do
    eval "sg=\$LUN_${x}_SG"
    eval "NAA_$x=\$(naa_of $sg)"
    eval "info \"vpd-naa: LUN $x \$NAA_$x\""
done
ok=1
for x in A B C D E F; do
    eval "v=\$NAA_$x"
    case "$v" in
        6???????????????????????????????) ;;
        *) ok=0; fail "vpd-naa-present: LUN $x has no NAA type 6 designator ('$v')" ;;
    esac
done
[ $ok = 1 ] && pass "vpd-naa-present: LUNs A-F carry NAA 6 designators"
if [ -n "$NAA_E" ] && [ "$NAA_E" = "$NAA_F" ]; then
    pass "vpd-naa-collision: LUN E and LUN F share NAA $NAA_E"
else
    fail "vpd-naa-collision: expected identical NAAs for E and F, got '$NAA_E' and '$NAA_F'"
fi
# A..E pairwise distinct: only E and F collide.
dups=$(printf '%s\n' "$NAA_A" "$NAA_B" "$NAA_C" "$NAA_D" "$NAA_E" | sort | uniq -d)
[ -n "$NAA_A" ] && [ -z "$dups" ] && pass "vpd-naa-distinct: LUNs A, B, C, D, E carry five different NAAs" ||
    fail "vpd-naa-distinct: duplicated among A-E: '$dups' (A '$NAA_A' B '$NAA_B' E '$NAA_E')"
