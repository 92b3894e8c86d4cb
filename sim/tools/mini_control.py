#!/usr/bin/env python3
"""Miniature simulations against the full replay, raw and with LRU as a control variate.

    python3 sim/tools/mini_control.py full.json mini.json [mini2.json ...]

`full.json`: the replay's `--json` (every policy, the sizes of the miniatures, LRU among
them); `mini.json`: `evict-sim mrc --method mini --json` at the same sizes. For each policy,
prints the mean absolute error (points of hit ratio) of the miniatures as they are, and
after subtracting, at each size, the LRU miniature's own error (its exact value is what
`evict-sim mrc --method exact` gives in one cheap pass). The miniatures of one salt share
their sample, so their errors move together; the control removes the shared part.
`evict-sim mrc --method mini` does the same by default (`--control exact`); run it with
`--control none` to feed this script, which checks the built-in figures.
"""
import json
import sys


def load(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out[(r["policy"], r["size"])] = r["hit_ratio"]
    return out


def main():
    full = load(sys.argv[1])
    for path in sys.argv[2:]:
        mini = load(path)
        print(path)
        for policy in sorted({p for p, _ in mini}):
            raw, controlled = [], []
            for (p, size), v in mini.items():
                if p != policy or (p, size) not in full:
                    continue
                shift = mini[("lru", size)] - full[("lru", size)]
                raw.append(100 * (v - full[(p, size)]))
                controlled.append(100 * (v - shift - full[(p, size)]))
            if not raw:
                continue
            mae = lambda e: sum(abs(x) for x in e) / len(e)  # noqa: E731
            print(
                f"  {policy:10} raw MAE {mae(raw):.3f} (max {max(map(abs, raw)):.2f})"
                f"  with LRU control {mae(controlled):.3f} (max {max(map(abs, controlled)):.2f})"
            )


if __name__ == "__main__":
    main()
