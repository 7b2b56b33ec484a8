#!/usr/bin/env bash
# Issue 11's benchmark: publish throughput (stop-and-wait against pipelined, against the physical
# limit) on a 115200-baud UART with 300 ms RTT and on USB with 50 ms RTT, for a Quectel BG95 and the
# SIM7600; receive rate and latency; footprint; 16 modems at once. Prints its figures, the last line
# being `performance: pipelined/stop-and-wait=<x> fraction-of-limit=<y>`; exits non-zero if any
# message is lost or any exchange fails. See docs/performance.md.
#
#   benchmarks/run.sh                      # the full run (some 5-8 minutes)
#   benchmarks/run.sh -Dbench.short=true   # the quick form (what CI runs as a test)
#   MVN_ARGS=-o benchmarks/run.sh          # build offline
#   JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/bench.jfr' benchmarks/run.sh ...
#
# Other -D options: bench.model (a Quectel model, default bg95), bench.uartSaw, bench.uartPipelined,
# bench.usbSaw, bench.usbPipelined, bench.receive, bench.scaleModems (message and modem counts).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
module=camel-quectel-mqtt
cpfile="$module/target/bench-classpath.txt"

# Through the reactor (-am): the simulator and its test-jar come from this checkout's target/
# directories, never from a stale copy in ~/.m2. Nothing is installed.
# shellcheck disable=SC2086
./mvnw -B -q ${MVN_ARGS:-} -pl "$module" -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt

cp="$module/target/test-classes:$module/target/classes:$(cat "$cpfile")"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "$cp" "$@" io.cellmqtt.bench.PerformanceBenchmark
