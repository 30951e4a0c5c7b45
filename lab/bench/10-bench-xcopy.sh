#!/bin/sh
# Guest half of lab/bench-xcopy.sh (not a test): the same 64 MiB copy A -> B by
# `ssc-agent copy --backend xcopy` and by `sg_xcopy --on_src`, LAB_GUEST_RUNS
# timed runs each (interleaved, order alternating), after one verified warm-up
# each; the same against sg_xcopy again with the copy sent through a running
# `ssc-agent serve` by the C example front, with a connection per copy and on one
# kept connection; then the bytes the initiator's
# process reads and writes (read_bytes / write_bytes of /proc/PID/io) for an
# xcopy, an aio and an sg_xcopy copy, and what crossed the fabric (LIO's
# per-port counters).  Prints "INFO bench..."
# lines, which the host collects, and one PASS or FAIL.
. /lab/lib.sh

RUNS=${LAB_GUEST_RUNS:-5}
if [ -z "$SSC_AGENT" ]; then fail "bench-xcopy: no --binary given"; exit 0; fi

fill_lun /dev/urandom A || { fail "bench-xcopy: filling LUN A failed"; exit 0; }
sum_a=$(dev_sum "$LUN_A_SD")
bytes=$(( $(dev_blocks "$LUN_A_SD") * 512 ))

# now_us: wall clock in microseconds (busybox ash's EPOCHREALTIME)
now_us() { t=$EPOCHREALTIME; echo "${t%.*}${t#*.}"; }
# run_ssc / run_sg: one timed copy A -> B; sets SECS (wall), ENGINE (ssc-agent's
# own "seconds"), returns the tool's exit status.
run_ssc() {
    t0=$(now_us)
    "$SSC_AGENT" copy "$LUN_A_SD" "$LUN_B_SD" --backend xcopy --json >"$LAB_TMP/ssc.json" 2>"$LAB_TMP/ssc.err"
    rc=$?
    t1=$(now_us)
    SECS=$(awk "BEGIN { printf \"%.4f\", ($t1 - $t0) / 1e6 }")
    ENGINE=$(json_flat <"$LAB_TMP/ssc.json" | sed -n 's/^seconds=//p')
    [ $rc = 0 ] && grep -q '"backend":"xcopy"' "$LAB_TMP/ssc.json" || {
        echo "ssc-agent exit $rc: $(cat "$LAB_TMP/ssc.json" "$LAB_TMP/ssc.err")"; return 1; }
}
run_sg() {
    t0=$(now_us)
    sg_xcopy if="$LUN_A_SG" of="$LUN_B_SG" bs=512 bpt=65535 --on_src >"$LAB_TMP/sg.out" 2>&1
    rc=$?
    t1=$(now_us)
    SECS=$(awk "BEGIN { printf \"%.4f\", ($t1 - $t0) / 1e6 }")
    [ $rc = 0 ] || { echo "sg_xcopy exit $rc: $(sense_summary <"$LAB_TMP/sg.out")"; return 1; }
}

# Warm-up, verified: B zeroed, copied, compared with A.
for tool in ssc sg; do
    fill_lun /dev/zero B
    run_$tool || { fail "bench-xcopy: warm-up $tool failed"; exit 0; }
    [ "$(dev_sum "$LUN_B_SD")" = "$sum_a" ] || { fail "bench-xcopy: after the $tool warm-up B differs from A"; exit 0; }
    info "bench warm-up $tool: ${SECS}s, B verified"
done

: >"$LAB_TMP/ssc.times"; : >"$LAB_TMP/sg.times"; : >"$LAB_TMP/engine.times"
i=1
while [ $i -le "$RUNS" ]; do
    if [ $((i % 2)) = 1 ]; then order="ssc sg"; else order="sg ssc"; fi
    line="bench run $i:"
    for tool in $order; do
        run_$tool || { fail "bench-xcopy: run $i $tool failed"; exit 0; }
        echo "$SECS" >>"$LAB_TMP/$tool.times"
        if [ $tool = ssc ]; then
            echo "$ENGINE" >>"$LAB_TMP/engine.times"
            line="$line ssc-agent ${SECS}s (engine ${ENGINE}s)"
        else
            line="$line sg_xcopy ${SECS}s"
        fi
    done
    info "$line"
    i=$((i + 1))
