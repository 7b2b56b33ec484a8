#!/usr/bin/env bash
# Runs the receive-path micro-benchmarks (issue 11, point 3) and prints MB/s, events/s and allocations.
#
#   benchmarks/jmh.sh                       # all benchmarks, defaults below
#   benchmarks/jmh.sh DigesterBenchmark     # a regular expression of benchmarks, as JMH takes it
#   JMH_WARMUP=5 JMH_ITERATIONS=10 JMH_TIME=5s JMH_FORKS=2 benchmarks/jmh.sh
#   JMH_ARGS='-p chunk=4096' benchmarks/jmh.sh   # anything else for JMH (JMH_SKIP_BUILD=1: reuse the build)
#
# Builds through the reactor (the component's fresh jar, never ~/.m2's), runs JMH with the GC profiler and ends
# with a table: MB/s of input digested, events/s, bytes allocated per event and per input byte
# (gc.alloc.rate.norm divided by the events and bytes of one operation). Full JMH output and results are in
# benchmarks/target/jmh-result.csv and benchmarks/target/jmh-output.txt.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
target="$root/benchmarks/target"

warmup=${JMH_WARMUP:-3}
iterations=${JMH_ITERATIONS:-5}
time=${JMH_TIME:-2s}
forks=${JMH_FORKS:-1}
mvn_args=${MVN_ARGS:-}

if [ "${JMH_SKIP_BUILD:-0}" != 1 ]; then
  # shellcheck disable=SC2086
  ./mvnw -B -q $mvn_args -DskipTests -pl benchmarks -am package
fi
if [ ! -f "$target/jmh.classpath" ]; then
  echo "jmh.sh: $target/jmh.classpath missing: the build did not run" >&2
  exit 1
fi
classpath="$target/classes:$(cat "$target/jmh.classpath")"

csv="$target/jmh-result.csv"
log="$target/jmh-output.txt"
rm -f "$csv"
# shellcheck disable=SC2086
java -cp "$classpath" org.openjdk.jmh.Main \
  -wi "$warmup" -w "$time" -i "$iterations" -r "$time" -f "$forks" \
  -prof gc -rf csv -rff "$csv" ${JMH_ARGS:-} "$@" | tee "$log"

# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit",then one "Param: x" column each.
# A benchmark's secondary results are rows named benchmark:secondary with the same parameters.
echo
echo "Receive path, $iterations x $time measured after $warmup x $time warm-up, $forks fork(s), one thread:"
awk -F, '
  function unq(s) { gsub(/\r/, "", s); gsub(/^"|"$/, "", s); return s }
  NR == 1 {
    for (i = 8; i <= NF; i++) { name[i] = unq($i); sub(/^Param: /, "", name[i]) }
    next
  }
  {
    bench = unq($1); sub(/^io\.cellmqtt\.benchmarks\./, "", bench); metric = ""
    if (index(bench, ":") > 0) { metric = substr(bench, index(bench, ":") + 1); bench = substr(bench, 1, index(bench, ":") - 1) }
    params = ""
    for (i = 8; i <= NF; i++) { v = unq($i); if (v != "") params = params (params == "" ? "" : " ") name[i] "=" v }
    key = bench (params == "" ? "" : " [" params "]")
    if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    score[key, metric] = unq($5) + 0
  }
  END {
    printf "%-56s %10s %12s %14s %14s\n", "benchmark", "MB/s", "events/s", "alloc B/event", "alloc B/byte"
    for (k = 1; k <= n; k++) {
      key = order[k]; ops = score[key, ""]; bytes = score[key, "bytes"]; events = score[key, "events"]
      norm = score[key, "gc.alloc.rate.norm"]
      if (ops <= 0 || bytes <= 0 || events <= 0) continue
      bytesPerOp = bytes / ops; eventsPerOp = events / ops
      printf "%-56s %10.1f %12.0f %14.1f %14.3f\n", key, bytes / 1e6, events, norm / eventsPerOp, norm / bytesPerOp
    }
  }' "$csv"
echo "(MB = 10^6 bytes of modem output; allocations from JMH's gc.alloc.rate.norm per operation.)"
