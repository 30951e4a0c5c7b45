#!/bin/sh
# Partitions: EXTENDED COPY addresses LBAs from the start of the logical unit, so the
# agent adds each partition's start. A gets partition 1 at sector 2048, B at sector
# 6144 (16 MiB each); copying /dev/sdX1 to /dev/sdY1 must land at B's sector 6144,
# leave B's sectors before it alone, and read back equal to A's sectors from 2048.
# The partition tables are wiped again at the end.
. /lab/lib.sh
need_agent ssc-xcopy-partitions

PART_SECTORS=32768

le32() { # value: four octal escapes, little endian, for printf's format
    _v=$1; _out=
    for _i in 1 2 3 4; do _out="$_out\\$(printf '%03o' $((_v & 255)))"; _v=$((_v >> 8)); done
    printf '%s' "$_out"
}

# mbr DEV START: one Linux partition (type 0x83) of PART_SECTORS at sector START in
# an MBR (partition entry at byte 446, signature 0x55AA at 510), then re-read.
mbr() {
    dd if=/dev/zero of="$1" bs=512 count=1 conv=notrunc,fsync 2>/dev/null
    printf "\\000\\000\\000\\000\\203\\000\\000\\000$(le32 "$2")$(le32 $PART_SECTORS)" |
        dd of="$1" bs=1 seek=446 conv=notrunc,fsync 2>/dev/null
    printf '\125\252' | dd of="$1" bs=1 seek=510 conv=notrunc,fsync 2>/dev/null
    blockdev --rereadpt "$1"
}

wait_node() { # dev: up to 5 s for devtmpfs to create it
    _n=0
    while [ ! -b "$1" ] && [ $_n -lt 50 ]; do sleep 0.1; _n=$((_n + 1)); done
    [ -b "$1" ]
}

wipe() {
    for d in "$LUN_A_SD" "$LUN_B_SD"; do
        dd if=/dev/zero of="$d" bs=512 count=1 conv=notrunc,fsync 2>/dev/null
        blockdev --rereadpt "$d" 2>/dev/null
    done
}

fill_dev /dev/zero "$LUN_B_SD" "$(dev_blocks "$LUN_B_SD")"
fill_dev /dev/urandom "$LUN_A_SD" "$(dev_blocks "$LUN_A_SD")"
mbr "$LUN_A_SD" 2048
mbr "$LUN_B_SD" 6144
if ! wait_node "${LUN_A_SD}1" || ! wait_node "${LUN_B_SD}1"; then
    fail "ssc-xcopy-partitions: ${LUN_A_SD}1 or ${LUN_B_SD}1 did not appear after re-reading the partition tables"
    wipe
    exit 0
fi
info "ssc-xcopy-partitions: $(cat /sys/class/block/${LUN_A_SD#/dev/}1/start) and $(cat /sys/class/block/${LUN_B_SD#/dev/}1/start) are the partition starts"
zeros_before=$(dev_sum "$LUN_B_SD" 4096 2048)

ssc copy "${LUN_A_SD}1" "${LUN_B_SD}1" --backend xcopy --json
src=$(dev_sum "$LUN_A_SD" $PART_SECTORS 2048)
dst=$(dev_sum "$LUN_B_SD" $PART_SECTORS 6144)
zeros_after=$(dev_sum "$LUN_B_SD" 4096 2048)
p=
[ "$SSC_RC" = 0 ] || p="$p exit $SSC_RC: $(jv error.message);"
[ "$(jv backend)" = xcopy ] || p="$p backend '$(jv backend)';"
[ "$(jv bytes)" = $((PART_SECTORS * 512)) ] || p="$p bytes '$(jv bytes)';"
[ "$src" = "$dst" ] || p="$p B's sectors from 6144 differ from A's sectors from 2048;"
[ "$zeros_before" = "$zeros_after" ] || p="$p B's sectors 2048..6143 (outside its partition) changed;"
[ -z "$p" ] && pass "ssc-xcopy-partitions: ${LUN_A_SD}1 (sector 2048) -> ${LUN_B_SD}1 (sector 6144) by xcopy, data in place, B outside the partition untouched" ||
    fail "ssc-xcopy-partitions:$p"
wipe
