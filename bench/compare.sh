#!/usr/bin/env bash
# Benchmarks ssc-agent's backends side by side with cp, dd and fio on 1 GiB files, on
# loop devices attached with --direct-io=on (so the disk is measured, not the host's
# page cache). Each case runs RUNS times (default 7); medians are printed with the
# ratios the project aims for. This is a benchmark, not a test: it reports, it does
# not fail on a missed goal.
#   bench/compare.sh [path/to/ssc-agent]        (as root; RUNS=N, SIZE_MIB=N)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../.build/release/ssc-agent}")
runs=${RUNS:-7}
size_mib=${SIZE_MIB:-1024}
[[ -x $bin ]] || { echo "compare: no ssc-agent binary at $bin" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "compare: needs root (loop devices, mounts, drop_caches)" >&2; exit 1; }
for tool in fio dd cp python3 mkfs.xfs mkfs.ext4; do
    command -v $tool >/dev/null || { echo "compare: $tool is missing (make deps installs it)" >&2; exit 1; }
done

tag=compare
# shellcheck source=bench/scratch-filesystems.sh
source "$here/scratch-filesystems.sh"
filesystem ext4 mkfs.ext4 -q -F
filesystem xfs mkfs.xfs -q -f -m reflink=1

echo "writing the ${size_mib} MiB sources"
head -c ${size_mib}M /dev/urandom >"$work/ext4/src"
cp "$work/ext4/src" "$work/xfs/src"
sync

results=$work/results.jsonl
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# Dropping the page cache frees memory that a virtual machine's balloon (free page
# reporting) hands back to the host; the next buffered copy then pays a host fault on
# every page-cache page it allocates, whichever tool it is (measured: 2.4 s instead of
# 0.8 s for 1 GiB). Buffered cases therefore touch three times the data size right
# after the drop, which brings that memory back. Freeing it again sets the reporting
# off in the background, which slows concurrent direct I/O, so the direct-I/O cases only
# drop the cache and all run before the buffered ones. No effect on bare metal.
prefault() { python3 -c "b = b'\x01' * ($size_mib * 3 << 20)"; }

# The cases, each "NAME|DST|direct, buffered or warm|command". The destination is
# removed before each run; direct and buffered drop the page cache first (data copies
# measure the disk; buffered also prefaults, see above); warm runs once untimed and then
# only syncs (reflink moves no data, and a cold cache would time loading the
# executables: 13 MiB of ssc-agent's 29 MiB file against 150 KiB for cp).
E=$work/ext4 X=$work/xfs
cases=(
    "ssc-agent aio|$E/dst|direct|$bin copy $E/src $E/dst --backend aio --fsync"
    "dd direct bs=1M|$E/dst|direct|dd if=$E/src of=$E/dst bs=1M iflag=direct oflag=direct conv=fdatasync"
    "fio libaio read+write|$E/dst|direct|fio --output-format=json --ioengine=libaio --direct=1 --bs=1M --iodepth=16 --end_fsync=1 --name=read --rw=read --filename=$E/src --size=${size_mib}M --name=write --rw=write --filename=$E/dst --size=${size_mib}M"
    "ssc-agent copy_file_range|$E/dst|buffered|$bin copy $E/src $E/dst --backend copy_file_range --fsync"
    "cp + sync|$E/dst|buffered|sh -c \"cp $E/src $E/dst && sync $E/dst\""
    "ssc-agent reflink (xfs)|$X/dst|warm|$bin copy $X/src $X/dst"
    "cp --reflink=always (xfs)|$X/dst|warm|cp --reflink=always $X/src $X/dst"
)

run_case() {  # run_case ROUND "NAME|DST|MODE|COMMAND"
    local round=$1; shift
    local name dst mode command
    IFS='|' read -r name dst mode command <<<"$1"
    if [[ $mode == warm ]]; then rm -f "$dst"; eval "$command" >/dev/null; fi
    rm -f "$dst"
    case $mode in
        direct) drop_caches ;;
        buffered) drop_caches; prefault ;;
        warm) sync ;;
    esac
    eval "python3 '$here/measure.py' $command" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read()); r["case"] = sys.argv[1]; r["round"] = int(sys.argv[2])
if r["status"] != 0: sys.exit("\n%s failed: %s" % (sys.argv[1], r["stderr"]))
print(json.dumps(r))' "$name" "$round" >>"$results"
}

