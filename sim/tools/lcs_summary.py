#!/usr/bin/env python3
"""Medians and ratios from sim/tools/lcs_compare.sh's output (one line per run: trace,
policy, who, wall s, CPU s):

    sim/tools/lcs_compare.sh 3 7634 orm-busy.oracleGeneral > runs.txt
    python3 sim/tools/lcs_summary.py runs.txt

Ratios are libcachesim's process_trace over evict-sim's whole command (above 1: evict-sim
faster), wall and CPU, from the medians.
"""
import statistics
import sys


def main():
    rows = {}
    with open(sys.argv[1]) as f:
        for line in f:
            trace, policy, who, wall, cpu = line.split()
            rows.setdefault((trace, policy), {}).setdefault(who, []).append((float(wall), float(cpu)))
    print("| trace | policy | libcachesim wall / CPU s | evict-sim wall / CPU s | ratio wall | ratio CPU |")
    print("|---|---|---:|---:|---:|---:|")
    for (trace, policy), d in rows.items():
        lw = statistics.median(x[0] for x in d["libcachesim"])
        lc = statistics.median(x[1] for x in d["libcachesim"])
        ew = statistics.median(x[0] for x in d["evict-sim"])
        ec = statistics.median(x[1] for x in d["evict-sim"])
        print(f"| {trace} | {policy} | {lw:.2f} / {lc:.2f} | {ew:.2f} / {ec:.2f} | {lw / ew:.2f}× | {lc / ec:.2f}× |")


if __name__ == "__main__":
    main()
