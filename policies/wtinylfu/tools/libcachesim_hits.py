"""Hit counts of libCacheSim's WTinyLFU on the 15 shared traces (issue 14's 60 cells).

Independent reference: libCacheSim's C implementation (`libCacheSim/cache/eviction/WTinyLFU.c`,
its SLRU main cache and count-min sketch) through its Python bindings
(`pip install libcachesim==0.3.5`, PyPI). Each trace is replayed once per cache size (1%, 5%,
10% and 20% of its distinct keys, rounded down) as "get; on a miss, insert" (libCacheSim's
`get` does both), every object of size 1, default parameters (window-size 0.01, main-cache
SLRU). Keys are the trace's own (LIRS decimal keys, cache2k i32 as u32, Corda i64 as u64,
cloudPhysics obj_id): libCacheSim's sketch hashes them, so renumbering would change its
counts.

With `--dump DIR` it also writes each trace's keys to DIR/<trace>.i64be (big-endian 64-bit
records), which `tools/cells.rs` (and evict-sim with `--format i64be`) reads, so that both
sides see the same keys; `tools/compare.py` joins the two outputs:

    python3 tools/libcachesim_hits.py ../../../shared/data/traces --dump /tmp/keys > lcs.txt
    cargo run --release -p evict-wtinylfu --example cells -- /tmp/keys/*.i64be > evict.txt
    python3 tools/compare.py lcs.txt evict.txt

Prints one line per trace: name, requests, distinct keys, then (capacity, hits) per size.

    python3 tools/libcachesim_hits.py ../../../shared/data/traces [--dump DIR] [trace ...]
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


def keys(path):
    """The trace's keys as unsigned 64-bit integers, as evict-sim reads them."""
    if path.endswith(".trace.gz") and "/lirs/" in path:
        with gzip.open(path, "rt") as f:
            return [int(t) for t in (line.strip() for line in f) if t and t != "*"]
    if path.endswith(".xz"):
        data = lzma.open(path).read()
        return [x & 0xFFFF_FFFF for x in struct.unpack(f">{len(data) // 4}i", data)]
    if path.endswith(".gz"):
        data = gzip.open(path).read()
        return [x & 0xFFFF_FFFF_FFFF_FFFF for x in struct.unpack(f">{len(data) // 8}q", data)]
    data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    return [struct.unpack_from("<Q", data, off + 4)[0] for off in range(0, len(data), 24)]


args = sys.argv[1:]
root = args.pop(0)
dump = None
if args[:1] == ["--dump"]:
    dump = args[1]
    args = args[2:]
for name in TRACES:
    if args and not any(o in name for o in args):
        continue
    ks = keys(os.path.join(root, name))
    short = os.path.basename(name).split(".")[0]
    if dump:
        with open(os.path.join(dump, short + ".i64be"), "wb") as f:
            f.write(b"".join(struct.pack(">Q", k) for k in ks))
    distinct = len(set(ks))
    cells = []
    for pct in (1, 5, 10, 20):
        size = distinct * pct // 100
        cache, req, hits = lcs.WTinyLFU(size), lcs.Request(), 0
        for k in ks:
            req.obj_id, req.obj_size = k, 1
            hits += cache.get(req)
        cells.append(f"{size} {hits}")
    print(short, len(ks), distinct, " ".join(cells), flush=True)