# Phases by mode (direct, then buffered, then warm), each in rounds that run every case
# of the phase once, in turn, so drift of the host's storage hits every case alike.
for mode in direct buffered warm; do
    phase=()
    for c in "${cases[@]}"; do [[ $(cut -d'|' -f3 <<<"$c") == "$mode" ]] && phase+=("$c"); done
    [[ $mode == direct ]] || sleep 1
    for ((round = 1; round <= runs; round++)); do
        echo "$mode cases, round $round of $runs"
        for c in "${phase[@]}"; do run_case "$round" "$c"; done
    done
done

python3 - "$results" "$size_mib" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
gib = int(sys.argv[2]) / 1024
cases = {}
for r in rows:
    cases.setdefault(r["case"], []).append(r)

def fio_wall(r):
    # The copy ceiling: both jobs run at once; the slower one bounds the copy.
    jobs = json.loads(r["stdout"][r["stdout"].index("{"):])["jobs"] if r["stdout"].strip().startswith("{") else None
    return None if jobs is None else max(j["job_runtime"] for j in jobs) / 1000.0

summary = {}
print()
print(f'{"case":<27}{"median s":>9}{"min s":>8}{"max s":>8}{"MiB/s":>9}{"CPU s/GiB":>11}{"read MiB":>10}{"write MiB":>10}')
for name, rs in cases.items():
    walls = [r["wall"] for r in rs]
    if name.startswith("fio"):
        walls = [fio_wall(r) or r["wall"] for r in rs]
    med = statistics.median(walls)
    cpu = statistics.median(r["cpu"] for r in rs) / gib
    rd = statistics.median(r["read_bytes"] for r in rs) / 2**20
    wr = statistics.median(r["write_bytes"] for r in rs) / 2**20
    summary[name] = {"wall": med, "mibps": gib * 1024 / med, "cpu_per_gib": cpu}
    print(f'{name:<27}{med:>9.3f}{min(walls):>8.3f}{max(walls):>8.3f}{gib*1024/med:>9.0f}{cpu:>11.3f}{rd:>10.0f}{wr:>10.0f}')

def per_round(a, b, key):
    # Cases of one phase run side by side in each round: the ratio within a round
    # cancels the host's slow drift, and its median is steadier than a ratio of medians.
    def value(r):
        w = fio_wall(r) if r["case"].startswith("fio") else None
        w = w or r["wall"]
        return r["cpu"] / gib if key == "cpu" else w
    by_round = lambda name: {r["round"]: value(r) for r in cases[name]}
    ra, rb = by_round(a), by_round(b)
    rounds = sorted(set(ra) & set(rb))
    if key == "throughput":
        return statistics.median(rb[k] / ra[k] for k in rounds)  # time of b / time of a
    return statistics.median(ra[k] / rb[k] for k in rounds)

def ratio(label, medians, rounds, goal, better):
    ok = lambda v: v >= goal if better == "higher" else v <= goal
    sign = "≥" if better == "higher" else "≤"
    print(f'{label:<50}{medians:>7.2f}x {rounds:>10.2f}x   goal {sign} {goal}  {"met" if ok(rounds) else "MISSED"}')

print()
print(f'{"":<50}{"medians":>8} {"per round":>11}')
s = summary
aio, dd, fio = "ssc-agent aio", "dd direct bs=1M", "fio libaio read+write"
cfr, cp = "ssc-agent copy_file_range", "cp + sync"
ref, cpref = "ssc-agent reflink (xfs)", "cp --reflink=always (xfs)"
ratio("aio throughput / dd direct throughput", s[aio]["mibps"] / s[dd]["mibps"], per_round(aio, dd, "throughput"), 1.1, "higher")
ratio("aio throughput / fio paired read+write ceiling", s[aio]["mibps"] / s[fio]["mibps"], per_round(aio, fio, "throughput"), 0.9, "higher")
ratio("aio CPU s/GiB / dd CPU s/GiB", s[aio]["cpu_per_gib"] / s[dd]["cpu_per_gib"], per_round(aio, dd, "cpu"), 1.0, "lower")
ratio("copy_file_range throughput / cp throughput", s[cfr]["mibps"] / s[cp]["mibps"], per_round(cfr, cp, "throughput"), 0.95, "higher")
ratio("reflink process time / cp --reflink=always time", s[ref]["wall"] / s[cpref]["wall"], 1 / per_round(ref, cpref, "throughput"), 2.0, "lower")
PY
