#!/bin/sh
# VPD 0x83 (device identification): every LUN has an NAA designator; LIO builds it
# from the first 25 hex digits of vpd_unit_serial, so A and E (serials differing
# only at the end) get identical NAAs while A and B differ.
. /lab/lib.sh

for x in A B C D E; do
    eval "sg=\$LUN_${x}_SG"
    eval "NAA_$x=\$(naa_of $sg)"
    eval "info \"vpd-naa: LUN $x \$NAA_$x\""
done
ok=1
for x in A B C D E; do
    eval "v=\$NAA_$x"
    case "$v" in
        6???????????????????????????????) ;;
        *) ok=0; fail "vpd-naa-present: LUN $x has no NAA type 6 designator ('$v')" ;;
    esac
done
[ $ok = 1 ] && pass "vpd-naa-present: LUNs A-E carry NAA 6 designators"
if [ -n "$NAA_A" ] && [ "$NAA_A" = "$NAA_E" ]; then
    pass "vpd-naa-collision: LUN A and LUN E share NAA $NAA_A"
else
    fail "vpd-naa-collision: expected identical NAAs for A and E, got '$NAA_A' and '$NAA_E'"
fi
[ -n "$NAA_A" ] && [ "$NAA_A" != "$NAA_B" ] && pass "vpd-naa-distinct: LUN A and LUN B differ" ||
    fail "vpd-naa-distinct: A '$NAA_A' B '$NAA_B'"
