"""Hit counts of libCacheSim's own S3FIFO on the LIRS traces, for tests/libcachesim.rs.

Independent reference: the authors' C implementation through its Python bindings
(`pip install libcachesim==0.3.5`, PyPI). Each trace is replayed once per cache size
(1%, 5%, 10% and 20% of its distinct keys, rounded down) as "get; on a miss, insert",
every object of size 1, with the default parameters (small-size-ratio 0.10,
ghost-size-ratio 0.90, move-to-main-threshold 2). Prints one Rust array row per trace.

    python3 tools/libcachesim_hits.py ../../../shared/data/traces/lirs/*.trace.gz
"""
import gzip
import os
import sys

import libcachesim as lcs


def keys(path):
    ids, out = {}, []
    with gzip.open(path, "rt") as f:
        for line in f:
            t = line.strip()
            if t and t != "*":
                out.append(ids.setdefault(t, len(ids) + 1))
    return out, len(ids)


for path in sys.argv[1:]:
    ks, distinct = keys(path)
    cells = []
    for pct in (1, 5, 10, 20):
        size = distinct * pct // 100
        cache, req, hits = lcs.S3FIFO(size), lcs.Request(), 0
        for k in ks:
            req.obj_id, req.obj_size = k, 1
            hits += cache.get(req)
        cells.append(f"({size}, {hits})")
    print(f'    ("{os.path.basename(path)}", {len(ks)}, [{", ".join(cells)}]),', flush=True)