done
[ "$(dev_sum "$LUN_B_SD")" = "$sum_a" ] || { fail "bench-xcopy: after the timed runs B differs from A"; exit 0; }

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.4f", v[(NR + 1) / 2]; else printf "%.4f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Process start-up alone, for reading the medians: sg_xcopy --version, and an
# ssc-agent copy of a missing file (start-up, the command line's fast path, the
# engine's construction, one failed open, the error line; --version would take
# ArgumentParser's slower path, which a copy does not).
: >"$LAB_TMP/v.ssc"; : >"$LAB_TMP/v.sg"
i=1
while [ $i -le "$RUNS" ]; do
    t0=$(now_us); "$SSC_AGENT" copy /lab/no-such-source "$LAB_TMP/no-such-destination" >/dev/null 2>&1; t1=$(now_us)
    awk "BEGIN { printf \"%.4f\\n\", ($t1 - $t0) / 1e6 }" >>"$LAB_TMP/v.ssc"
    t0=$(now_us); sg_xcopy --version >/dev/null 2>&1; t1=$(now_us)
    awk "BEGIN { printf \"%.4f\\n\", ($t1 - $t0) / 1e6 }" >>"$LAB_TMP/v.sg"
    i=$((i + 1))
done

m_ssc=$(median "$LAB_TMP/ssc.times"); m_sg=$(median "$LAB_TMP/sg.times"); m_eng=$(median "$LAB_TMP/engine.times")
ratio=$(awk "BEGIN { printf \"%.2f\", $m_sg / $m_ssc }")
info "bench median: ssc-agent xcopy ${m_ssc}s (engine ${m_eng}s), sg_xcopy --on_src ${m_sg}s, ratio sg_xcopy/ssc-agent $ratio ($RUNS runs each, $bytes bytes, MiB/s: ssc-agent $(awk "BEGIN { printf \"%.0f\", $bytes / 1048576 / $m_ssc }"), sg_xcopy $(awk "BEGIN { printf \"%.0f\", $bytes / 1048576 / $m_sg }"))"

v_ssc=$(median "$LAB_TMP/v.ssc"); v_sg=$(median "$LAB_TMP/v.sg")
info "bench start-up median: ssc-agent copy of a missing file ${v_ssc}s, sg_xcopy --version ${v_sg}s"
info "bench breakdown: ssc-agent ${m_ssc}s = start-up ${v_ssc}s + engine ${m_eng}s + rest $(awk "BEGIN { printf \"%.4f\", $m_ssc - $v_ssc - $m_eng }")s; sg_xcopy ${m_sg}s = start-up ${v_sg}s + rest $(awk "BEGIN { printf \"%.4f\", $m_sg - $v_sg }")s; copy phase only, (sg_xcopy - its start-up) / ssc-agent engine: $(awk "BEGIN { printf \"%.2f\", ($m_sg - $v_sg) / $m_eng }")"

