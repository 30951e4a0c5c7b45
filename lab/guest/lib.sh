# Helpers for guest tests: `. /lab/lib.sh` at the top of a lab/tests/*.sh.
# Runs under busybox sh in the lab guest.
#
# Environment after sourcing (also exported by /init):
#   LUN_{A..F}_SD, LUN_{A..F}_SG, LUN_{A..F}_SERIAL, LUN_{A..F}_HCTL (from /lab/luns.env)
#   SSC_AGENT   path of the ssc-agent binary in the guest, empty if none was given
#   SSC_FRONT   the C example NFS front (clients/c, static), set with SSC_AGENT
#   LAB_KERNEL  guest kernel version
#   LAB_QEMU_VERSION  the emulator's version, e.g. "10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)"
#   LAB_TMP     a scratch directory for this test (tmpfs)

[ -f /lab/luns.env ] && . /lab/luns.env
[ -f /lab/lab.conf ] && . /lab/lab.conf
LAB_TMP=${LAB_TMP:-/tmp/test.$$}
mkdir -p "$LAB_TMP"

# One result line each; /init forwards lines starting with PASS/FAIL/SKIP/INFO
# to the host, which counts PASS and FAIL.
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
skip() { echo "SKIP $*"; }
info() { echo "INFO $*"; }

# Compact description of the sense data in sg3-utils output (stdin), e.g.
# "Copy Aborted: Copy target device not reachable [sense 70 key 0xa asc/ascq 0x0d/0x02]";
# the codes only where the output carries the raw sense bytes (sg_raw -vv).
sense_summary() {
    awk '
        /[Ss]ense key:/ { s = $0; sub(/.*[Ss]ense key: */, "", s); key = s }
        /Additional sense:/ { s = $0; sub(/.*Additional sense: */, "", s); asc = s }
        /Raw sense data/ { raw = 1; next }
        raw && /^[ \t]+([0-9a-f][0-9a-f] *)+$/ { for (i = 1; i <= NF; i++) b[n++] = $i; next }
        raw { raw = 0 }
        END {
            out = key
            if (asc != "") out = out (out != "" ? ": " : "") asc
            if (n >= 14 && (b[0] == "70" || b[0] == "71"))
                codes = sprintf("sense %s key 0x%x asc/ascq 0x%s/0x%s", b[0], ("0x" b[2]) % 16, b[12], b[13])
            else if (n >= 4 && (b[0] == "72" || b[0] == "73"))
                codes = sprintf("sense %s key 0x%x asc/ascq 0x%s/0x%s", b[0], ("0x" b[1]) % 16, b[2], b[3])
            if (codes != "") out = out " [" codes "]"
            print out
        }'
}

# sha256 of a block device, or of COUNT 512-byte blocks from block SKIP, read
# with O_DIRECT in 1 MiB requests (past the guest page cache, so the data
# really comes from the target).
dev_sum() { # dev [count_blocks [skip_blocks]]
    if [ -n "$2" ]; then
        dd if="$1" iflag=direct,skip_bytes,count_bytes bs=1M skip=$(( ${3:-0} * 512 )) \
            count=$(( $2 * 512 )) 2>/dev/null | sha256sum | cut -d' ' -f1
    else
        dd if="$1" iflag=direct bs=1M 2>/dev/null | sha256sum | cut -d' ' -f1
    fi
}

# Write COUNT 512-byte blocks from SRC (/dev/urandom, /dev/zero, a file) to a
# block device at block SEEK, with O_DIRECT in 1 MiB requests.
fill_dev() { # src dev count_blocks [seek_blocks]
    dd if="$1" of="$2" bs=1M iflag=fullblock,count_bytes oflag=direct,seek_bytes conv=notrunc \
        seek=$(( ${4:-0} * 512 )) count=$(( $3 * 512 )) 2>/dev/null
}

# Size in 512-byte blocks of a /dev/sdX.
dev_blocks() { cat "/sys/class/block/${1#/dev/}/size"; }

# The first NAA designator of the addressed logical unit (VPD 0x83), as 32 hex
# digits without 0x, e.g. 6001405a1ab000000000000000000000.
naa_of() { # sg
    sg_vpd -p di "$1" 2>/dev/null | awk '
        /designator type: NAA/ { getline; gsub(/[ \t]/, ""); sub(/^0x/, ""); print; exit }'
}

