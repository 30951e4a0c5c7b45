#!/bin/bash
# ssc-agent device lab: boots Debian's kernel under qemu (TCG) with an
# initramfs that configures LIO on tcm_loop, runs lab/tests/*.sh in the guest
# and prints their results.  See lab/README.md.
#
#   lab/run.sh [--binary PATH] [--tests DIR] [--timeout SECS] [--build-only]
#
# Exit status: 0 when every guest test passed, 1 otherwise.  The last line
# printed by a run (not by --help or --build-only) is always "N passed, N failed".
set -euo pipefail

LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${LAB_CACHE:-$LAB/cache}
OUT=${LAB_OUT:-$LAB/out}
TESTS=$LAB/tests
BINARY=
TIMEOUT=${LAB_TIMEOUT:-600}        # host-side limit for the whole VM run
TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-120}  # guest-side limit per test script
BUILD_ONLY=0
APT_UPDATED=0

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

T0=${EPOCHREALTIME/./}
log() {
    local us=$(( ${EPOCHREALTIME/./} - T0 ))
    printf '[lab %4d.%ds] %s\n' $((us / 1000000)) $((us / 100000 % 10)) "$*"
}

# Print the final line and exit; used for failures before the guest ran too,
# so that the closing line is always there.
finish() { # passed failed
    echo "$1 passed, $2 failed"
    if [ "$2" -eq 0 ] && [ "$1" -gt 0 ]; then exit 0; fi
    exit 1
}
die() { echo "lab: error: $*" >&2; echo "FAIL lab-host: $*"; finish 0 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) BINARY=${2:?--binary needs a path}; shift 2 ;;
        --binary=*) BINARY=${1#*=}; shift ;;
        --tests) TESTS=${2:?--tests needs a directory}; shift 2 ;;
        --tests=*) TESTS=${1#*=}; shift ;;
        --timeout) TIMEOUT=${2:?}; shift 2 ;;
        --timeout=*) TIMEOUT=${1#*=}; shift ;;
        --build-only) BUILD_ONLY=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "lab: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, dpkg -x of the kernel)"
[ -d "$TESTS" ] || die "tests directory not found: $TESTS"
TESTS=$(cd "$TESTS" && pwd)
if [ -n "$BINARY" ]; then
    [ -f "$BINARY" ] && [ -x "$BINARY" ] || die "--binary is not an executable file: $BINARY"
    BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
fi
mkdir -p "$CACHE" "$OUT"
# one run at a time per output directory (set LAB_OUT for a second one)
exec 9>"$OUT/.lock"
flock -n 9 || die "another lab run holds $OUT/.lock"

# ---------------------------------------------------------------- packages
apt_update_once() {
    if [ "$APT_UPDATED" = 0 ]; then
        log "apt-get update"
        apt-get update -q >"$OUT/apt-update.log" 2>&1 || { cat "$OUT/apt-update.log" >&2; die "apt-get update failed"; }
        APT_UPDATED=1
    fi
}

