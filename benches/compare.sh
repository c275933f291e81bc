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
    /usr/bin/time -f "peak memory, build, RAYON_NUM_THREADS=$t: %M KiB" \
      env RAYON_NUM_THREADS=$t "$bin" build "$s" --out "$work/out$n" 2>&1 | grep -v '^wrote'
  done
  # callscript first, then inkjs in a run of its own: the peer's heap (up
  # to gigabytes), freed at its exit, slows the next processes on a VM
  # whose freed memory goes back to the host for seconds; a pause lets
  # that settle before the next size.
  runs=40; [ "$n" -ge 100000 ] && runs=5
  cmds=("env RAYON_NUM_THREADS=1 $bin check $s"
        "env RAYON_NUM_THREADS=1 $bin build $s --out $work/out$n"
        "$bin build $s --out $work/out$n"
        "wc -l $s")
  sleep "${SETTLE:-10}"
  hyperfine --warmup 3 --runs "$runs" -N --export-markdown "$work/hyperfine-$n.md" \
    --export-json "$work/hyperfine-$n.json" "${cmds[@]}"
  if [ "$n" -le 10000 ]; then
    hyperfine --warmup 1 --runs 10 -N --export-markdown "$work/hyperfine-ink-$n.md" \
      --export-json "$work/hyperfine-ink-$n.json" \
      "node --max-old-space-size=16384 $work/workload/ink_compile.js $i $work/b$n.ink.json"
    # The issue's ratio: build on both cores against inkjs, same run.
    python3 - "$work/hyperfine-$n.json" "$work/hyperfine-ink-$n.json" "$n" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
build = next(r for r in results if " build " in r["command"] and "RAYON" not in r["command"])
ink = json.load(open(sys.argv[2]))["results"][0]
ratio = lambda f: f(ink["times"]) / f(build["times"])
print(f"build of {sys.argv[3]} steps vs inkjs: {ratio(statistics.mean):.0f}x by means, "
      f"{ratio(statistics.median):.0f}x by medians, {ratio(min):.0f}x by minima")
PY
  fi
done

# Many files: the 100k-step graph as 8 scripts, one file each, plus the
# contract and roles in a file of their own; one thread against two.
many="$work/many"
if [ ! -d "$many" ]; then
  python3 "$root/benches/workload/gen_callscript.py" 100000 "$work/b100000x8.script" --scripts 8
  mkdir -p "$many"
  python3 - "$work/b100000x8.script" "$many" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
parts = re.split(r"(?m)^(?=script )", text)
open(f"{sys.argv[2]}/00-contract.script", "w", encoding="utf-8").write(parts[0])
for k, part in enumerate(parts[1:], 1):
    open(f"{sys.argv[2]}/{k:02}.script", "w", encoding="utf-8").write(part)
PY
fi
echo "== many files: $(ls "$many" | wc -l) files, $(du -sb "$many" | cut -f1) bytes"
sleep "${SETTLE:-10}"
hyperfine --warmup 1 --runs 10 -N --export-markdown "$work/hyperfine-many.md" \
  "env RAYON_NUM_THREADS=1 $bin check $many" "env RAYON_NUM_THREADS=2 $bin check $many" \
  "env RAYON_NUM_THREADS=1 $bin build $many --out $work/out-many" \
  "env RAYON_NUM_THREADS=2 $bin build $many --out $work/out-many"
