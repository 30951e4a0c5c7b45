#!/usr/bin/env python3
"""Reads each TOML file named on the command line with Python's tomllib (a TOML 1.0
reader) and prints "NAME<TAB>ERROR" or "NAME<TAB>CANONICAL", the value in the canonical
form TOMLDifferentialTests builds from this project's reader: tables with sorted keys,
every value tagged with its type, floats as IEEE bit patterns, date-times to the
microsecond (tomllib's precision)."""
import datetime
import math
import struct
import sys
import tomllib


def text(s):
    return '"' + ''.join(c if c.isascii() and c.isalnum() else '\\u{%x}' % ord(c) for c in s) + '"'


def time_part(t):
    return f"{t.hour:02}:{t.minute:02}:{t.second:02}.{t.microsecond:06}"


def canonical(v):
    if isinstance(v, dict):
        return '{' + ','.join(text(k) + ':' + canonical(v[k]) for k in sorted(v)) + '}'
    if isinstance(v, list):
        return '[' + ','.join(canonical(e) for e in v) + ']'
    if isinstance(v, str):
        return 's' + text(v)
    if isinstance(v, bool):
        return 'b1' if v else 'b0'
    if isinstance(v, int):
        return 'i' + str(v)
    if isinstance(v, float):
        return 'fnan' if math.isnan(v) else 'f' + struct.pack('>d', v).hex()
    if isinstance(v, datetime.datetime):
        d = f"{v.year:04}-{v.month:02}-{v.day:02}T" + time_part(v)
        if v.tzinfo is None:
            return 'ldt' + d
        minutes = int(v.utcoffset().total_seconds()) // 60
        return 'odt' + d + ('+' if minutes >= 0 else '-') + f"{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"
    if isinstance(v, datetime.date):
        return f"ld{v.year:04}-{v.month:02}-{v.day:02}"
    if isinstance(v, datetime.time):
        return 'lt' + time_part(v)
    raise TypeError(type(v))


for name in sys.argv[1:]:
    with open(name, 'rb') as f:
        data = f.read()
    try:
        value = canonical(tomllib.loads(data.decode('utf-8')))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError, RecursionError):
        value = 'ERROR'
    print(name.rsplit('/', 1)[-1] + '\t' + value)
