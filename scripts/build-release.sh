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
#   --symbol-ordering-file       the functions a one-shot process runs, listed by
#     scripts/startup-order.txt  scripts/startup-order.sh (`make startup-order`), placed
#                                side by side: a failed copy touches 27 windows of code
#                                instead of 69, each a page fault (expensive under the
#                                device lab's emulation). Names the binary no longer has
#                                are skipped (--no-warn-symbol-ordering).
#   -disable-autolink-library    a guard: nothing here imports Foundation (ArgumentParser
#     Foundation, ...            takes FoundationEssentials). A module that imports it asks
#                                the linker for all of Foundation, and lld then resolves
#                                even FoundationEssentials' own references from
#                                libFoundation.a, which drags in CoreFoundation and ICU:
#                                86 MB instead of 37 MB, twice the page faults at start
#                                (every relocated data page is copied). With this, such
#                                a dependency fails the link with an undefined symbol
#                                instead (the TOML library this project once used did
#                                import Foundation, for Data and Date).
#   -disable-concrete-type-     a generic type with concrete arguments (Range<Int>,
#     metadata-mangled-name-    Result<[Entry], ProfileError>, an array of tuples) gets its
#     accessors                 metadata from an accessor that passes the witness tables
#                               it was compiled with, instead of from its mangled name:
#                               the runtime then demangles nothing and, for each generic
#                               requirement (Int: Comparable, ProfileError: Error), scans
#                               none of the binary's 4000 conformance records. The first
#                               use of each such type in a process cost a scan: 31% of
#                               a plain copy's instructions (1.81 M of them; 1.25 M now).
#
# Extra arguments go to swift build. Tests/CLITests/ReleaseBinaryTests.swift checks the
# result (static-pie, ASLR, no Foundation, copies, override profiles).
#
#   --no-pie    for measurements only: the same binary linked static non-PIE, at fixed
#               addresses (no ASLR for its code and data), into .build/no-pie/release.
#               Under the device lab's software emulation a fixed address lets qemu
#               reuse its translated code from one run to the next (README, "SCSI
#               EXTENDED COPY and the device lab"); not what ships.
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [[ -x $dir/swift ]] && export PATH="$dir:$PATH"
done
link=(-Xswiftc -Xclang-linker -Xswiftc -static-pie -Xlinker -z -Xlinker pack-relative-relocs)
order=(-Xlinker --symbol-ordering-file="$PWD/scripts/startup-order.txt" -Xlinker --no-warn-symbol-ordering)
scratch=()
if [[ ${1:-} == --no-pie ]]; then
    shift
    link=(-Xswiftc -Xclang-linker -Xswiftc -static -Xswiftc -Xclang-linker -Xswiftc -no-pie)
    scratch=(--scratch-path .build/no-pie)
fi
unlinked=()
for library in Foundation FoundationInternationalization CoreFoundation _FoundationICU; do
    unlinked+=(-Xswiftc -Xfrontend -Xswiftc -disable-autolink-library -Xswiftc -Xfrontend -Xswiftc "$library")
done
exec swift build -c release "${scratch[@]}" --static-swift-stdlib --disable-local-rpath \
    -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
    -Xswiftc -use-ld=lld -Xswiftc -Xclang-linker -Xswiftc -Wno-unused-command-line-argument \
    "${link[@]}" "${order[@]}" "${unlinked[@]}" "$@"
