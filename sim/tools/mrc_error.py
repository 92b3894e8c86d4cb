#!/usr/bin/env python3
"""Error of an estimated curve against a reference, from `evict-sim ... --json` outputs.

    python3 sim/tools/mrc_error.py exact.json estimate.json

Both files hold one JSON object per line (the replay's or `mrc`'s `--json`). Points are
matched by (policy, size); prints the signed error in points of hit ratio at each size, then
the mean absolute error and the largest error per policy.
"""
import json
import sys


def load(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                p = json.loads(line)
                out[(p["policy"], p["size"])] = p
    return out


def main():
    ref, est = load(sys.argv[1]), load(sys.argv[2])
    per = {}
    for key, p in sorted(est.items()):
        r = ref.get(key)
        if r is None:
            r = ref.get(("lru", key[1])) if key[0] == "lru" else None
        if r is None:
            continue
        per.setdefault(key[0], []).append((key[1], 100 * (p["hit_ratio"] - r["hit_ratio"])))
    for policy, errs in per.items():
        mae = sum(abs(e) for _, e in errs) / len(errs)
        mx = max(abs(e) for _, e in errs)
        signed = " / ".join(f"{e:+.2f}" for _, e in errs)
        print(f"{policy:18} MAE {mae:.3f}  max {mx:.2f}  ({signed})")


if __name__ == "__main__":
    main()
