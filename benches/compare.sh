#!/usr/bin/env bash
# Whole-process measurements of callscript against the peer compiler, inkjs
# 2.4.0, on the same dialogue graph (docs/performance.md has the results).
#
#   benches/compare.sh [STEPS...]        default: 1000 10000 100000
#
# Needs python3, node + npm (inkjs is installed into a scratch copy of
# benches/workload), hyperfine and GNU time (Debian: hyperfine, time).
# Writes everything under ${WORK:-/tmp/callscript-bench}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/callscript-bench}
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
mkdir -p "$work"

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/callscript"

if [ ! -d "$work/workload/ink/node_modules/inkjs" ]; then
  rm -rf "$work/workload" && cp -r "$root/benches/workload" "$work/workload"
  (cd "$work/workload/ink" && npm ci --silent)
fi

for n in "${sizes[@]}"; do
  s="$work/b$n.script"; i="$work/b$n.ink"
  [ -f "$s" ] || python3 "$root/benches/workload/gen_callscript.py" "$n" "$s"
  [ -f "$i" ] || python3 "$root/benches/workload/gen_ink.py" "$n" "$i"
  echo "== $n steps: $(stat -c %s "$s") bytes of callscript, $(stat -c %s "$i") bytes of Ink"
  for t in 1 2; do
    /usr/bin/time -f "peak memory, check, RAYON_NUM_THREADS=$t: %M KiB" \
      env RAYON_NUM_THREADS=$t "$bin" check "$s" 2>&1 | grep -v '^1 file'
  done
  runs=10; [ "$n" -ge 100000 ] && runs=5
  cmds=("env RAYON_NUM_THREADS=1 $bin check $s"
        "env RAYON_NUM_THREADS=1 $bin build $s --out $work/out$n"
        "wc -l $s")
  if [ "$n" -le 10000 ]; then
    cmds+=("node --max-old-space-size=16384 $work/workload/ink_compile.js $i $work/b$n.ink.json")
  fi
  hyperfine --warmup 1 --runs "$runs" -N --export-markdown "$work/hyperfine-$n.md" "${cmds[@]}"
done
