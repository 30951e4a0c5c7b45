#!/bin/sh
# Standard INQUIRY: LIO reports 3PC=1 by default and 3PC=0 on the LUN whose
# backstore has attrib/emulate_3pc=0 (LUN D).
. /lab/lib.sh

tpc() { sg_inq "$1" 2>&1 | grep -o '3PC=[01]' | head -1; }
a=$(tpc "$LUN_A_SG")
d=$(tpc "$LUN_D_SG")
vendor=$(sg_inq "$LUN_A_SG" 2>&1 | sed -n 's/^ *Vendor identification: *//p')
info "inquiry: LUN A $a, LUN D $d, vendor '$vendor'"
[ "$a" = 3PC=1 ] && pass "inquiry-3pc-on: LUN A reports 3PC=1" || fail "inquiry-3pc-on: LUN A reports '${a:-no 3PC field}'"
[ "$d" = 3PC=0 ] && pass "inquiry-3pc-off: LUN D (emulate_3pc=0) reports 3PC=0" || fail "inquiry-3pc-off: LUN D reports '${d:-no 3PC field}'"
