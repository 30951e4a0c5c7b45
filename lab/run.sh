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

# The host's qemu-system-x86 (bookworm: 7.2) stays in the list although the lab
# boots bookworm-backports' qemu (below): it is the fallback, and its
# dependencies are the shared libraries the unpacked backports binary links
# (libslirp0, libfdt1, libcapstone4, libpmem1, ...), which nothing else installs.
ensure_packages() {
    local missing=() p
    for p in qemu-system-x86 busybox-static sg3-utils ddpt strace kmod xz-utils cpio; do
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

# -------------------------------------------------------------------- qemu
# qemu-system-x86 from bookworm-backports (qemu >= 8 translates x86 code
# position-independently, so a new process's code at a new ASLR address is not
# translated again; bookworm's 7.2 translates it per virtual address), fetched
# through a private apt state in $CACHE/apt with its own sources list: the host's
# apt configuration and installed packages stay as they are.  The .debs are
# unpacked into $CACHE/qemu-<version>/ and run from there (-L for the firmware,
# QEMU_MODULE_DIR for the modules).  LAB_QEMU: unset or "auto" (backports, else
# the host's qemu), "backports" (no fallback), "system" (the host's
# qemu-system-x86), or the path of a qemu-system-x86_64 binary.
QEMU_SUITE=bookworm-backports
QAPT=$CACHE/apt
QAPT_UPDATED=0
QEMU_BIN=
QEMU_ENV=()     # QEMU_MODULE_DIR=... for an unpacked tree
QEMU_ARGS=()    # -L ... for an unpacked tree

qapt() { # apt-get|apt-cache ARGS...: with the private sources, lists and cache
    local tool=$1; shift
    "$tool" -o Dir::Etc::SourceList="$QAPT/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::State::Lists="$QAPT/lists" -o Dir::Cache="$QAPT/cache" "$@"
}
qapt_update() {
    QAPT_UPDATED=1
    log "apt-get update (private state in $QAPT: bookworm, -updates, -security, -backports)"
    # apt-get update exits 0 when it cannot reach the mirror: "Err:" lines tell
    if qapt apt-get update -q >"$OUT/apt-qemu-update.log" 2>&1 &&
        ! grep -q '^Err:' "$OUT/apt-qemu-update.log"; then
        return 0
    fi
    log "apt-get update of the private state failed (offline?): see $OUT/apt-qemu-update.log"
    return 1
}
# "QEMU_VERSION SEABIOS_VERSION" by the private lists (one apt-cache call: each
# costs 0.5 s): qemu-system-x86's version in $QEMU_SUITE, seabios's there or
# else its newest; nothing when the lists do not have qemu-system-x86 there.
qapt_versions() {
    qapt apt-cache madison qemu-system-x86 seabios 2>/dev/null | awk -F' *[|] *' -v s=" $QEMU_SUITE/" '
        { sub(/^ +/, "", $1) }
        $1 == "seabios" && sb == "" { sb = $2 }
        $1 == "seabios" && index($3, s) && !sbb { sb = $2; sbb = 1 }
        $1 == "qemu-system-x86" && index($3, s) && q == "" { q = $2 }
        END { if (q != "" && sb != "") print q, sb }'
}
# A qemu-system-x86_64 in an unpacked tree (DIR/usr/bin/qemu-system-x86_64): its
# own firmware and modules, found only through -L and QEMU_MODULE_DIR (Debian's
# binary looks in /usr/share/qemu, /usr/share/seabios and
# /usr/lib/x86_64-linux-gnu/qemu, the host's 7.2 files, otherwise).
use_qemu_tree() { # DIR
    QEMU_BIN=$1/usr/bin/qemu-system-x86_64
    QEMU_ARGS=(); QEMU_ENV=()
    [ -d "$1/usr/share/qemu" ] && QEMU_ARGS+=(-L "$1/usr/share/qemu")
    [ -d "$1/usr/share/seabios" ] && QEMU_ARGS+=(-L "$1/usr/share/seabios")
    [ -d "$1/usr/lib/x86_64-linux-gnu/qemu" ] && QEMU_ENV=(QEMU_MODULE_DIR="$1/usr/lib/x86_64-linux-gnu/qemu")
    return 0
}
qemu_version_line() { # the first line of --version, nothing when it does not run
    env "${QEMU_ENV[@]}" "$QEMU_BIN" "${QEMU_ARGS[@]}" --version 2>/dev/null | head -1
}

# Resolve, download and unpack the backports qemu; on success use_qemu_tree.
fetch_backports_qemu() {
    local qver sver dir want p name v deb tmp missing lib
    mkdir -p "$QAPT/lists/partial" "$QAPT/cache/archives/partial" "$CACHE/debs"
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg opt=
    [ -f "$keyring" ] && opt="[signed-by=$keyring] "
    cat >"$QAPT/sources.list" <<EOF
deb ${opt}http://deb.debian.org/debian bookworm main
deb ${opt}http://deb.debian.org/debian bookworm-updates main
deb ${opt}http://deb.debian.org/debian-security bookworm-security main
deb ${opt}http://deb.debian.org/debian $QEMU_SUITE main
EOF
    while :; do
        # The lists are fetched once and then kept: later runs resolve the same
        # version offline.  They are updated again only when a download fails
        # (a newer version replaced it on the mirror).
        read -r qver sver < <(qapt_versions) || true
        if [ -z "$qver" ]; then
            if [ "$QAPT_UPDATED" = 0 ]; then
                qapt_update || QAPT_UPDATED=failed   # what it fetched may still do
                continue
            fi
            [ "$QAPT_UPDATED" = failed ] ||
                log "the private lists have no qemu-system-x86 (and seabios) in $QEMU_SUITE"
            return 1
        fi
        dir=$CACHE/qemu-${qver#*:}
        want="qemu-system-x86=$qver qemu-system-common=$qver qemu-system-data=$qver seabios=$sver"
        if [ -f "$dir/.ready" ] && [ "$(cat "$dir/.ready")" = "$want" ]; then
            log "qemu $qver cached in $dir"
            use_qemu_tree "$dir"
            return 0
        fi
        missing=()
        for p in $want; do
            name=${p%%=*}; v=${p#*=}
            ls "$CACHE/debs/${name}_${v//:/%3a}_"*.deb >/dev/null 2>&1 || missing+=("$p")
        done
        if [ ${#missing[@]} -gt 0 ]; then
            log "apt-get download ${missing[*]} (private state)"
            tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
            if (cd "$tmp" && qapt apt-get download -q "${missing[@]}" >"$OUT/apt-qemu-download.log" 2>&1); then
                mv "$tmp"/*.deb "$CACHE/debs/"
                rm -rf "$tmp"
            else
                rm -rf "$tmp"
                log "apt-get download failed (see $OUT/apt-qemu-download.log)"
                # stale lists name a version the mirror no longer has: update once
                [ "$QAPT_UPDATED" = 0 ] && qapt_update && continue
                return 1
            fi
        fi
        log "unpacking qemu $qver, seabios $sver into $dir"
        rm -rf "$dir" "$dir.tmp"
        for p in $want; do
            name=${p%%=*}; v=${p#*=}
            deb=$(ls "$CACHE/debs/${name}_${v//:/%3a}_"*.deb | head -1)
            dpkg -x "$deb" "$dir.tmp" || { log "dpkg -x $deb failed"; rm -rf "$dir.tmp"; return 1; }
        done
        # the libraries come from the host (see ensure_packages); check them
        lib=$(ldd "$dir.tmp/usr/bin/qemu-system-x86_64" 2>&1 | awk '/not found/ { print $1 }' | xargs)
        if [ -n "$lib" ]; then
            log "the backports qemu misses libraries on this host: $lib"
            rm -rf "$dir.tmp"
            return 1
        fi
        use_qemu_tree "$dir.tmp"
        if [ -z "$(qemu_version_line)" ]; then
            log "the unpacked backports qemu does not run ($QEMU_BIN --version)"
            rm -rf "$dir.tmp"
            return 1
        fi
        mv "$dir.tmp" "$dir"
        echo "$want" >"$dir/.ready"
        use_qemu_tree "$dir"
        return 0
    done
}

# The newest qemu tree in the cache that is ready, for when apt cannot help.
cached_qemu() {
    local r
    r=$(ls "$CACHE"/qemu-*/.ready 2>/dev/null | sort -V | tail -1 || true)
    [ -n "$r" ] && dirname "$r"
}

case ${LAB_QEMU:-auto} in
    auto|backports)
        # one run at a time fetches (the lists' lock would refuse a second update)
        exec 8>"$CACHE/.qemu.lock"
        flock 8
        if fetch_backports_qemu; then
            :
        elif old=$(cached_qemu); then
            log "using the cached qemu in $old"
            use_qemu_tree "$old"
        elif [ "${LAB_QEMU:-auto}" = backports ]; then
            die "LAB_QEMU=backports: no qemu from $QEMU_SUITE (fetch failed, none cached)"
        else
            log "no qemu from $QEMU_SUITE (fetch failed, none cached): falling back to the host's qemu-system-x86"
            QEMU_BIN=$(command -v qemu-system-x86_64 || true)
        fi
        exec 8>&-
        ;;
    system)
        log "LAB_QEMU=system: the host's qemu-system-x86"
        QEMU_BIN=$(command -v qemu-system-x86_64 || true)
        ;;
    */*)
        [ -f "$LAB_QEMU" ] && [ -x "$LAB_QEMU" ] || die "LAB_QEMU is not an executable file: $LAB_QEMU"
        QEMU_BIN=$(cd "$(dirname "$LAB_QEMU")" && pwd)/$(basename "$LAB_QEMU")
        # DIR/usr/bin/qemu-system-x86_64 of an unpacked tree (such as
        # $CACHE/qemu-*/ or a dpkg -x of one's own) runs with DIR's firmware and modules
        root=${QEMU_BIN%/usr/bin/qemu-system-x86_64}
        if [ "$root" != "$QEMU_BIN" ] && [ -n "$root" ] && [ -d "$root/usr/share/qemu" ]; then
            use_qemu_tree "$root"
        fi
        ;;
    *) die "LAB_QEMU: auto, backports, system or the path of a qemu-system-x86_64 (not '$LAB_QEMU')" ;;
esac
[ -n "$QEMU_BIN" ] || die "no qemu-system-x86_64 found"
QEMU_VERSION_LINE=$(qemu_version_line)
[ -n "$QEMU_VERSION_LINE" ] || die "$QEMU_BIN --version failed"
QEMU_VERSION=${QEMU_VERSION_LINE#QEMU emulator version }
QEMU_VERSION=${QEMU_VERSION//[^A-Za-z0-9 _.,:()+~-]/}   # quoted in lab.conf
log "qemu: $QEMU_BIN ($QEMU_VERSION_LINE)${QEMU_ARGS[*]:+ ${QEMU_ARGS[*]}}${QEMU_ENV[*]:+ ${QEMU_ENV[*]}}"

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
# strace: a test shows two EXTENDED COPY commands in flight at once (their SG_IO calls
# overlap in the trace).
copy_closure "$(command -v strace)"

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
# LAB_EXTRA_TOOLS: host programs (names or paths, space-separated) copied into
# the guest with their libraries, for looking into a run by hand: e.g.
# LAB_EXTRA_TOOLS="strace perf" with a --tests directory that uses them.
for t in ${LAB_EXTRA_TOOLS:-}; do
    p=$(command -v "$t") || die "LAB_EXTRA_TOOLS: $t not found on the host"
    copy_closure "$p"
done
cat >"$ROOT/lab/lab.conf" <<EOF
LAB_KERNEL=$KVER
LAB_QEMU_VERSION='$QEMU_VERSION'
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
log "booting guest under $QEMU_BIN ($QEMU_VERSION_LINE), timeout ${TIMEOUT}s; console -> stdout and $CONSOLE"
# ttyS0: console (kernel + test output) to stdout; ttyS1: result lines only,
# into a file that nothing else writes to, so kernel messages cannot garble them.
set +e
# stdin is /dev/null: the guest needs no input, and the terminal stays out of
# raw mode (Ctrl-C stops the run through timeout).
# -audiodev none: the VM has no sound device. Without it qemu 10 probes audio
# drivers, which makes it look for ui-opengl.so (not in the backports tree), load
# the host's 7.2 one and print "failed to initialize module".
timeout -k 10 "$TIMEOUT" env "${QEMU_ENV[@]}" "$QEMU_BIN" "${QEMU_ARGS[@]}" \
    -accel tcg,thread=multi -cpu max -m 1024 -smp 2 -nographic \
    -no-reboot -nic none -audiodev none,id=noaudio \
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
echo "==== lab results (kernel $KVER, qemu $QEMU_VERSION) ===="
grep -E '^INFO ' "$RESULTS.clean" || true
cat "$OUT/summary.txt"
passed=$(grep -c '^PASS ' "$OUT/summary.txt" || true)
failed=$(grep -c '^FAIL ' "$OUT/summary.txt" || true)
skipped=$(grep -c '^SKIP ' "$OUT/summary.txt" || true)
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
log "done"
finish "$passed" "$failed"
