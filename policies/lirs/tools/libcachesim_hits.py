"""Hit counts of libCacheSim's LIRS on the shared traces, for tests/libcachesim.rs.

Independent reference: libCacheSim's C implementation (`libCacheSim/cache/eviction/LIRS.c`)
through its Python bindings (`pip install libcachesim==0.3.5`, PyPI). Each trace is replayed
once per cache size (1%, 5%, 10% and 20% of its distinct keys, rounded down) as "get; on a
miss, insert" (libCacheSim's `get` does both), every object of size 1, default parameters
(HIR share 1%: `hirs_limit = max(1, floor(0.01 * size))`).

Beside libCacheSim's count, two models written here (plain Python, OrderedDicts) replay the
same requests:

- `lcs`: LIRS.c as read, rule for rule (unit sizes). It agrees with libCacheSim in every
  cell, which shows the rules below are libCacheSim's.
- `paper`: the same code with the paper's rule for a hit on a resident HIR block that is not
  in the stack S (Jiang and Zhang 2002, section 3.3 case 2b: move it to the top of S and to
  the end of Q, nothing else). LIRS.c's `hit_RD_HIRinQ` also demotes the bottom LIR block
  to Q when the LIR set is full, which makes room for the next new block to enter as LIR,
  and with a one-entry Q (capacity below 200) evicts the block it just hit while still
  counting it as cached. evict-lirs follows the paper, so its counts are this column's.

Prints one Rust array row per trace: (capacity, libCacheSim, lcs model, paper model).

    python3 tools/libcachesim_hits.py ../../../shared/data/traces
"""
import gzip
import lzma
import os
import struct
import subprocess
import sys
from collections import OrderedDict

import libcachesim as lcs

LIRS = ["2_pools", "cpp", "cs", "gli", "loop", "multi1", "multi2", "multi3", "ps", "sprite"]


def read(root, name):
    """The trace's keys, in the trace's own key space (LIRS text keys as integers)."""
    if name.endswith(".trace.gz") and "/" not in name:
        out = []
        with gzip.open(os.path.join(root, "lirs", name), "rt") as f:
            for line in f:
                t = line.strip()
                if t and t != "*":
                    out.append(int(t))
        return out
    path = os.path.join(root, name)
    if name.startswith("cache2k/"):
        data = lzma.open(path).read()
        return [x & 0xFFFF_FFFF for x in struct.unpack(f">{len(data) // 4}i", data)]
    if name.startswith("corda/"):
        data = gzip.open(path).read()
        return [x & 0xFFFF_FFFF_FFFF_FFFF for x in struct.unpack(f">{len(data) // 8}q", data)]
    if name.startswith("libcachesim/"):
        data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
        return [struct.unpack_from("<IQIq", data, off)[1] for off in range(0, len(data), 24)]
    raise ValueError(name)


class Lirs:
    """LIRS over unit-size objects: S (stack, last = top), Q (resident HIR, last = most
    recent), NH (non-resident blocks in S, last = newest). paper=False is LIRS.c's rule."""

    def __init__(s, c, paper):
        s.c, s.H = c, max(1, int(0.01 * c))
        s.L, s.paper = c - s.H, paper
        s.S, s.Q, s.NH = OrderedDict(), OrderedDict(), OrderedDict()
        s.lirs = s.hirs = s.nobj = 0

    def prune(s):
        while len(s.S) > 1:
            z = next(iter(s.S))
            if s.S[z][0]:
                break
            if not s.S[z][1]:
                s.NH.pop(z, None)
            del s.S[z]

    def evict_hir(s):
        z = next(iter(s.Q))
        del s.Q[z]
        s.hirs -= 1
        s.nobj -= 1
        if z in s.S:
            s.S[z][1] = False
            s.NH[z] = True

    def evict_lir(s):
        y = next(iter(s.S))
        del s.S[y]
        s.lirs -= 1
        while s.hirs + 1 > s.H:
            s.evict_hir()
        s.Q[y] = True
        s.hirs += 1
        s.prune()

    def get(s, x):
        hit = s.access(x)
        # limitStack: S holds at most 2c blocks; the oldest non-resident ones go first.
        while len(s.S) > 2 * s.c and s.NH:
            z = next(iter(s.NH))
            del s.NH[z]
            del s.S[z]
        return hit

    def access(s, x):
        S, Q = s.S, s.Q
        in_s, in_q = x in S, x in Q
        if in_s:
            S.move_to_end(x)
        if in_q:
            Q.move_to_end(x)
        if in_s and S[x][0]:  # LIR
            s.prune()
            return True
        if in_s and S[x][1]:  # resident HIR in S: becomes LIR
            if in_q:
                del Q[x]
                s.hirs -= 1
                s.nobj -= 1
            while s.lirs + 1 > s.L:
                s.evict_lir()
            S[x][0] = True
            s.lirs += 1
            s.nobj += 1
            return True
        if in_q:  # resident HIR not in S
            if not s.paper:
                while s.lirs + 1 > s.L:
                    s.evict_lir()
            S[x] = [False, True]
            return True
        if in_s:  # non-resident HIR in S: a miss, then LIR
            if s.paper:
                if s.nobj >= s.c:
                    s.evict_hir()
                s.NH.pop(x, None)
                if s.lirs + 1 > s.L:
                    s.evict_lir()
            else:
                while s.lirs + 1 > s.L:
                    s.evict_lir()
                s.NH.pop(x, None)
                while s.nobj + 1 > s.c:
                    while s.hirs >= s.H:
                        s.evict_hir()
                    s.evict_lir()
            S[x] = [True, True]
            s.lirs += 1
            s.nobj += 1
            return False
        if s.lirs + 1 > s.L and s.hirs + 1 > s.H:
            while s.hirs + 1 > s.H:
                s.evict_hir()
        if s.lirs + 1 <= s.L:
            S[x] = [True, True]
            s.lirs += 1
        else:
            S[x] = [False, True]
            Q[x] = True
            s.hirs += 1
        s.nobj += 1
        return False


def libcachesim(ks, c):
    cache, req, hits = lcs.LIRS(c), lcs.Request(), 0
    for k in ks:
        req.obj_id, req.obj_size = k, 1
        hits += cache.get(req)
    return hits


def model(ks, c, paper):
    m = Lirs(c, paper)
    return sum(m.get(k) for k in ks)


root = sys.argv[1] if len(sys.argv) > 1 else "../../../shared/data/traces"
names = sys.argv[2:] or [f"{t}.trace.gz" for t in LIRS] + [
    "cache2k/web07.trace.xz", "cache2k/web12.trace.xz", "corda/trace_vaultservice.gz",
    "libcachesim/cloudPhysicsIO.oracleGeneral.bin.zst", "cache2k/orm-busy.trace.xz"]
for name in names:
    raw = read(root, name)
    ids = {}
    # libCacheSim takes 64-bit ids; renumbered in order of first request (changes nothing).
    ks = [ids.setdefault(k, len(ids) + 1) for k in raw]
    cells = []
    for pct in (1, 5, 10, 20):
        c = len(ids) * pct // 100
        cells.append(f"({c}, {libcachesim(ks, c)}, {model(ks, c, False)}, {model(ks, c, True)})")
    print(f'    ("{name}", {len(ks)}, [{", ".join(cells)}]),', flush=True)
