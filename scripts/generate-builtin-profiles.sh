#!/usr/bin/env bash
# Writes Sources/BuiltInProfiles/BuiltInProfiles.swift from hw-profiles/*.toml: the
# profiles as Swift values, read by the same parser and checks as override files, so
# the binary works with no files installed and parses no TOML for its own profiles.
# Run it (`make profiles`) after changing a profile; ProfilesTests fails while the
# generated values differ from hw-profiles/.
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [[ -x $dir/swift ]] && export PATH="$dir:$PATH"
done
# The generator does not depend on the file it writes: it builds even when that file
# is stale or missing.
swift build --product generate-builtin-profiles
"$(swift build --show-bin-path)/generate-builtin-profiles" hw-profiles Sources/BuiltInProfiles/BuiltInProfiles.swift