# Send one EXTENDED COPY (LID1, opcode 0x83) with two identification (0xE4)
# target descriptors naming NAAs and one block-to-block (0x02) segment, built
# byte by byte, with sg_raw, which prints the status and decoded sense data.
#   xcopy_lid1 SEND_TO_SG SRC_NAA DST_NAA NBLOCKS SRC_LBA DST_LBA
# Exit status is sg_raw's (0 = GOOD).
xcopy_lid1() {
    _p=$LAB_TMP/xcopy-param.bin
    _e4() { # naa: 32-byte identification descriptor, NAA designator, 512 B blocks
        printf 'e4000000''01030010''%s''00000000''00000200' "$1"
    }
    {
        printf '00180040000000000000001c00000000'   # header: list id usage 11b, 64 B targets, 28 B segment
        _e4 "$2"; _e4 "$3"
        printf '02000018''0000''0001''0000''%04x''%016x''%016x' "$4" "$5" "$6"
    } | xxd -r -p >"$_p"
    _n=$(wc -c <"$_p")
    sg_raw -vv -t 60 -s "$_n" -i "$_p" "$1" 83 00 00 00 00 00 00 00 00 00 \
        $(printf '%08x' "$_n" | sed 's/../& /g') 00 00 2>&1
}

# ------------------------------------------------------------- JSON, ssc-agent

# Flatten JSON (stdin) into one "path=value" line per scalar: object keys and
# array indexes joined by dots, strings unquoted (\" \\ \/ decoded, \n etc. as a
# space), e.g. ok=true, error.kind=invalid, skipped.0.backend=reflink.
json_flat() {
    awk '
        { s = s $0 "\n" }
        function path(   p, k) {
            p = ""
            for (k = 1; k <= d; k++) p = p (k > 1 ? "." : "") key[k]
            return p
        }
        function value(v) { if (d == 0) print v; else print path() "=" v }
        END {
            n = length(s); i = 1; d = 0
            while (i <= n) {
                c = substr(s, i, 1)
                if (c == "{" || c == "[") {
                    d++; typ[d] = c; key[d] = (c == "[" ? 0 : ""); want[d] = (c == "{"); i++
                } else if (c == "}" || c == "]") {
                    d--; i++
                } else if (c == ",") {
                    if (typ[d] == "[") key[d]++; else want[d] = 1
                    i++
                } else if (c == ":") {
                    want[d] = 0; i++
                } else if (c == "\"") {
                    v = ""; j = i + 1
                    while (j <= n) {
                        ch = substr(s, j, 1)
                        if (ch == "\\") {
                            nx = substr(s, j + 1, 1)
                            if (nx == "\"" || nx == "\\" || nx == "/") v = v nx
                            else if (nx == "n" || nx == "t" || nx == "r") v = v " "
                            else v = v "\\" nx
                            j += 2; continue
                        }
                        if (ch == "\"") break
                        v = v ch; j++
                    }
                    i = j + 1
                    if (typ[d] == "{" && want[d]) key[d] = v; else value(v)
                } else if (c ~ /[ \t\r\n]/) {
                    i++
                } else {
                    j = i
                    while (j <= n && substr(s, j, 1) !~ /[],} \t\r\n]/) j++
                    value(substr(s, i, j - i)); i = j
                }
            }
        }'
}

# Start of every ssc-agent test: without --binary, SKIP and stop (CI always
# gives the binary, so there the tests PASS or FAIL).
need_agent() { # check-name
    if [ -z "$SSC_AGENT" ]; then skip "$1: no --binary given"; exit 0; fi
    [ -x "$SSC_AGENT" ] || { fail "$1: $SSC_AGENT is not executable"; exit 0; }
}

