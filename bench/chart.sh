#!/usr/bin/env bash
# Makes the README's bench charts: `ssc-agent bench --cold --compare cp,dd,fio` on a
# 1 GiB file within an ext4 and within an XFS (reflink=1) filesystem, each on a loop
# device attached with --direct-io=on, so the disk is measured rather than the host's
# page cache. Writes OUTDIR/bench-ext4.{svg,json,txt} and OUTDIR/bench-xfs.{...}.
#   bench/chart.sh [path/to/ssc-agent] [OUTDIR]     (as root; RUNS=N, SIZE_MIB=N)
# Measure on a quiet machine: the whole-machine CPU column counts everything running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../.build/release/ssc-agent}")
out=$(realpath "${2:-$here/../docs}")
runs=${RUNS:-5}
size_mib=${SIZE_MIB:-1024}
[[ -x $bin ]] || { echo "chart: no ssc-agent binary at $bin" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "chart: needs root (loop devices, mounts, --cold)" >&2; exit 1; }
for tool in losetup mkfs.xfs mkfs.ext4 fio; do
    command -v $tool >/dev/null || { echo "chart: $tool is missing (make deps installs it)" >&2; exit 1; }
done
mkdir -p "$out"

tag=chart
# shellcheck source=bench/scratch-filesystems.sh
source "$here/scratch-filesystems.sh"
filesystem ext4 mkfs.ext4 -q -F
filesystem xfs mkfs.xfs -q -f -m reflink=1

for fs in ext4 xfs; do
    head -c ${size_mib}M /dev/urandom >"$work/$fs/src"
done
sync
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
cd "$work"   # short relative paths in the table and the chart
for fs in ext4 xfs; do
    echo
    "$bin" bench "$fs/src" "$fs/dst" --cold --runs "$runs" --compare cp,dd,fio \
        --chart "$out/bench-$fs.svg" | tee "$out/bench-$fs.txt" || status=1
    # A JSON report of the same kind of run, kept beside it as an example of the schema.
    "$bin" bench "$fs/src" "$fs/dst" --cold --runs 1 --compare cp,dd,fio --json >"$out/bench-$fs.json" || status=1
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
