#!/usr/bin/env python3
"""Runs one command and prints one JSON line: wall seconds, CPU seconds (user+system)
of the command and its children, and the bytes it read and wrote at the block layer.

The bytes come from this process's /proc/self/io before and after: the kernel adds a
reaped child's I/O accounting to its parent. read_bytes/write_bytes are used because
libaio and O_DIRECT leave rchar/wchar at 0."""
import json
import resource
import subprocess
import sys
import time


def io_counters():
    counters = {}
    with open("/proc/self/io") as f:
        for line in f:
            key, value = line.split(":")
            counters[key.strip()] = int(value)
    return counters


def main():
    command = sys.argv[1:]
    before_io = io_counters()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_io = io_counters()
    print(json.dumps({
        "status": result.returncode,
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "read_bytes": after_io["read_bytes"] - before_io["read_bytes"],
        "write_bytes": after_io["write_bytes"] - before_io["write_bytes"],
        "stdout": result.stdout.decode(errors="replace")[-2000:],
        "stderr": result.stderr.decode(errors="replace")[-2000:],
    }))


if __name__ == "__main__":
    main()
