#!/usr/bin/env python3
"""Converts a trace of big-endian i32 keys (cache2k, e.g. orm-busy.trace.xz) to libCacheSim's
oracleGeneral records (u32 time, u64 id, u32 size = 1, i64 next access, little-endian), for
the speed comparison in sim/tools/lcs_speed.py. Needs numpy.

    python3 sim/tools/to_oracle.py ../shared/data/traces/cache2k/orm-busy.trace.xz out.oracleGeneral
"""
import lzma
import sys

import numpy as np


def main():
    src, dst = sys.argv[1], sys.argv[2]
    opener = lzma.open if src.endswith(".xz") else open
    with opener(src, "rb") as f:
        keys = np.frombuffer(f.read(), dtype=">i4").astype(np.int64)
    n = len(keys)
    # Next access: for each request, the index of the next request of the same key, or -1.
    order = np.lexsort((np.arange(n), keys))
    nxt = np.full(n, -1, dtype=np.int64)
    same = keys[order[1:]] == keys[order[:-1]]
    nxt[order[:-1][same]] = order[1:][same]
    rec = np.zeros(n, dtype=[("t", "<u4"), ("id", "<u8"), ("size", "<u4"), ("next", "<i8")])
    rec["t"] = np.arange(n, dtype=np.uint32)
    rec["id"] = keys.astype(np.uint64)
    rec["size"] = 1
    rec["next"] = nxt
    rec.tofile(dst)
    print(f"{n} requests, {len(np.unique(keys))} distinct keys -> {dst}")


if __name__ == "__main__":
    main()
