#!/bin/sh
# The agent in front of LIO: `ssc-agent serve` runs in the guest, and the C example
# NFS front (clients/c, linked statically by lab/run.sh) opens both LUNs and asks for a
# COPY forced to xcopy, passing the descriptors over the socket, as nfsd would. Then a
# COPY without a backend (the profiles pick xcopy), and `ssc-agent copy --agent`. The
# agent stops on SIGTERM with exit 0 and removes its socket.
. /lab/lib.sh
need_agent ssc-agent-xcopy
if [ -z "$SSC_FRONT" ] || [ ! -x "$SSC_FRONT" ]; then fail "ssc-agent-xcopy: no example front in the guest"; exit 0; fi

sock=$LAB_TMP/agent.sock
"$SSC_AGENT" serve --socket "$sock" >"$LAB_TMP/serve.out" 2>&1 &
agent=$!
n=0
while [ ! -S "$sock" ] && [ $n -lt 100 ] && kill -0 $agent 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
if [ ! -S "$sock" ]; then
    fail "ssc-agent-xcopy: the agent did not create $sock: $(head -3 "$LAB_TMP/serve.out")"
    kill $agent 2>/dev/null
    exit 0
fi

fill_lun /dev/urandom A || { fail "ssc-agent-xcopy: filling LUN A failed"; kill $agent; exit 0; }
sum_a=$(dev_sum "$LUN_A_SD")

# front SCENARIO [BACKEND]: one COPY through the agent, B zeroed first; sets OUT and RC.
front() {
    fill_lun /dev/zero B
    OUT=$("$SSC_FRONT" "$sock" "$1" "$LUN_A_SD" "$LUN_B_SD" $2 2>&1)
    RC=$?
    info "ssc-agent-xcopy: front $1 ${2:-(no backend)}: exit $RC: $(echo "$OUT" | tr '\n' ' ')"
}
# by_xcopy: the front's one COPY moved the whole LUN with xcopy, and the front did not
# fall back to reading and writing the data itself.
by_xcopy() {
    [ $RC = 0 ] && echo "$OUT" | grep -q '^COPY NFS4_OK bytes=67108864 short=0 backend=xcopy' &&
        ! echo "$OUT" | grep -q '^READWRITE' && echo "$OUT" | grep -q '^RESULT copied'
}

front copy-or-readwrite xcopy
if ! by_xcopy; then
    fail "ssc-agent-xcopy: a COPY forced to xcopy through the agent did not answer NFS4_OK with backend xcopy"
elif [ "$(dev_sum "$LUN_B_SD")" != "$sum_a" ]; then
    fail "ssc-agent-xcopy: the agent answered NFS4_OK, but B differs from A"
else
    pass "ssc-agent-xcopy: COPY through the agent with descriptors, forced xcopy: NFS4_OK, B verified"
fi

front copy-or-readwrite
if ! by_xcopy; then
    fail "ssc-agent-xcopy: a COPY without a backend through the agent did not pick xcopy"
elif [ "$(dev_sum "$LUN_B_SD")" != "$sum_a" ]; then
    fail "ssc-agent-xcopy: the agent picked xcopy, but B differs from A"
else
    pass "ssc-agent-xcopy: COPY through the agent, profiles pick xcopy for two LIO LUNs, B verified"
fi

fill_lun /dev/zero B
out=$("$SSC_AGENT" copy --agent "$sock" "$LUN_A_SD" "$LUN_B_SD" --json 2>&1)
rc=$?
info "ssc-agent-xcopy: ssc-agent copy --agent: exit $rc: $out"
if [ $rc != 0 ] || ! echo "$out" | grep -q '"backend":"xcopy"'; then
    fail "ssc-agent-xcopy: ssc-agent copy --agent did not copy with xcopy"
elif [ "$(dev_sum "$LUN_B_SD")" != "$sum_a" ]; then
    fail "ssc-agent-xcopy: ssc-agent copy --agent reported xcopy, but B differs from A"
else
    pass "ssc-agent-xcopy: ssc-agent copy --agent: an agent job with xcopy, B verified"
fi

kill -TERM $agent
wait $agent
rc=$?
if [ $rc != 0 ] || [ -e "$sock" ]; then
    fail "ssc-agent-xcopy: after SIGTERM the agent exited $rc$( [ -e "$sock" ] && echo ", its socket left behind")"
else
    pass "ssc-agent-xcopy: SIGTERM: the agent exited 0 and removed its socket"
fi
