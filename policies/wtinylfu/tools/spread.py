"""Tells a systematic shortfall from the luck of the sketch's fixed-seed hash: joins
libCacheSim's hit counts with several runs of `tools/cells.rs` made with different key
remappings (`cells mul=M`: every key multiplied by the odd number M, a bijection, so only the
sketch's collisions change), and prints, per cell, the mean difference in points over the runs
and in how many runs the cell is more than 0.5 points below libCacheSim.

    for m in 1 3 5 7 11 13; do
        cargo run --release -p evict-wtinylfu --example cells -- mul=$m KEYS/*.i64be > /tmp/m$m.txt
    done
    python3 tools/spread.py tools/libcachesim-0.3.5.txt /tmp/m*.txt

Prints the mean hit ratio over all cells and runs, the number of (cell, run) pairs more than
0.5 points below, and the cells whose mean is more than 0.5 below or that are below in more
than half of the runs.
"""
import sys


def load(path):
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) < 11:
            continue
        out[f[0]] = (int(f[1]), [int(f[4 + 2 * i]) for i in range(4)])
    return out


lcs = load(sys.argv[1])
runs = [load(p) for p in sys.argv[2:]]
below, bad, total, ratios = [], 0, 0, []
for name, (n, ref) in lcs.items():
    for i, pct in enumerate((1, 5, 10, 20)):
        vals = [r[name][1][i] for r in runs]
        mean = sum(vals) / len(vals)
        diff = (mean - ref[i]) * 100 / n
        ratios.append(mean * 100 / n)
        nb = sum(1 for v in vals if (v - ref[i]) * 100 / n < -0.5)
        bad += nb
        total += len(vals)
        if diff < -0.5 or nb > len(vals) // 2:
            below.append(f"{name}@{pct}%: {diff:+.2f} ({nb}/{len(vals)} runs below)")
print(f"mean {sum(ratios) / len(ratios):.3f}%; (cell, run) pairs more than 0.5 below: {bad}/{total}")
for b in below:
    print("  " + b)
