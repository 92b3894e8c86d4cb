"""Hits and byte hits of libCacheSim 0.3.5 policies replaying an oracleGeneral trace with
its object sizes, at 1%, 5%, 10% and 20% of its distinct bytes (rounded down): the reference
for evict's weighted ARC, S3-FIFO and W-TinyLFU as the simulator replays them in bytes
(`cargo run --release -p evict-sim -- TRACE -p arc,s3fifo,wtinylfu --json`; evict-sim's
sim/tools/lcs_bytes.py is the same comparison for the six policies its test pins).

    /work/venv-lcs/bin/python policies/arc/tools/lcs_sized.py TRACE.oracleGeneral.bin.zst arc[,wtinylfu,lru]

oracleGeneral records: 24 bytes, little-endian u32 timestamp, u64 object id, u32 object size,
i64 next access; an object's size is its first request's. Each request is libCacheSim's
`get` (a hit, or a miss that inserts), so every request counts. Prints per size: policy,
percent, capacity in bytes, requests, hits, bytes requested, bytes hit, hit ratio and byte
hit ratio in percent. Needs `pip install libcachesim==0.3.5` (not in CI) and `zstd`.
"""
import struct, sys, subprocess
import libcachesim as lcs
path = sys.argv[1]
pols = sys.argv[2].split(",")
data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
reqs = [struct.unpack_from("<IQIq", data, off) for off in range(0, len(data), 24)]
sizes = {}
for _, o, s, _ in reqs:
    sizes.setdefault(o, s)
distinct = sum(sizes.values())
P = {"arc": lcs.ARC, "wtinylfu": lcs.WTinyLFU, "lru": lcs.LRU, "s3fifo": lcs.S3FIFO}
for pol in pols:
    for pct in (1, 5, 10, 20):
        cap = distinct * pct // 100
        c = P[pol](cap)
        r = lcs.Request()
        hits = bh = byt = 0
        for _, o, s, _ in reqs:
            r.obj_id, r.obj_size = o, s
            h = c.get(r)
            byt += s
            if h:
                hits += 1; bh += s
        print(pol, pct, cap, len(reqs), hits, byt, bh, f"{hits/len(reqs)*100:.4f} {bh/byt*100:.4f}", flush=True)
