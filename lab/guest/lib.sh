# Helpers for guest tests: `. /lab/lib.sh` at the top of a lab/tests/*.sh.
# Runs under busybox sh in the lab guest.
#
# Environment after sourcing (also exported by /init):
#   LUN_{A..E}_SD, LUN_{A..E}_SG, LUN_{A..E}_SERIAL, LUN_{A..E}_HCTL (from /lab/luns.env)
#   SSC_AGENT   path of the ssc-agent binary in the guest, empty if none was given
#   LAB_KERNEL  guest kernel version
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
