"""Joins the two runners' outputs: per cell, libCacheSim's and evict's hit ratios (percent)
and the difference in points; then the mean of each and the cells where evict is more than
0.5 points below.

    python3 tools/compare.py LCS.txt EVICT.txt [EVICT2.txt ...]
"""
import sys


def load(path):
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) < 11:
            continue
        name, reqs = f[0], int(f[1])
        out[name] = (reqs, [(int(f[3 + 2 * i]), int(f[4 + 2 * i])) for i in range(4)])
    return out


lcs = load(sys.argv[1])
runs = [load(p) for p in sys.argv[2:]]
PCT = (1, 5, 10, 20)
print("| trace | size | libCacheSim | " + " | ".join(f"evict {i}" if len(runs) > 1 else "evict" for i in range(len(runs))) + " | " + " | ".join("diff" for _ in runs) + " |")
print("|---|---:|---:|" + "---:|" * (2 * len(runs)))
sums = [0.0] * (len(runs) + 1)
below = [[] for _ in runs]
n = 0
for name, (reqs, cells) in lcs.items():
    for j, (size, hits) in enumerate(cells):
        base = 100.0 * hits / reqs
        row, diffs = [], []
        sums[0] += base
        for r, run in enumerate(runs):
            if name not in run:
                row.append("–")
                diffs.append("–")
                continue
            esize, ehits = run[name][1][j]
            assert esize == size, (name, size, esize)
            e = 100.0 * ehits / reqs
            sums[r + 1] += e
            row.append(f"{e:.2f}")
            diffs.append(f"{e - base:+.2f}")
            if e < base - 0.5:
                below[r].append(f"{name}@{PCT[j]}%({e - base:+.2f})")
        n += 1
        print(f"| {name} | {PCT[j]}% ({size}) | {base:.2f} | " + " | ".join(row) + " | " + " | ".join(diffs) + " |")
print(f"\nmean over {n} cells: libCacheSim {sums[0] / n / 100:.4f}; " + "; ".join(f"evict {i}: {s / n / 100:.4f}" for i, s in enumerate(sums[1:])))
for i, b in enumerate(below):
    print(f"evict {i}: {len(b)} cells more than 0.5 points below: " + ", ".join(b))
