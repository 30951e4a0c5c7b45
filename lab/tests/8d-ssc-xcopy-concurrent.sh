#!/bin/sh
# Two EXTENDED COPY commands in flight at once (the lio profile's concurrency 2),
# against LIO, which reports one copy at a time (TOTAL and MAXIMUM CONCURRENT
# COPIES 1) and runs each command on a work item of its own.  Seen in an strace of
# the copy: the SG_IO calls carrying EXTENDED COPY (CDB byte 0 0x83) from two
# threads overlap, never more than two; 131072 blocks go as four commands of 32768,
# B reads back equal to A.  With a profile of concurrency 1 (--profiles) the same
# copy sends its commands one after the other: three, 65535 + 65535 + 2 blocks.
. /lab/lib.sh
need_agent ssc-xcopy-concurrent

fill_lun /dev/urandom A || { fail "ssc-xcopy-concurrent: filling LUN A failed"; exit 0; }
sum_a=$(dev_sum "$LUN_A_SD")

# in_flight TRACE: "MOST TOTAL": the most EXTENDED COPY SG_IO calls unfinished at one
# point of an `strace -f` trace, and how many there were.  strace splits a call
# that another thread interrupts into "PID ioctl(... <unfinished ...>" and
# "PID <... ioctl resumed>...".
in_flight() {
    awk '
        / ioctl\(/ && /SG_IO/ && /cmdp="\\x83/ {
            total++
            if (/<unfinished \.\.\.>/) { open[$1] = 1; n++; if (n > most) most = n }
            else if (n + 1 > most) most = n + 1
            next
        }
        /<\.\.\. ioctl resumed>/ && ($1 in open) { delete open[$1]; n-- }
        END { print most + 0, total + 0 }
    ' "$1"
}

# profile override with one command at a time
mkdir -p "$LAB_TMP/one"
cat >"$LAB_TMP/one/lio.toml" <<'T'
name = "lio"
description = "LIO, one EXTENDED COPY at a time"
verified = true
source = "lab/tests/8d-ssc-xcopy-concurrent.sh"
order = ["xcopy", "aio"]
[match]
file_type = "block"
transport = ["scsi"]
vendor = "LIO-ORG"
product = "FILEIO|IBLOCK|RAMDISK-MCP|RAMDISK-DR"
[tunables.xcopy]
concurrency = 1
T

for case in two one; do
    fill_lun /dev/zero B
    extra=; [ $case = one ] && extra="--profiles $LAB_TMP/one"
    # shellcheck disable=SC2086
    strace -f -qq -e trace=ioctl -o "$LAB_TMP/trace.$case" \
        "$SSC_AGENT" copy "$LUN_A_SD" "$LUN_B_SD" --backend xcopy --json --explain $extra \
        >"$LAB_TMP/out.$case" 2>"$LAB_TMP/err.$case"
    rc=$?
    SSC_JSON=$(json_flat <"$LAB_TMP/out.$case")
    sum_b=$(dev_sum "$LUN_B_SD")
    read -r most total <<EOT
$(in_flight "$LAB_TMP/trace.$case")
EOT
    explained=$(grep -c 'xcopy: up to 2 EXTENDED COPY commands at once (profile lio)' "$LAB_TMP/err.$case")
    info "ssc-xcopy-concurrent ($case): exit $rc, backend '$(jv backend)', bytes '$(jv bytes)', EXTENDED COPY commands $total, at most $most in flight, explain line $explained"
    if [ $case = two ]; then want_most=2 want_total=4 want_explained=1; else want_most=1 want_total=3 want_explained=0; fi
    if [ "$rc" != 0 ] || [ "$(jv backend)" != xcopy ]; then
        fail "ssc-xcopy-concurrent ($case): exit $rc, backend '$(jv backend)': $(jv error.message) $(head -3 "$LAB_TMP/err.$case")"
    elif [ "$sum_b" != "$sum_a" ]; then
        fail "ssc-xcopy-concurrent ($case): B differs from A after the copy"
    elif [ "$most" != $want_most ] || [ "$total" != $want_total ] || [ "$explained" != $want_explained ]; then
        fail "ssc-xcopy-concurrent ($case): $total EXTENDED COPY commands, at most $most in flight, explain line $explained; expected $want_total, $want_most and $want_explained"
    else
        pass "ssc-xcopy-concurrent ($case): $total EXTENDED COPY commands, at most $most in flight at once, B equals A"
    fi
done

# probe of the pair says how many commands the copy keeps in flight
verdict=$("$SSC_AGENT" probe "$LUN_A_SD" "$LUN_B_SD" 2>&1 | grep -E '^ *xcopy +yes')
info "ssc-xcopy-concurrent-probe: $verdict"
case "$verdict" in
    *"2 commands at once"*) pass "ssc-xcopy-concurrent-probe: probe A B: xcopy yes, 2 commands at once" ;;
    *) fail "ssc-xcopy-concurrent-probe: probe A B's xcopy line does not say '2 commands at once': '$verdict'" ;;
esac
