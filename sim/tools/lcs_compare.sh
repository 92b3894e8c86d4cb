#!/bin/sh
# evict-sim's whole command against libcachesim's process_trace (issue 20), taken in turn
# so that both see the same load: for each trace, policy and size, RUNS runs of each.
#   sim/tools/lcs_compare.sh RUNS SIZE TRACE...      (oracleGeneral files, .zst allowed)
# Needs python with libcachesim==0.3.5 (PYTHON, default /work/venv-lcs/bin/python) and
# /usr/bin/time. Prints one line per run: trace, policy, who, wall s, CPU s.
# The traces of this comparison (to_oracle.py) give every object size 1, so libCacheSim's
# byte replay counts entries; evict-sim counts them with --ignore-obj-size (its byte replay
# of an oracleGeneral trace, the default since issue 12, would go through the weighted
# caches).
set -eu
here=$(dirname "$0")
sim=${EVICT_SIM:-target/release/evict-sim}
py=${PYTHON:-/work/venv-lcs/bin/python}
runs=$1; size=$2; shift 2
for trace in "$@"; do
  for policy in ${POLICIES:-lru s3fifo arc}; do
    i=0
    while [ "$i" -lt "$runs" ]; do
      "$py" "$here/lcs_speed.py" "$trace" "$policy" "$size" 1 |
        awk -v t="$trace" '{print t, $1, "libcachesim", $3, $4}'
      /usr/bin/time -f "%e %U %S" -o /tmp/lcs_compare.$$ "$sim" "$trace" -p "$policy" -s "$size" --ignore-obj-size > /dev/null 2>&1
      awk -v t="$trace" -v p="$policy" '{print t, p, "evict-sim", $1, $2 + $3}' /tmp/lcs_compare.$$
      i=$((i + 1))
    done
  done
done
rm -f /tmp/lcs_compare.$$