ensure_packages() {
    local missing=() p
    for p in qemu-system-x86 busybox-static sg3-utils ddpt kmod xz-utils cpio; do
        if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
            missing+=("$p")
        fi
    done
    if [ ${#missing[@]} -gt 0 ]; then
        apt_update_once
        log "apt-get install ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            -o DPkg::Lock::Timeout=300 "${missing[@]}" \
            >"$OUT/apt-install.log" 2>&1 || { tail -20 "$OUT/apt-install.log" >&2; die "apt-get install failed"; }
    fi
}

log "checking host packages"
ensure_packages

# ------------------------------------------------------------------ kernel
# Resolve the package behind the linux-image-amd64 meta package.
resolve_kernel_pkg() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

KPKG=$(resolve_kernel_pkg || true)
if [ -z "$KPKG" ]; then
    apt_update_once
    KPKG=$(resolve_kernel_pkg || true)
fi
if [ -z "$KPKG" ]; then
    # Offline and no package lists: fall back to the newest kernel in the cache.
    KPKG=$(ls -d "$CACHE"/linux-image-*-amd64 2>/dev/null | sort -V | tail -1 | xargs -r basename)
    [ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 and no kernel in $CACHE"
    log "apt cannot resolve linux-image-amd64; using cached $KPKG"
fi
KVER=${KPKG#linux-image-}
KDIR=$CACHE/$KPKG
log "kernel package $KPKG"

if [ ! -f "$KDIR/.ready" ]; then
    deb=$(ls "$CACHE"/debs/"${KPKG}"_*.deb 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$deb" ]; then
        apt_update_once
        log "apt-get download $KPKG"
        tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
        if (cd "$tmp" && apt-get download -q "$KPKG" >"$OUT/apt-download.log" 2>&1); then
            mkdir -p "$CACHE/debs"
            mv "$tmp"/*.deb "$CACHE/debs/"
            deb=$(ls "$CACHE"/debs/"${KPKG}"_*.deb | sort -V | tail -1)
        fi
        rm -rf "$tmp"
    fi
    if [ -z "$deb" ]; then
        # No network?  An older kernel that is already unpacked will do.
        old=$(ls "$CACHE"/linux-image-*-amd64/.ready 2>/dev/null | sort -V | tail -1 || true)
        [ -n "$old" ] || { cat "$OUT/apt-download.log" >&2; die "apt-get download $KPKG failed"; }
        KPKG=$(basename "$(dirname "$old")"); KVER=${KPKG#linux-image-}; KDIR=$CACHE/$KPKG
        log "apt-get download failed; using cached $KPKG"
    fi
fi
if [ ! -f "$KDIR/.ready" ]; then
    log "unpacking $(basename "$deb")"
    rm -rf "$KDIR"
    dpkg -x "$deb" "$KDIR"
    [ -d "$KDIR/lib/modules/$KVER" ] || die "no lib/modules/$KVER in $deb"
    depmod -b "$KDIR" "$KVER"
    # The bzImage carries the kernel as one xz stream; the uncompressed ELF
    # boots in half the time under TCG (no in-guest decompression).
    vmlinuz=$KDIR/boot/vmlinuz-$KVER
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
    [ -n "$off" ] || die "no xz stream in $vmlinuz"
    tail -c +"$((off + 1))" "$vmlinuz" | xz -dc --single-stream >"$KDIR/vmlinux" 2>/dev/null || true
    [ "$(head -c 4 "$KDIR/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] ||
        die "extracting vmlinux from $vmlinuz failed"
    touch "$KDIR/.ready"
else
    log "kernel cached in $KDIR"
fi

# --------------------------------------------------------------- initramfs
ROOT=$OUT/initramfs
rm -rf "$ROOT"
mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib,usr/lib64,usr/local/bin,dev,proc,sys,tmp,run,etc,lab/tests,lab/modules}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$ROOT/$d"; done   # merged /usr, as on the host

# copy FILE with its ldd closure; every library lands at the path the host
# resolves it to, so the dynamic loader finds it exactly as on the host.
copy_file() { # src [dst]
    local src=$1 dst=${2:-$1}
    mkdir -p "$ROOT$(dirname "$dst")"
    cp -L "$src" "$ROOT$dst"
}
copy_closure() { # binary [dst]
    local bin=$1 lib
    copy_file "$bin" "${2:-$bin}"
    # "name => /path (0x...)", "/lib64/ld-linux-x86-64.so.2 (0x...)"; static
    # binaries make ldd fail, which is fine.
    for lib in $(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
        [ -e "$ROOT$lib" ] || copy_file "$lib"
    done
}

log "building initramfs"
BB=$(dpkg -L busybox-static | grep -E '/s?bin/busybox$' | head -1)
copy_file "$BB" /usr/bin/busybox
for a in $("$ROOT/usr/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$ROOT/usr/bin/$a"
done
for b in $(dpkg -L sg3-utils ddpt | grep -E '^/usr/s?bin/[^/]+$'); do
    [ -f "$b" ] && copy_closure "$b"
done

# modules in insmod order, dependencies first, each once
MODS="configfs target_core_mod target_core_file target_core_iblock tcm_loop scsi_mod sd_mod sg"
: >"$ROOT/lab/modules/order"
deps=$(for m in $MODS; do modprobe -d "$KDIR" -S "$KVER" --show-depends "$m" || exit 1; done) ||
    die "modprobe --show-depends failed for one of: $MODS"
echo "$deps" | awk '$1 == "insmod" { print $2 }' | while read -r ko; do
    name=$(basename "$ko")
    grep -qxF "$name" "$ROOT/lab/modules/order" && continue
    case "$name" in
        *.ko.xz) xz -dc "$ko" >"$ROOT/lab/modules/${name%.xz}"; name=${name%.xz} ;;
        *.ko.zst) zstd -qdc "$ko" >"$ROOT/lab/modules/${name%.zst}"; name=${name%.zst} ;;
        *) cp "$ko" "$ROOT/lab/modules/" ;;
    esac
    echo "$name" >>"$ROOT/lab/modules/order"
done
[ -s "$ROOT/lab/modules/order" ] || die "no modules resolved"

cp "$LAB/guest/init" "$ROOT/init"
cp "$LAB/guest/lib.sh" "$ROOT/lab/lib.sh"
chmod 755 "$ROOT/init"
ntests=0
for t in "$TESTS"/*.sh; do
    [ -f "$t" ] || continue
    cp "$t" "$ROOT/lab/tests/"
    ntests=$((ntests + 1))
done
[ "$ntests" -gt 0 ] || die "no tests in $TESTS"

SSC_AGENT=
SSC_FRONT=
if [ -n "$BINARY" ]; then
    SSC_AGENT=/usr/local/bin/ssc-agent
    copy_closure "$BINARY" "$SSC_AGENT"
    # The C example NFS front (clients/c), linked statically, drives the agent in the
    # guest as nfsd would: descriptors over the socket.
    SSC_FRONT=/usr/local/bin/ssc-example-front
    make -s -C "$LAB/../clients/c" OUT="$OUT/client" CC="cc -static" >/dev/null ||
        die "building the example front (clients/c) failed"
    copy_file "$OUT/client/example_front" "$SSC_FRONT"
fi
cat >"$ROOT/lab/lab.conf" <<EOF
LAB_KERNEL=$KVER
LAB_TEST_TIMEOUT=$TEST_TIMEOUT
SSC_AGENT=$SSC_AGENT
SSC_FRONT=$SSC_FRONT
EOF
# LAB_GUEST_* variables of the host's environment go to the guest tests too
# (e.g. LAB_GUEST_RUNS for lab/bench-xcopy.sh); plain words only.
for v in $(compgen -e | grep '^LAB_GUEST_[A-Za-z0-9_]*$' || true); do
    [[ ${!v} =~ ^[A-Za-z0-9_.,:/+=-]*$ ]] || die "$v: only letters, digits and _.,:/+=- in LAB_GUEST_* values"
    echo "$v=${!v}" >>"$ROOT/lab/lab.conf"
done

# Uncompressed newc archive: the kernel unpacks it without decompressing
# under emulation.
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) >"$OUT/initramfs.cpio"
log "initramfs: $(du -m "$OUT/initramfs.cpio" | cut -f1) MiB, $(wc -l <"$ROOT/lab/modules/order") modules, $ntests test scripts${SSC_AGENT:+, $SSC_AGENT}"

if [ "$BUILD_ONLY" = 1 ]; then
    log "--build-only: $KDIR/vmlinux $OUT/initramfs.cpio"
    exit 0
fi

# -------------------------------------------------------------------- boot
RESULTS=$OUT/results.txt
CONSOLE=$OUT/console.log
rm -f "$RESULTS" "$CONSOLE"
: >"$RESULTS"
log "booting guest (timeout ${TIMEOUT}s); console -> stdout and $CONSOLE"
# ttyS0: console (kernel + test output) to stdout; ttyS1: result lines only,
# into a file that nothing else writes to, so kernel messages cannot garble them.
set +e
# stdin is /dev/null: the guest needs no input, and the terminal stays out of
# raw mode (Ctrl-C stops the run through timeout).
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
    -accel tcg,thread=multi -cpu max -m 1024 -smp 2 -nographic \
    -no-reboot -nic none \
    -kernel "$KDIR/vmlinux" -initrd "$OUT/initramfs.cpio" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1" \
    -serial mon:stdio -serial "file:$RESULTS" </dev/null 2>&1 |
    sed -u 's/\r$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' | tee "$CONSOLE"
qrc=${PIPESTATUS[0]}
set -e
log "guest finished (qemu exit status $qrc)"

# ----------------------------------------------------------------- results
tr -d '\r' <"$RESULTS" >"$RESULTS.clean"
grep -E '^(PASS|FAIL|SKIP) ' "$RESULTS.clean" >"$OUT/summary.txt" || true
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    echo "FAIL lab-guest: timed out after ${TIMEOUT}s (qemu killed)" >>"$OUT/summary.txt"
elif ! grep -qx 'LAB-DONE' "$RESULTS.clean"; then
    echo "FAIL lab-guest: guest stopped before finishing (qemu status $qrc); see $CONSOLE" >>"$OUT/summary.txt"
fi
echo
echo "==== lab results (kernel $KVER) ===="
grep -E '^INFO ' "$RESULTS.clean" || true
cat "$OUT/summary.txt"
passed=$(grep -c '^PASS ' "$OUT/summary.txt" || true)
failed=$(grep -c '^FAIL ' "$OUT/summary.txt" || true)
skipped=$(grep -c '^SKIP ' "$OUT/summary.txt" || true)
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
log "done"
finish "$passed" "$failed"
