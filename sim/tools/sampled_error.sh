#!/bin/sh
# Mean absolute error of `evict-sim mrc --method shards` against the exact curve, per salt.
#   sim/tools/sampled_error.sh TRACE FORMAT "SHARDS FLAGS" [SALTS...]
# e.g. sim/tools/sampled_error.sh zipf50m.u32le u32le "--rate 0.01 --hot-keys 0"
# The sizes are 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30 and 50% of the distinct keys (from the
# exact curve, so both sides use the same absolute sizes). Prints one line per salt.
set -eu
here=$(dirname "$0")
sim=${EVICT_SIM:-target/release/evict-sim}
trace=$1; format=$2; flags=$3; shift 3
salts=${*:-6364136223846793005 6362031023411937069 11400714819323198485 7046029254386353131 3141592653589793238}
tmp=$(mktemp -d)
exact=$tmp/exact.json
$sim mrc "$trace" --format "$format" -s 0.1%,0.2%,0.5%,1%,2%,5%,10%,20%,30%,50% --json > "$exact"
sizes=$(python3 -c "import json,sys;print(','.join(str(json.loads(l)['size']) for l in open(sys.argv[1])))" "$exact")
for salt in $salts; do
  # shellcheck disable=SC2086
  $sim mrc "$trace" --format "$format" -s "$sizes" --method shards $flags --salt "$salt" --json > "$tmp/s.json"
  printf 'salt %s %s: ' "$salt" "$flags"
  python3 "$here/mrc_error.py" "$exact" "$tmp/s.json"
done
rm -rf "$tmp"
