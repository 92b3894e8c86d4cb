#!/usr/bin/env python3
"""libCacheSim's byte-sized replay of an oracleGeneral trace, for the pinned counts of
sim/tests/bytes.rs (issue 12): for each policy and each cache size (a percentage of the
trace's distinct bytes), libcachesim 0.3.5's `process_trace` (the C replay loop: `get`,
which inserts on a miss; an object larger than the cache is not admitted) and the
object hits and byte hits it implies.

    /work/venv-lcs/bin/python sim/tools/lcs_bytes.py TRACE.oracleGeneral[.zst] [PCT ...]

Distinct bytes are libCacheSim's working-set size (`reader.get_working_set_size()`,
`cal_working_set_size` in C: each distinct object counted once, with the size of its
first request); the script recomputes it in Python and checks that both agree. Cache size
at p% = distinct_bytes * p // 100 (integer arithmetic, as evict-sim resolves `p%`).

`process_trace` returns the object and byte miss ratios (doubles); the counts are
recovered as round((1 - ratio) * total), exact for these totals (far below 2^52). The
script checks them for LRU at the first size against a request-by-request replay through
the same C cache (`cache.get`, one call per request from Python).

Prints one Rust tuple per (policy, percent):
    ("lru", 1, 20297697, hits, bytes_hit),
then a line with requests, bytes requested, distinct objects and distinct bytes.
Needs `pip install libcachesim==0.3.5` (not in CI).
"""
import sys

import libcachesim as lcs

POLICIES = [("lru", lcs.LRU), ("fifo", lcs.FIFO), ("clock", lcs.Clock),
            ("sieve", lcs.Sieve), ("s3fifo", lcs.S3FIFO), ("arc", lcs.ARC),
            # Random sampling (128 objects per eviction, libCacheSim's own generator):
            # evict-sim's belady-size samples with another, so only close.
            ("belady-size", lcs.BeladySize)]


def reader(path):
    return lcs.TraceReader(path, lcs.TraceType.ORACLE_GENERAL_TRACE)


def totals(path):
    """Requests, bytes requested, distinct objects, distinct bytes (first-seen sizes),
    and how many requests carry another size than their object's first request."""
    first, n, nbytes, changed = {}, 0, 0, 0
    for req in reader(path):
        if not req.valid:
            break
        n += 1
        nbytes += req.obj_size
        size = first.setdefault(req.obj_id, req.obj_size)
        changed += size != req.obj_size
    return n, nbytes, len(first), sum(first.values()), changed


def by_hand(path, make, size):
    cache, hits, bhits = make(size), 0, 0
    for req in reader(path):
        if not req.valid:
            break
        if cache.get(req):
            hits += 1
            bhits += req.obj_size
    return hits, bhits


def main():
    path = sys.argv[1]
    pcts = [int(p) for p in sys.argv[2:]] or [1, 5, 10, 20]
    n, nbytes, objs, wss, changed = totals(path)
    lcs_objs, lcs_wss = reader(path).get_working_set_size()
    assert (lcs_objs, lcs_wss) == (objs, wss), ((lcs_objs, lcs_wss), (objs, wss))
    for name, make in POLICIES:
        for p in pcts:
            size = wss * p // 100
            miss, bmiss = make(size).process_trace(reader(path))
            hits = round((1.0 - miss) * n)
            bhits = round((1.0 - bmiss) * nbytes)
            if name == "lru" and p == pcts[0]:
                assert by_hand(path, make, size) == (hits, bhits)
            print(f'    ("{name}", {p}, {size}, {hits}, {bhits}),', flush=True)
    print(f"requests {n} bytes_requested {nbytes} distinct_objects {objs} "
          f"distinct_bytes {wss} size_changes {changed}")


if __name__ == "__main__":
    main()
