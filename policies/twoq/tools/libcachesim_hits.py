"""Hit counts of libCacheSim's own TwoQ on every shared trace, for tests/libcachesim.rs.

Independent reference: libCacheSim's C implementation through its Python bindings
(`pip install libcachesim==0.3.5`, PyPI). Each trace is replayed once per cache size
(1%, 5%, 10% and 20% of its distinct keys, rounded down) as "get; on a miss, insert",
every object of size 1, with TwoQ's default parameters (Ain-size-ratio 0.25,
Aout-size-ratio 0.5). Keys are renumbered 1, 2, 3, ... in order of first request (the
counts do not depend on it: libCacheSim's ghost is exact). Prints one Rust array row per
trace: (folder/file, requests, [(capacity, hits); 4]).

    python3 tools/libcachesim_hits.py ../../../shared/data/traces

Formats (see shared/data/traces/README.md): lirs/*.trace.gz gzip text, one key per line
(`*` and empty lines skipped); cache2k/*.trace.xz big-endian i32; corda/*.gz big-endian
i64; libcachesim/*.oracleGeneral.bin.zst 24-byte little-endian records, obj_id at 4..12
(decompressed with the `zstd` command).
"""
import gzip
import lzma
import os
import struct
import subprocess
import sys

import libcachesim as lcs

TRACES = [
    "lirs/2_pools.trace.gz", "lirs/cpp.trace.gz", "lirs/cs.trace.gz", "lirs/gli.trace.gz",
    "lirs/loop.trace.gz", "lirs/multi1.trace.gz", "lirs/multi2.trace.gz",
    "lirs/multi3.trace.gz", "lirs/ps.trace.gz", "lirs/sprite.trace.gz",
    "cache2k/web07.trace.xz", "cache2k/web12.trace.xz", "cache2k/orm-busy.trace.xz",
    "corda/trace_vaultservice.gz", "libcachesim/cloudPhysicsIO.oracleGeneral.bin.zst",
]


def raw_keys(path):
    if path.endswith(".trace.gz") and "/lirs/" in path:
        with gzip.open(path, "rt") as f:
            return [int(t) for t in (line.strip() for line in f) if t and t != "*"]
    if path.endswith(".xz"):
        data = lzma.open(path).read()
        return list(struct.unpack(f">{len(data) // 4}i", data))
    if path.endswith(".gz"):
        data = gzip.open(path).read()
        return list(struct.unpack(f">{len(data) // 8}q", data))
    data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    return [struct.unpack_from("<Q", data, off + 4)[0] for off in range(0, len(data), 24)]


def renumbered(path):
    ids = {}
    return [ids.setdefault(k, len(ids) + 1) for k in raw_keys(path)], None


root = sys.argv[1]
only = sys.argv[2:]
for name in TRACES:
    if only and not any(o in name for o in only):
        continue
    ks, _ = renumbered(os.path.join(root, name))
    distinct = len(set(ks))
    cells = []
    for pct in (1, 5, 10, 20):
        size = distinct * pct // 100
        cache, req, hits = lcs.TwoQ(size), lcs.Request(), 0
        for k in ks:
            req.obj_id, req.obj_size = k, 1
            hits += cache.get(req)
        cells.append(f"({size}, {hits})")
    print(f'    ("{name}", {len(ks)}, [{", ".join(cells)}]),', flush=True)
