#!/usr/bin/env bash
# Builds the release binary, .build/release/ssc-agent, the way it ships: everything
# linked into one static position-independent executable (static-pie).
#
#   --static-swift-stdlib        the Swift runtime and libraries (Foundation included)
#                                from their static archives
#   -static-pie, via lld         glibc, libstdc++, libaio and libsgutils2 from their
#                                static archives too: nothing for the dynamic loader to
#                                load, bind or relocate at start (the dynamically linked
#                                libstdc++ alone cost 0.6 ms of the 1.4 ms a Swift
#                                "hello world" took). Position-independent, so the
#                                kernel still loads it at a random address (ASLR); the
#                                binary relocates itself and write-protects its RELRO
#                                segment before main. gold cannot link static-pie.
#   -z pack-relative-relocs      the ~40000 relative relocations as DT_RELR bitmaps
#                                (8 KiB instead of 1 MiB of RELA entries to page in)
#   --disable-local-rpath        no DT_RUNPATH: glibc's static-pie start-up asserts that
#                                there is none (and there is no library to look for)
#
# Extra arguments go to swift build. scripts/check-release-binary.sh checks the result.
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [[ -x $dir/swift ]] && export PATH="$dir:$PATH"
done
exec swift build -c release --static-swift-stdlib --disable-local-rpath \
    -Xswiftc -use-ld=lld -Xswiftc -Xclang-linker -Xswiftc -static-pie \
    -Xswiftc -Xclang-linker -Xswiftc -Wno-unused-command-line-argument \
    -Xlinker -z -Xlinker pack-relative-relocs "$@"
