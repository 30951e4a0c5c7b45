#!/bin/sh
# The ssc-agent binary (lab/run.sh --binary) starts in the guest: its ldd closure
# was copied in completely.
. /lab/lib.sh

if [ -z "$SSC_AGENT" ]; then
    skip "ssc-agent-starts: no --binary given"
    exit 0
fi
out=$("$SSC_AGENT" --help 2>&1); rc=$?
echo "$out" | head -20
case "$out" in
    *"error while loading shared libraries"*|*": not found"*)
        fail "ssc-agent-starts: $(echo "$out" | head -1)" ;;
    *)
        [ $rc -lt 126 ] && pass "ssc-agent-starts: $SSC_AGENT --help exit $rc" ||
            fail "ssc-agent-starts: exit $rc" ;;
esac
