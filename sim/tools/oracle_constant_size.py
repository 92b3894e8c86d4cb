#!/usr/bin/env python3
"""Writes a copy of an (uncompressed) oracleGeneral trace whose every record of non-zero size
has object size SIZE: the experiment of the sim README's S3-FIFO note (with one size for all,
a ghost sized in bytes and one sized in entries remember the same keys).

    zstd -dc TRACE.oracleGeneral.bin.zst > /tmp/t.bin
    python3 sim/tools/oracle_constant_size.py /tmp/t.bin /tmp/t4k.oracleGeneral.bin 4096
"""
import struct
import sys


def main():
    src, dst, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = bytearray(open(src, "rb").read())
    for at in range(0, len(data) - len(data) % 24, 24):
        if struct.unpack_from("<I", data, at + 12)[0] != 0:
            struct.pack_into("<I", data, at + 12, size)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
