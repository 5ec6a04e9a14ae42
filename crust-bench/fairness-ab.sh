#!/usr/bin/env bash
# The fairness pair of crust-bench/run.sh (section 2b) alone, repeated, alternating crust-udt builds, so
# that two builds are compared side by side in one run on a noisy machine:
#
#   sudo crust-bench/fairness-ab.sh RUNS CLASSES...
#
# CLASSES are crust-udt class folders (a copy of crust-udt/target-bench/classes from each build; the other
# modules come from this checkout's target-bench, so build once with run.sh or with
#   ./mvnw -Pbench -Dcrust.target=target-bench -pl crust-bench -am package -Dmaven.test.skip=true \
#     org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
#     -Dmdep.outputFile=$PWD/crust-bench/target-bench/results/deps.txt ).
# Each round runs every build once: the TUN link of section 2b (25 ms each way, 50 Mbit/s, a 100 ms queue,
# no loss), two servers, two clients started as run.sh's fairness section starts them (the second
# FAIR_OFFSET_MS, default 1000, after the first); prints one line per run: both goodputs as the servers
# measured them over the second flow's FAIR_SECONDS (default 20), and the ratio. Namespaces fabNNNNa/b
# are deleted on exit.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:?usage: fairness-ab.sh RUNS CLASSES...}; shift
[ $# -ge 1 ] || { echo "usage: fairness-ab.sh RUNS CLASSES..." >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root: the TUN link needs network namespaces" >&2; exit 1; }
FAIR_SECONDS=${FAIR_SECONDS:-20}
FAIR_OFFSET_MS=${FAIR_OFFSET_MS:-1000}   # the second flow starts this long after the first
. ./.mvn/find-jdk.sh; JAVA=$JAVA_HOME/bin/java
OUT=$ROOT/crust-bench/target-bench/fairness-ab; mkdir -p "$OUT"
DEPS=$(tr ':' '\n' < crust-bench/target-bench/results/deps.txt | grep -v -e '/io/crust/' -e "^$ROOT/" | paste -sd:)
KEYSTORE=$OUT/bench.p12; rm -f "$KEYSTORE"
keytool -genkeypair -alias bench -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA -dname CN=localhost -validity 30 \
  -storetype PKCS12 -keystore "$KEYSTORE" -storepass crust-bench -keypass crust-bench >/dev/null 2>&1 || exit 1
A=fab$$a; B=fab$$b; TUN_PID=; PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; [ -n "$TUN_PID" ] && kill "$TUN_PID" 2>/dev/null
  ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; return 0; }
trap cleanup EXIT
ip netns add $A && ip netns add $B || exit 1
ip netns exec $A python3 -u crust-testkit/src/main/resources/io/crust/testkit/lab/tunlink.py --name-a tla --name-b tlb \
  --netns-b $B --delay-ms 25 --loss 0 --rate-bps 50000000 --seed 7 > "$OUT/tunlink.txt" 2>&1 < <(sleep 100000) &
TUN_PID=$!
for _ in $(seq 1 100); do grep -q READY "$OUT/tunlink.txt" && break; sleep 0.1; done
grep -q READY "$OUT/tunlink.txt" || { echo "TUN link did not start: $(cat "$OUT/tunlink.txt")" >&2; exit 1; }
ip netns exec $A sysctl -qw net.ipv6.conf.tla.disable_ipv6=1; ip netns exec $B sysctl -qw net.ipv6.conf.tlb.disable_ipv6=1
ip -n $A addr add 10.99.9.1 peer 10.99.9.2 dev tla; ip -n $A link set tla up
ip -n $B addr add 10.99.9.2 peer 10.99.9.1 dev tlb; ip -n $B link set tlb up

# pair CLASSES: one fairness run of that build, started as run.sh's fairness section starts it: both
# servers up, both clients connected, the second starting FAIR_OFFSET_MS after the first on the wall
# clock; each server's goodput over the second flow's FAIR_SECONDS
pair() {
  local udt=$1 cp i outs=() clients=() servers=() ports=()
  cp="$ROOT/crust-bench/target-bench/classes:$udt"
  for m in crust-core crust-nat crust-demo crust-testkit; do cp="$cp:$ROOT/$m/target-bench/classes"; done
  cp="$cp:$DEPS"
  local t0=$(( $(date +%s%3N) + 12000 ))
  local from=$((t0 + FAIR_OFFSET_MS)) to=$((t0 + FAIR_OFFSET_MS + FAIR_SECONDS * 1000))
  for i in 1 2; do
    local port=$((40000 + RANDOM % 20000)) sout=$OUT/server-$i.txt
    ip netns exec $B "$JAVA" -cp "$cp" -Dgoodput.windowMillis=$from,$to io.crust.bench.Goodput server udt 10.99.9.2 $port \
      "$KEYSTORE" > "$sout" 2> "$sout.err" &
    servers+=($!); PIDS+=($!); ports+=($port)
    for _ in $(seq 1 300); do grep -q '^READY' "$sout" 2>/dev/null && break; sleep 0.2; done
    outs+=("$sout")
  done
  for i in 1 2; do
    local start=$t0 secs
    secs=$(python3 -c "print($FAIR_SECONDS + $FAIR_OFFSET_MS / 1000)")
    [ $i = 2 ] && { start=$from; secs=$FAIR_SECONDS; }
    ip netns exec $A "$JAVA" -Dgoodput.seconds=$secs -Dgoodput.startAtMillis=$start -cp "$cp" io.crust.bench.Goodput \
      client udt 10.99.9.2 ${ports[$((i - 1))]} 1073741824 > "$OUT/client-$i.txt" 2>&1 &
    clients+=($!)
  done
  for p in "${clients[@]}"; do wait $p; done
  for o in "${outs[@]}"; do for _ in $(seq 1 100); do grep -q goodput-server "$o" && break; sleep 0.2; done; done
  kill "${servers[@]}" 2>/dev/null; wait "${servers[@]}" 2>/dev/null
  grep -h "after the start time" "$OUT/client-1.txt" "$OUT/client-2.txt" >&2
  python3 - "$udt" "${outs[@]}" <<'PY'
import json, sys
build, a, b = sys.argv[1:]
def last(f):
    for line in reversed(open(f).read().splitlines()):
        if line.startswith('{') and 'goodput-server' in line and 'partial' not in line:
            return json.loads(line)['windowMbps']
x, y = last(a), last(b)
if x is None or y is None:
    print(f"fairness {build}: FAILED (a flow did not finish)", flush=True)
else:
    print(f"fairness {build}: {x:.1f} and {y:.1f} Mbit/s, ratio {min(x, y) / max(x, y):.2f}", flush=True)
PY
}
for r in $(seq 1 "$RUNS"); do for c in "$@"; do pair "$c"; done; done
