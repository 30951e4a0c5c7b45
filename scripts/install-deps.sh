#!/usr/bin/env bash
# Installs what building and testing ssc-agent needs on Debian 12, only what is
# missing, and checks the Swift toolchain (Swift is not an apt package on Debian 12).
set -euo pipefail

packages=(
    libaio-dev        # the aio backend (linked through a module map)
    libsgutils2-dev   # SCSI pass-through for the xcopy backend
    btrfs-progs xfsprogs e2fsprogs util-linux   # test filesystems, losetup, fincore
    coreutils diffutils fio sg3-utils ddpt      # benchmarks and comparisons
    gcc make libc6-dev python3 passwd           # the C client, socket activation and second-user tests
    python3-jsonschema                          # bench tests: JSON Schema validation
    libfuse3-dev fuse3 pkg-config               # errfs: ESTALE and EDQUOT through a real filesystem
    strace            # the release binary's load address in ReleaseBinaryTests
    systemd           # systemd-analyze verify of packaging/systemd in SystemdUnitTests
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-deps: missing packages ${missing[*]}; run as root to install them" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [[ -x $dir/swift ]] && export PATH="$dir:$PATH"
done
if ! command -v swift >/dev/null; then
    echo "install-deps: no Swift toolchain found (need Swift 6.0 or later in PATH or /opt/swift)" >&2
    exit 1
fi
version=$(swift --version 2>&1 | sed -n 's/.*Swift version \([0-9]*\)\..*/\1/p' | head -1)
if [[ -z $version || $version -lt 6 ]]; then
    echo "install-deps: Swift 6.0 or later is needed, found: $(swift --version 2>&1 | head -1)" >&2
    exit 1
fi
