#!/usr/bin/env bash
# make bench: measures Baton and prints one table. Each row names the
# command that reproduces its figure. Nothing here depends on the
# machine's speed to pass: every Go benchmark runs once (-benchtime 1x, or
# a fixed count) against a simulator with its rate limit off. Takes a few
# minutes, mostly building the 100,000-file config repository.
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rows="$work/rows"
: >"$rows"
add() { printf '| %s | %s | %s | %s | `%s` |\n' "$1" "$2" "$3" "$4" "$5" >>"$rows"; }
step() { echo "bench: $*" >&2; }

step "API requests, latency, config-repo size (internal/reliability)"
if go test ./internal/reliability -run '^$' -bench '^Benchmark(Requests|Latency|RepoSize)$' -benchtime 1x >"$work/rel.out" 2>&1; then
  grep '^| ' "$work/rel.out" >>"$rows"
else
  grep '^| ' "$work/rel.out" >>"$rows"
  add "Go benchmarks" "internal/reliability" "FAILED: $(grep -m1 -E 'FAIL|Error|error' "$work/rel.out" | cut -c1-150)" "" "go test ./internal/reliability -run '^\$' -bench . -benchtime 1x"
fi

step "edit engine, in process"
cmd="go test ./internal/yamledit -run '^\$' -bench '^BenchmarkEdit2MB\$' -benchmem -benchtime 20x"
if out=$(eval "$cmd" 2>&1); then
  line=$(grep '^BenchmarkEdit2MB' <<<"$out")
  ns=$(awk '{for(i=1;i<=NF;i++) if($i=="ns/op") print $(i-1)}' <<<"$line")
  bop=$(awk '{for(i=1;i<=NF;i++) if($i=="B/op") print $(i-1)}' <<<"$line")
  allocs=$(awk '{for(i=1;i<=NF;i++) if($i=="allocs/op") print $(i-1)}' <<<"$line")
  add "Edit engine, 2 MB / 500 references" "in process (yamledit.Edit)" \
    "$(awk -v n="$ns" 'BEGIN{printf "%.0f ms", n/1e6}'), $(awk -v b="$bop" 'BEGIN{printf "%.1f MB", b/1048576}') allocated in ${allocs} allocations" "" "$cmd"
else
  add "Edit engine, 2 MB / 500 references" "in process" "FAILED: $(tail -1 <<<"$out")" "" "$cmd"
fi

step "edit engine beside yq (scripts/compare-yq.sh)"
bash scripts/compare-yq.sh >"$work/yq.out" 2>&1
get() { grep -m1 "^$1" "$work/yq.out" | sed "s/^$1//"; }
bt=$(get "baton: "); yt=$(get "yq: ")
bc=$(get "baton lines changed outside the image values: "); yc=$(get "yq lines changed outside the image values: ")
[ -n "$yt" ] || yt="not measured"
[ -n "$yc" ] || yc="not measured"
add "Edit engine, 2 MB / 500 references" "baton edit vs yq -i: time and peak memory" "${bt:-FAILED}" "yq $(grep -m1 -o 'version v[0-9.]*' "$work/yq.out"): $yt" "bash scripts/compare-yq.sh"
lc() { sed -E 's/^([0-9]+), characters: ([0-9]+)$/\1 lines, \2 characters/' <<<"$1"; }
add "Edit engine, 2 MB / 500 references" "changed outside the image values" "$(lc "${bc:-FAILED}")" "yq: $(lc "$yc")" "bash scripts/compare-yq.sh"
num() { sed -nE "s/.* ([0-9.]+) $1.*/\1/p" <<<"$2"; }
if [ "$yt" != "not measured" ] && [ -n "$bt" ]; then
  add "Edit engine, 2 MB / 500 references" "Baton as a share of yq (issue 11's target: CPU ≤ 15 %, memory ≤ 100 %)" \
    "CPU $(awk -v b="$(num 's CPU' "$bt")" -v y="$(num 's CPU' "$yt")" 'BEGIN{printf "%.0f %%", 100*b/y}'), peak memory $(awk -v b="$(num 'KB max' "$bt")" -v y="$(num 'KB max' "$yt")" 'BEGIN{printf "%.0f %%", 100*b/y}') of yq's" "" "bash scripts/compare-yq.sh"
fi

step "peak memory of baton edit by file size (scripts/bench-memory.sh)"
bash scripts/bench-memory.sh >"$work/mem.out" 2>&1
while IFS= read -r l; do
  case "$l" in
    edit*|largest*) add "Peak memory of baton edit" "${l%%:*}" "${l#*: }" "" "bash scripts/bench-memory.sh" ;;
  esac
done <"$work/mem.out"
if grep -q '^edit' "$work/mem.out" && ! grep -q 'refused' "$work/mem.out"; then
  add "Peak memory of baton edit" "size cap" "none: every size up to $(grep '^edit' "$work/mem.out" | tail -1 | awk '{print $2}') MB was edited" "issue 11: a stated cap a GitHub-hosted runner (7 GB) never runs out under" "bash scripts/bench-memory.sh"
fi
grep -q '^edit' "$work/mem.out" || add "Peak memory of baton edit" "all sizes" "FAILED: $(tail -1 "$work/mem.out")" "" "bash scripts/bench-memory.sh"

step "binary size, start-up time (make build)"
if make --no-print-directory build BIN="$work/baton" >"$work/build.out" 2>&1; then
  size=$(stat -c %s "$work/baton")
  add "Binary" "size of bin/baton (CGO off, -s -w, -trimpath)" "$(awk -v s="$size" 'BEGIN{printf "%.1f MB (%d bytes)", s/1048576, s}')" "" "make build && stat -c %s bin/baton"
  times=()
  for _ in $(seq 21); do
    s=$(date +%s%N); "$work/baton" version >/dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 11p)
  add "Binary" "start-up: baton version, median of 21 runs" "$(awk -v u="$median" 'BEGIN{printf "%.1f ms", u/1000}')" "" "for i in \$(seq 21); do time bin/baton version; done"
else
  add "Binary" "make build" "FAILED: $(tail -1 "$work/build.out")" "" "make build"
fi
if docker info >/dev/null 2>&1; then
  if docker build -q -t baton-bench . >"$work/docker.out" 2>&1; then
    add "Image" "container image size" "$(docker image inspect baton-bench --format '{{.Size}}' | awk '{printf "%.1f MB", $1/1048576}')" "" "docker build -t baton . && docker image inspect baton --format '{{.Size}}'"
  else
    add "Image" "container image size" "FAILED: $(tail -1 "$work/docker.out")" "" "docker build -t baton ."
  fi
else
  add "Image" "container image size" "not measured: no container engine runs on this machine" "" "docker build -t baton . && docker image inspect baton --format '{{.Size}}'"
fi

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -h | awk '/^Mem:/{print $2}') RAM; $(go version); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| Section | What | Baton | Reference | Reproduce with |"
echo "|---|---|---|---|---|"
cat "$rows"
