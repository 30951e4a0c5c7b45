#!/usr/bin/env bash
# The main job until the socket server exists: builds scratch loop filesystems (btrfs,
# XFS with reflink, two ext4, tmpfs) and two loop block devices, copies a partly
# sparse 256 MiB file between them with ssc-agent, and shows which backend each copy
# used and why the others were passed over. Everything is removed at the end.
set -euo pipefail
bin=$(realpath "${1:-.build/release/ssc-agent}")
[[ -x $bin ]] || { echo "demo: no ssc-agent binary at $bin (run make run)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "demo: needs root to create loop devices and mounts" >&2; exit 1; }

work=$(mktemp -d /tmp/ssc-agent-demo.XXXXXX)
loops=()
mounts=()
cleanup() {
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || true; done
    for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

filesystem() {  # name mkfs-command...
    local name=$1; shift
    truncate -s 1G "$work/$name.img"
    local dev; dev=$(losetup --find --show "$work/$name.img"); loops+=("$dev")
    "$@" "$dev" >/dev/null 2>&1
    mkdir -p "$work/$name"; mount "$dev" "$work/$name"; mounts+=("$work/$name")
}
echo "== scratch filesystems in $work"
filesystem btrfs mkfs.btrfs -q -f
filesystem xfs mkfs.xfs -q -f -m reflink=1
filesystem ext4 mkfs.ext4 -q -F
filesystem ext4b mkfs.ext4 -q -F
mkdir -p "$work/tmpfs"; mount -t tmpfs -o size=600m tmpfs "$work/tmpfs"; mounts+=("$work/tmpfs")
for d in a b; do
    truncate -s 300M "$work/dev$d.img"
    dev=$(losetup --find --show "$work/dev$d.img"); loops+=("$dev"); eval "dev_$d=$dev"
done

# 256 MiB: 192 MiB of data, a 32 MiB hole inside and a 32 MiB hole at the end.
src=$work/ext4/source
head -c 96M /dev/urandom >"$src"
dd if=/dev/urandom of="$src" bs=1M count=96 seek=128 conv=notrunc status=none
truncate -s 256M "$src"
sum() { head -c 268435456 "$1" | sha256sum | cut -c1-16; }
want=$(sum "$src")
echo "source: $src, 256 MiB with holes, sha256 $want..."
echo

copy() {  # label from to [options]
    local label=$1 from=$2 to=$3; shift 3
    local out
    if ! out=$("$bin" copy "$from" "$to" --json "$@"); then
        echo "demo: copy $label failed: $out" >&2; exit 1
    fi
    local backend; backend=$(grep -o '"backend":"[^"]*"' <<<"$out" | head -1 | cut -d'"' -f4)
    local seconds; seconds=$(grep -o '"seconds":[0-9.e-]*' <<<"$out" | cut -d: -f2)
    local got; got=$(sum "$to")
    local check=ok; [[ $got == "$want" ]] || check="MISMATCH"
    printf '%-28s %-16s %8.3f s  data %s\n' "$label" "$backend" "$seconds" "$check"
    [[ $check == ok ]] || exit 1
}

printf '%-28s %-16s %10s  %s\n' "copy" "backend" "time" "check"
copy "ext4 -> btrfs" "$src" "$work/btrfs/a"
copy "btrfs -> btrfs" "$work/btrfs/a" "$work/btrfs/b"
copy "ext4 -> xfs" "$src" "$work/xfs/a"
copy "xfs -> xfs" "$work/xfs/a" "$work/xfs/b"
copy "ext4 -> ext4 (same fs)" "$src" "$work/ext4/b"
copy "ext4 -> ext4 (other fs)" "$src" "$work/ext4b/a"
copy "ext4 -> tmpfs" "$src" "$work/tmpfs/a"
copy "file -> block device" "$src" "$dev_a"
copy "block -> block device" "$dev_a" "$dev_b" --count 256M
echo
echo "== why: ssc-agent copy $src $work/xfs/c --explain"
"$bin" copy "$src" "$work/xfs/c" --explain
echo
echo "== ssc-agent probe $work/btrfs/a $work/xfs/new"
"$bin" probe "$work/btrfs/a" "$work/xfs/new"
echo
echo "== ssc-agent probe $dev_a $dev_b"
"$bin" probe "$dev_a" "$dev_b"
