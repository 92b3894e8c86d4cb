#!/usr/bin/env python3
"""libCacheSim's side of the speed comparison of issue 20: the seconds libcachesim's
`process_trace` takes (timed inside Python, reader opening and cache building excluded),
and its miss ratio, for one trace, policy and size.

    /work/venv-lcs/bin/python sim/tools/lcs_speed.py TRACE.oracleGeneral[.zst] lru 7634 [runs]

Prints one line per run: policy, size, wall seconds, CPU seconds of the process during
the call (both timed inside Python), miss ratio. The evict-sim side is its whole
command, e.g. `evict-sim TRACE -p lru -s 7634 --json`, timed from outside (with
/usr/bin/time, or any tool that runs it a few times); compare medians from one session.
Needs `pip install libcachesim==0.3.5` (not in CI).
"""
import sys
import time

import libcachesim as lcs

POLICIES = {"lru": lcs.LRU, "s3fifo": lcs.S3FIFO, "arc": lcs.ARC, "fifo": lcs.FIFO,
            "clock": lcs.Clock, "sieve": lcs.Sieve, "wtinylfu": lcs.WTinyLFU}


def main():
    trace, policy, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    for _ in range(runs):
        reader = lcs.TraceReader(trace, lcs.TraceType.ORACLE_GENERAL_TRACE)
        cache = POLICIES[policy](cache_size=size)
        t, c = time.perf_counter(), time.process_time()
        miss = cache.process_trace(reader)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        print(f"{policy} {size} {dt:.3f} {dc:.3f} {miss[0]:.6f}", flush=True)


if __name__ == "__main__":
    main()
