# Sourced by compare.sh and chart.sh: a scratch directory with filesystems on loop
# devices attached with --direct-io=on (so the disk is measured, not the host's page
# cache), all removed on exit. Needs $tag (the caller's name, for messages) and
# $size_mib (each image is sized for a source, a copy and a spare of that size).
work=$(mktemp -d "/tmp/ssc-agent-$tag.XXXXXX")
loops=()
mounts=()
cleanup() {
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" || true; done
    for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

filesystem() {  # name mkfs...
    local name=$1; shift
    truncate -s $((size_mib * 3 + 512))M "$work/$name.img"
    local dev; dev=$(losetup --direct-io=on --find --show "$work/$name.img"); loops+=("$dev")
    [[ $(cat /sys/block/${dev#/dev/}/loop/dio) == 1 ]] || { echo "$tag: $dev did not take --direct-io=on" >&2; exit 1; }
    "$@" "$dev" >/dev/null 2>&1
    mkdir -p "$work/$name"; mount "$dev" "$work/$name"; mounts+=("$work/$name")
    echo "$name on $dev (direct-io=on)"
}