# The same copy through the agent, as an NFS server front issues it: `ssc-agent
# serve` already running (its start-up and profile loading paid once, as a daemon's
# are), the C example front (clients/c, linked statically) opening both LUNs and
# sending one COPY forced to xcopy with the descriptors. Timed like the runs above,
# interleaved with sg_xcopy, after one verified warm-up.
run_front() {
    t0=$(now_us)
    "$SSC_FRONT" "$AGENT_SOCK" copy-or-readwrite "$LUN_A_SD" "$LUN_B_SD" xcopy >"$LAB_TMP/front.out" 2>&1
    rc=$?
    t1=$(now_us)
    SECS=$(awk "BEGIN { printf \"%.4f\", ($t1 - $t0) / 1e6 }")
    [ $rc = 0 ] && grep -q '^COPY NFS4_OK .*backend=xcopy' "$LAB_TMP/front.out" &&
        ! grep -q '^READWRITE' "$LAB_TMP/front.out" || {
        echo "front exit $rc: $(tr '\n' ' ' <"$LAB_TMP/front.out")"; return 1; }
}
# The same again with the front's connection and descriptors kept, as an NFS server
# keeps them (example_front copy-per-line): each timed COPY is one request line
# written to the front and its answer read back, interleaved with sg_xcopy runs.
run_kept() {
    t0=$(now_us)
    echo copy >&3
    KEPT_OUT=
    while read -r reply <&4; do
        KEPT_OUT="$KEPT_OUT $reply"
        case $reply in DONE*) break ;; esac
    done
    t1=$(now_us)
    SECS=$(awk "BEGIN { printf \"%.4f\", ($t1 - $t0) / 1e6 }")
    case $KEPT_OUT in
        *"COPY NFS4_OK"*"backend=xcopy"*"DONE copied") ;;
        *) echo "kept connection:$KEPT_OUT"; return 1 ;;
    esac
}
kept_connection() {
    rm -f "$LAB_TMP/req" "$LAB_TMP/resp"
    mkfifo "$LAB_TMP/req" "$LAB_TMP/resp"
    "$SSC_FRONT" "$AGENT_SOCK" copy-per-line "$LUN_A_SD" "$LUN_B_SD" xcopy <"$LAB_TMP/req" >"$LAB_TMP/resp" 2>&1 &
    kept=$!
    exec 3>"$LAB_TMP/req" 4<"$LAB_TMP/resp"
    read -r hello <&4
    case $hello in HELLO*) ;; *) AGENT_FAIL="kept connection: $hello" ;; esac
    fill_lun /dev/zero B
    if [ -z "$AGENT_FAIL" ] && { ! run_kept || [ "$(dev_sum "$LUN_B_SD")" != "$sum_a" ]; }; then
        AGENT_FAIL="the warm-up copy on a kept connection failed or B differs"
    fi
    : >"$LAB_TMP/kept.times"; : >"$LAB_TMP/sg3.times"
    i=1
    while [ $i -le "$RUNS" ] && [ -z "$AGENT_FAIL" ]; do
        if [ $((i % 2)) = 1 ]; then order="kept sg"; else order="sg kept"; fi
        line="bench kept run $i:"
        for tool in $order; do
            if [ $tool = kept ]; then
                run_kept || { AGENT_FAIL="run $i on the kept connection failed"; break; }
                echo "$SECS" >>"$LAB_TMP/kept.times"; line="$line kept connection ${SECS}s"
            else
                run_sg || { AGENT_FAIL="run $i sg_xcopy failed"; break; }
                echo "$SECS" >>"$LAB_TMP/sg3.times"; line="$line sg_xcopy ${SECS}s"
            fi
        done
        info "$line"
        i=$((i + 1))
    done
    exec 3>&- 4<&-
    wait $kept
    if [ -z "$AGENT_FAIL" ]; then
        [ "$(dev_sum "$LUN_B_SD")" = "$sum_a" ] || AGENT_FAIL="after the timed runs on the kept connection B differs from A"
        m_kept=$(median "$LAB_TMP/kept.times"); m_sg3=$(median "$LAB_TMP/sg3.times")
        kept_ratio=$(awk "BEGIN { printf \"%.2f\", $m_sg3 / $m_kept }")
        info "bench kept median: COPY on a kept connection (C front, xcopy) ${m_kept}s, sg_xcopy --on_src ${m_sg3}s, ratio sg_xcopy/agent $kept_ratio ($RUNS runs each)"
    fi
}
AGENT_FAIL=
if [ -n "$SSC_FRONT" ] && [ -x "$SSC_FRONT" ]; then
    AGENT_SOCK=$LAB_TMP/agent.sock
    "$SSC_AGENT" serve --socket "$AGENT_SOCK" >"$LAB_TMP/serve.out" 2>&1 &
    agent=$!
    n=0
    while [ ! -S "$AGENT_SOCK" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    fill_lun /dev/zero B
    if ! run_front || [ "$(dev_sum "$LUN_B_SD")" != "$sum_a" ]; then
        AGENT_FAIL="the warm-up copy through the agent failed or B differs"
    else
        info "bench warm-up through the agent: ${SECS}s, B verified"
        : >"$LAB_TMP/front.times"; : >"$LAB_TMP/sg2.times"
        i=1
        while [ $i -le "$RUNS" ] && [ -z "$AGENT_FAIL" ]; do
            if [ $((i % 2)) = 1 ]; then order="front sg"; else order="sg front"; fi
            line="bench agent run $i:"
            for tool in $order; do
                if [ $tool = front ]; then
                    run_front || { AGENT_FAIL="run $i through the agent failed"; break; }
                    echo "$SECS" >>"$LAB_TMP/front.times"; line="$line front+agent ${SECS}s"
                else
                    run_sg || { AGENT_FAIL="run $i sg_xcopy failed"; break; }
                    echo "$SECS" >>"$LAB_TMP/sg2.times"; line="$line sg_xcopy ${SECS}s"
                fi
            done
            info "$line"
            i=$((i + 1))
        done
        if [ -z "$AGENT_FAIL" ]; then
            [ "$(dev_sum "$LUN_B_SD")" = "$sum_a" ] || AGENT_FAIL="after the timed runs through the agent B differs from A"
            m_front=$(median "$LAB_TMP/front.times"); m_sg2=$(median "$LAB_TMP/sg2.times")
            agent_ratio=$(awk "BEGIN { printf \"%.2f\", $m_sg2 / $m_front }")
            info "bench agent median: COPY through the running agent (C front, xcopy) ${m_front}s, sg_xcopy --on_src ${m_sg2}s, ratio sg_xcopy/agent $agent_ratio ($RUNS runs each)"
        fi
        [ -z "$AGENT_FAIL" ] && kept_connection
    fi
    kill -TERM $agent 2>/dev/null
    wait $agent
else
    AGENT_FAIL="no example front in the guest (SSC_FRONT)"
fi

# I/O of the initiator process: a fresh sh runs the copy as its child; after
# the child is reaped its counters are added to the shell's, so the shell's
# /proc/$$/io (read with builtins only) before and after gives the child's.
io_of() { # label command...
    _label=$1; shift
    _a_rd=$(port_stat A read_mbytes); _b_wr=$(port_stat B write_mbytes)
    _io=$(sh -c '
        io() { while read -r k v; do eval "${k%:}_$1=\$v"; done </proc/$$/io; }
        io 0
        "$@" >/dev/null 2>&1
        rc=$?
        io 1
        echo "rc=$rc read_bytes=$((read_bytes_1 - read_bytes_0)) write_bytes=$((write_bytes_1 - write_bytes_0)) rchar=$((rchar_1 - rchar_0)) wchar=$((wchar_1 - wchar_0))"
    ' sh "$@")
    _a_rd=$(( $(port_stat A read_mbytes) - _a_rd )); _b_wr=$(( $(port_stat B write_mbytes) - _b_wr ))
    _ok=$( [ "$(dev_sum "$LUN_B_SD")" = "$sum_a" ] && echo "B verified" || echo "B DIFFERS from A")
    info "bench io $_label: $_io; through the fabric: A read ${_a_rd} MiB, B written ${_b_wr} MiB; $_ok"
    case "$_io:$_ok" in rc=0*:"B verified") ;; *) IO_FAIL="$IO_FAIL $_label" ;; esac
}
IO_FAIL=
fill_lun /dev/zero B
io_of "ssc-agent xcopy" "$SSC_AGENT" copy "$LUN_A_SD" "$LUN_B_SD" --backend xcopy
fill_lun /dev/zero B
io_of "ssc-agent aio" "$SSC_AGENT" copy "$LUN_A_SD" "$LUN_B_SD" --backend aio
fill_lun /dev/zero B
io_of "sg_xcopy --on_src" sg_xcopy if="$LUN_A_SG" of="$LUN_B_SG" bs=512 bpt=65535 --on_src

if [ -n "$IO_FAIL" ]; then
    fail "bench-xcopy: I/O measurement runs failed:$IO_FAIL"
elif [ -n "$AGENT_FAIL" ]; then
    fail "bench-xcopy: through the agent: $AGENT_FAIL"
else
    pass "bench-xcopy: $RUNS runs each, ratio of medians sg_xcopy/ssc-agent $ratio (command line), $agent_ratio (through the running agent, a connection per copy), $kept_ratio (on a kept connection)"
fi