# ssc ARGS...: run ssc-agent.  Sets SSC_RC (exit status), SSC_OUT (stdout),
# SSC_ERR (stderr), SSC_JSON (stdout flattened by json_flat), SSC_SECS (wall
# time, guest clock) and SSC_READ_BYTES / SSC_WRITE_BYTES (what the process read
# from and wrote to storage, /proc/PID/io); prints the command and its output.
ssc() {
    _t0=$(cut -d' ' -f1 /proc/uptime)
    # A wrapper shell runs ssc-agent as its child: once the child is reaped the
    # kernel adds its I/O counters to the shell's, read with builtins only.
    _SSC_OUT=$LAB_TMP/ssc.out _SSC_ERR=$LAB_TMP/ssc.err sh -c '
        io() { while read -r k v; do eval "${k%:}_$1=\$v"; done </proc/$$/io; }
        io 0
        "$@" >"$_SSC_OUT" 2>"$_SSC_ERR"
        rc=$?
        io 1
        echo "$rc $((read_bytes_1 - read_bytes_0)) $((write_bytes_1 - write_bytes_0))"
    ' sh "$SSC_AGENT" "$@" >"$LAB_TMP/ssc.io"
    read -r SSC_RC SSC_READ_BYTES SSC_WRITE_BYTES <"$LAB_TMP/ssc.io"
    _t1=$(cut -d' ' -f1 /proc/uptime)
    SSC_SECS=$(awk "BEGIN { printf \"%.2f\", $_t1 - $_t0 }")
    SSC_OUT=$(cat "$LAB_TMP/ssc.out"); SSC_ERR=$(cat "$LAB_TMP/ssc.err")
    SSC_JSON=$(json_flat <"$LAB_TMP/ssc.out")
    echo "+ ssc-agent $* -> exit $SSC_RC in ${SSC_SECS}s, read_bytes $SSC_READ_BYTES, write_bytes $SSC_WRITE_BYTES"
    [ -z "$SSC_OUT" ] || echo "$SSC_OUT" | head -60
    [ -z "$SSC_ERR" ] || echo "$SSC_ERR" | head -20 | sed 's/^/stderr: /'
}

# jv PATH: one scalar of the last ssc run's JSON, e.g. `jv ok`, `jv error.kind`,
# `jv skipped.0.backend`; empty when absent.
jv() { echo "$SSC_JSON" | awk -v k="$1=" 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }'; }

# skipped_field BACKEND FIELD: FIELD (reason, class) of BACKEND's entry in the
# last ssc run's "skipped" list; status 1 when BACKEND is not in it.
skipped_field() {
    _i=0
    while :; do
        _b=$(jv "skipped.$_i.backend")
        [ -n "$_b" ] || return 1
        [ "$_b" = "$1" ] && { jv "skipped.$_i.$2"; return 0; }
        _i=$((_i + 1))
    done
}

# port_stat X FIELD: a counter of LUN X's port (statistics/scsi_tgt_port:
# in_cmds, read_mbytes, write_mbytes; MiB rounded down).  It counts the
# initiator's commands and, for an EXTENDED COPY, LIO's own reads or writes on
# the LUN that received the command (measured: sg_xcopy --on_src A -> B adds
# 64 MiB to A's read_mbytes and nothing to B's write_mbytes).
port_stat() { eval "cat \"\$LUN_${1}_PORT/statistics/scsi_tgt_port/$2\"" 2>/dev/null; }
# lu_stat X FIELD: a counter of LUN X's backstore (statistics/scsi_lu: num_cmds,
# read_mbytes, write_mbytes).
lu_stat() { eval "cat \"\$LUN_${1}_BACKSTORE/statistics/scsi_lu/$2\"" 2>/dev/null; }

# Fill all of LUN X from SRC (/dev/urandom, /dev/zero) with O_DIRECT.
fill_lun() { # src X
    eval "fill_dev \"\$1\" \"\$LUN_${2}_SD\" \$(dev_blocks \"\$LUN_${2}_SD\")"
}

# refusal_problems KIND [REGEX...]: after `ssc ... --json`, print what is wrong
# with it as a refusal of kind KIND whose error.message matches every extended
# REGEX (case-insensitive); prints nothing when it is a proper refusal: exit 1,
# no "ok":true, ok false, error.kind KIND, no storage bytes written (/proc/PID/io).
refusal_problems() {
    _k=$1; shift
    _p=
    [ "$SSC_RC" = 1 ] || _p="$_p exit $SSC_RC (expected 1);"
    case "$SSC_OUT" in *'"ok":true'*) _p="$_p printed \"ok\":true;" ;; esac
    [ "$(jv ok)" = false ] || _p="$_p ok is '$(jv ok)';"
    [ "$(jv error.kind)" = "$_k" ] || _p="$_p kind '$(jv error.kind)' (expected $_k);"
    [ "${SSC_WRITE_BYTES:-0}" = 0 ] || _p="$_p the process wrote $SSC_WRITE_BYTES bytes to storage;"
    for _re; do
        jv error.message | grep -qiE -- "$_re" || _p="$_p message does not match /$_re/;"
    done
    echo "$_p"
}
