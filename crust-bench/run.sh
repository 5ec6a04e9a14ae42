#!/usr/bin/env bash
# The Crust benchmark suite: one command, everything side by side, results in docs/performance.md.
#
#   sudo crust-bench/run.sh            # full run (about 30 minutes on an idle 2-core machine)
#   QUICK=1 crust-bench/run.sh         # smaller transfers, shorter runs (a smoke test of the suite)
#   ONLY=scale,labconnect crust-bench/run.sh   # only these sections; other rows of results.jsonl are kept
#   SCALE_HEARTBEAT=30 ONLY=scale crust-bench/run.sh   # scale with a 30 s heartbeat (120 s timeout), default 2 s
#   SKIP_KWIK=1 ONLY=goodput crust-bench/run.sh   # goodput without the kwik QUIC rows (they take minutes under loss)
#   ONLY=labmatrix crust-bench/run.sh  # the NAT matrix alone: 49 pairs of NAT kinds, 10 tries each (about 30 minutes)
#   ONLY=fairness crust-bench/run.sh   # two flows through the TUN link, started together and 1 s apart (about 6 minutes)
#   ONLY=roundtrip crust-bench/run.sh  # 64-byte round trips on loopback, veth and the TUN link (about 3 minutes)
#
# Sections: goodput (loopback, veth, TUN link), roundtrip, fairness, perftool, channel, jmh, scale, labconnect,
# labmatrix.
#
# Needs root (network namespaces), iperf3, ip, nft, ethtool, python3, keytool and a JDK 21+.
# Traffic stays on loopback and in two namespaces this script creates (cbNNNNa, cbNNNNb), deleted on
# exit. A comparison that cannot run makes the script exit 1 at the end and shows as FAILED in the
# table: no row is silently left out. Raw results: crust-bench/target-bench/results/results.jsonl.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/crust-bench/target-bench/results
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
ONLY=${ONLY:-}                        # comma list of sections; empty: all of them, results.jsonl started afresh
[ "${ONLY_PERFTOOL:-0}" = 1 ] && ONLY=perftool   # the older spelling of ONLY=perftool
want() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
for s in ${ONLY//,/ }; do
  case $s in goodput|roundtrip|fairness|perftool|channel|jmh|scale|labconnect|labmatrix) ;; *) echo "unknown section '$s' in ONLY" >&2; exit 2;; esac
done
if [ -z "$ONLY" ]; then
  : > "$RESULTS"
else
  # A partial run replaces the rows of its own sections and keeps the others, so the report stays whole.
  touch "$RESULTS"
  python3 - "$RESULTS" "$ONLY" <<'PY'
import json, sys
path, only = sys.argv[1], sys.argv[2].split(',')
def section(r):
    k = r.get('kind', '')
    if k == 'goodput' and str(r.get('transport', '')).startswith('perf-'):
        return 'perftool'
    if k == 'goodput':
        return 'goodput'
    if k == 'round-trip':
        return 'roundtrip'
    if k.startswith('channel') or k == 'handshake-crypto':
        return 'channel'
    if k.startswith('scale'):
        return 'scale'
    if k.startswith('lab-connect'):
        return 'labconnect'
    if k.startswith('lab-matrix'):
        return 'labmatrix'
    if k == 'section-load':
        return r.get('section')
    if k == 'machine':
        return only[0]  # recorded again below: its load average is the one at the start of this run
    return k
rows = [json.loads(l) for l in open(path) if l.strip()]
open(path, 'w').write(''.join(json.dumps(r) + '\n' for r in rows if section(r) not in only))
PY
fi
if [ -z "${JAVA:-}" ]; then
  . ./.mvn/find-jdk.sh   # a JDK 21+ as the build uses, even when the default java is older
  JAVA=$JAVA_HOME/bin/java
fi
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  # veth and TUN sizes long enough that BBR's start-up is not most of the transfer
  LOOP_BYTES=268435456; KWIK_BYTES=33554432; VETH_BYTES=268435456; TUN_BYTES=33554432; SECS=5; RTT_COUNT=5000; RTT_WARMUP=5000
else
  LOOP_BYTES=1073741824; KWIK_BYTES=134217728; VETH_BYTES=1073741824; TUN_BYTES=67108864; SECS=10; RTT_COUNT=20000; RTT_WARMUP=20000
fi
LOSSES="0 1 5 10"
FAIR_SECONDS=${FAIR_SECONDS:-20}     # how long the two flows of the fairness comparison both send
FAIR_RUNS=${FAIR_RUNS:-3}            # runs of each fairness pair and start offset (single 20 s runs swing)
TUN_RATE_BPS=50000000
TRANSFER_TIMEOUT=${TRANSFER_TIMEOUT:-240}
KWIK_TIMEOUT=${KWIK_TIMEOUT:-90}   # kwik is far slower under loss: after this its partial goodput is recorded, marked FAILED
FAILED=0
JVM_OPTS=""   # extra JVM options of the transport being measured (see jvm_opts)
NS_A=cb$$a
NS_B=cb$$b
PIDS=()

log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }
fail() { log "FAILED: $*"; FAILED=1; }

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  [ -n "${TUN_PID:-}" ] && kill "$TUN_PID" 2>/dev/null
  ip netns del "$NS_A" 2>/dev/null; ip netns del "$NS_B" 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

for tool in iperf3 ip nft ethtool python3 keytool; do
  command -v $tool >/dev/null || { echo "missing $tool: install it (Debian: apt-get install iperf3 iproute2 nftables ethtool python3)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root: the veth and TUN comparisons need network namespaces" >&2; exit 1; }

# record JSON: one result line (a python dict literal is accepted too)
record() { echo "$1" >> "$RESULTS"; }
# section_load SECTION: the load average when a section starts, shown beside its figures
section_load() {
  python3 -c "import json,time; open('$RESULTS','a').write(json.dumps(dict(kind='section-load', section='$1', loadAverage=' '.join(open('/proc/loadavg').read().split()[:3]), utc=time.strftime('%Y-%m-%d %H:%M', time.gmtime())))+'\n')"
}

log "building crust-bench and the modules it measures"
# One reactor build (-am), so the io.crust modules come from this checkout, never from a local
# repository where they would have to be installed first. build-classpath runs in every module of the
# reactor and each overwrites the file: crust-bench, which depends on all the others, runs last.
# The io.crust modules (their jars in this checkout) are left out: their classes folders go first.
rm -f "$OUT/deps.txt"
./mvnw -q -B -Pbench -Dcrust.target=target-bench -pl crust-bench -am package -Dmaven.test.skip=true \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$OUT/deps.txt" >/dev/null || exit 1
grep -q 'jmh-core' "$OUT/deps.txt" || { echo "class path of crust-bench not computed (no jmh-core in $OUT/deps.txt)" >&2; exit 1; }
CP="$ROOT/crust-bench/target-bench/classes"
for m in crust-udt crust-core crust-nat crust-demo crust-testkit; do CP="$CP:$ROOT/$m/target-bench/classes"; done
CP="$CP:$(tr ':' '\n' < "$OUT/deps.txt" | grep -v -e '/io/crust/' -e "^$ROOT/" | paste -sd:)"
# The same as jars: an AOT cache (goodput_aot) needs a class path of jar files only.
JARS=""
for m in crust-bench crust-udt crust-core crust-nat crust-demo crust-testkit; do JARS="$JARS$(ls "$ROOT"/$m/target-bench/$m-*.jar | grep -v -e -sources -e -javadoc | head -1):"; done
JARS="$JARS$(tr ':' '\n' < "$OUT/deps.txt" | grep -v -e '/io/crust/' -e "^$ROOT/" | paste -sd:)"
echo "$JARS" > "$OUT/jars.txt"       # the JARS of the commands of the AOT rows
echo "$CP" > "$OUT/classpath.txt"   # the CP of the commands quoted in docs/performance.md and docs/reliability.md
KEYSTORE=$OUT/bench.p12
rm -f "$KEYSTORE"
keytool -genkeypair -alias bench -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA -dname CN=localhost -validity 30 -storetype PKCS12 \
  -keystore "$KEYSTORE" -storepass crust-bench -keypass crust-bench >/dev/null 2>&1 || exit 1

grep -q '"kind": "machine"' "$RESULTS" || python3 - "$RESULTS" "$JAVA" <<'PY'
import json, os, platform, subprocess, sys
mem = [l for l in open('/proc/meminfo') if l.startswith('MemTotal')][0].split()[1]
cpu = [l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')][:1]
java = subprocess.run([sys.argv[2], '-version'], capture_output=True, text=True).stderr.splitlines()[0]
iperf = subprocess.run(['iperf3', '--version'], capture_output=True, text=True).stdout.splitlines()[0]
load = open('/proc/loadavg').read().split()[:3]
cc = open('/proc/sys/net/ipv4/tcp_congestion_control').read().strip()
open(sys.argv[1], 'a').write(json.dumps(dict(kind='machine', nproc=os.cpu_count(), memKiB=int(mem), cpu=cpu[0] if cpu else '?',
    kernel=platform.release(), java=java, iperf3=iperf, loadAverage=' '.join(load), tcpCongestionControl=cc)) + '\n')
PY

# ---------------------------------------------------------------- helpers
# ns_exec NS cmd...: runs in namespace NS, or in the root namespace for loopback (NS = "-")
ns_exec() { local ns=$1; shift; if [ "$ns" = - ]; then "$@"; else ip netns exec "$ns" "$@"; fi; }

# start_java NS LOGFILE MAIN ARGS...: starts a bench server and waits for its READY line
start_java() {
  local ns=$1 out=$2; shift 2
  # started directly (not through a shell function) so that $! is the JVM itself: ip netns exec execs it
  if [ "$ns" = - ]; then "$JAVA" $JVM_OPTS -cp "$CP" "$@" > "$out" 2> "$out.err" &
  else ip netns exec "$ns" "$JAVA" $JVM_OPTS -cp "$CP" "$@" > "$out" 2> "$out.err" &
  fi
  PIDS+=($!)
  for _ in $(seq 1 300); do grep -q '^READY' "$out" 2>/dev/null && return 0; sleep 0.2; done
  fail "server $* did not start: $(tail -3 "$out.err")"; return 1
}

# jvm_opts TRANSPORT: the JVM options a transport needs: udt-fast is crust-udt on its Linux fast path
# (recvmmsg and UDP segmentation offload through the foreign function API), which needs native access
jvm_opts() { [ "$1" = udt-fast ] && echo "--enable-native-access=ALL-UNNAMED"; }

# goodput PATH LOSS TRANSPORT NS_SERVER NS_CLIENT ADDRESS BYTES: crust-udt, java TCP or kwik through the harness.
# Optional: GOODPUT_LABEL (the row's transport, default TRANSPORT), GOODPUT_SERVER_OPTS / GOODPUT_CLIENT_OPTS (more
# JVM options of each end), GOODPUT_CP (the class path, default CP), GOODPUT_NO_RECORD=1 (a training run: nothing recorded).
goodput() {
  local path=$1 loss=$2 transport=$3 nss=$4 nsc=$5 addr=$6 bytes=$7 port=$((40000 + RANDOM % 20000))
  local label=${GOODPUT_LABEL:-$transport} gcp=${GOODPUT_CP:-$CP}
  local JVM_OPTS; JVM_OPTS="$(jvm_opts $transport) ${GOODPUT_SERVER_OPTS:-}"
  local client_opts; client_opts="$(jvm_opts $transport) ${GOODPUT_CLIENT_OPTS:-}"
  local sout=$OUT/$path-$loss-$label-server.txt cout=$OUT/$path-$loss-$label-client.txt
  local cmd="Goodput client $transport $addr $port $bytes"
  local limit=$TRANSFER_TIMEOUT; [ $transport = kwik ] && limit=$KWIK_TIMEOUT
  local CP=$gcp cp_name=CP; [ -n "${GOODPUT_CP:-}" ] && cp_name=JARS
  start_java "$nss" "$sout" io.crust.bench.Goodput server $transport $addr $port "$KEYSTORE" || { record "{\"kind\":\"goodput\",\"path\":\"$path\",\"loss\":$loss,\"transport\":\"$label\",\"status\":\"FAILED\"}"; return; }
  local server_pid=${PIDS[-1]}
  if [ "${GOODPUT_NO_RECORD:-0}" = 1 ]; then
    timeout $limit bash -c "$(declare -f ns_exec); ns_exec '$nsc' '$JAVA' $client_opts -cp '$gcp' io.crust.bench.$cmd" > "$cout" 2> "$cout.err" \
      || fail "$path $label: the training transfer failed"
    for _ in $(seq 1 100); do grep -q goodput-server "$sout" && break; sleep 0.2; done
    kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null
    return
  fi
  if ! timeout $limit bash -c "$(declare -f ns_exec); ns_exec '$nsc' '$JAVA' $client_opts -cp '$gcp' io.crust.bench.$cmd" > "$cout" 2> "$cout.err"; then
    fail "$path loss=$loss $transport: client failed or did not finish $bytes bytes within ${limit}s"
    kill $server_pid 2>/dev/null; sleep 2
    python3 - "$RESULTS" "$path" "$loss" "$label" "$sout" "java $client_opts -cp $cp_name io.crust.bench.$cmd" "$limit" <<'PY'
import json, sys
res, path, loss, transport, sout, cmd, limit = sys.argv[1:]
partial = [json.loads(l) for l in open(sout) if l.startswith('{') and 'partial' in l]
row = dict(kind='goodput', path=path, loss=int(loss), transport=transport, command=cmd, status='FAILED',
           why='did not finish within %s s' % limit)
if partial:
    row.update(why='did not finish within %s s; %d bytes arrived, %.1f Mbit/s until cut off' % (limit, partial[-1]['bytes'], partial[-1]['mbps']),
               partialMbps=partial[-1]['mbps'])
open(res, 'a').write(json.dumps(row) + '\n')
PY
    return
  fi
  for _ in $(seq 1 100); do grep -q goodput-server "$sout" && break; sleep 0.2; done
  kill $server_pid 2>/dev/null
  python3 - "$RESULTS" "$path" "$loss" "$label" "$sout" "$cout" "java $client_opts -cp $cp_name io.crust.bench.$cmd" <<'PY'
import json, sys
res, path, loss, transport, sout, cout, cmd = sys.argv[1:]
def last(f, kind):
    for line in reversed(open(f).read().splitlines()):
        if line.startswith('{') and kind in line:
            return json.loads(line)
    return None
s, c = last(sout, 'goodput-server'), last(cout, 'goodput-client')
row = dict(kind='goodput', path=path, loss=int(loss), transport=transport, command=cmd)
if not s or not c or s['bytes'] != c['bytes']:
    row['status'] = 'FAILED'
    row['why'] = 'server and client disagree on the bytes moved' if s and c else 'no figures'
else:
    cpu = s.get('transferCpuSeconds', s['cpuSeconds']) + c.get('transferCpuSeconds', c['cpuSeconds'])
    row.update(status='ok', mbps=s['mbps'], bytes=s['bytes'], seconds=s['seconds'],
               cpuSecondsPerGB=cpu / (s['bytes'] / 1e9), clientStats=c.get('stats', ''))
    if c.get('datagramPath'):
        row['datagramPath'] = c['datagramPath']
    if s.get('secondHalfMbps') and c.get('secondHalfCpuSeconds') is not None:
        # the second half of the bytes alone, after the JIT warm-up (see Goodput.drain)
        row.update(secondHalfMbps=s['secondHalfMbps'],
                   secondHalfCpuSecondsPerGB=(s['secondHalfCpuSeconds'] + c['secondHalfCpuSeconds']) / (s['secondHalfBytes'] / 1e9))
open(res, 'a').write(json.dumps(row) + '\n')
PY
}

# iperf PATH LOSS tcp|udp NS_SERVER NS_CLIENT ADDRESS [UDP_LEN] [UDP_RATE]
iperf() {
  local path=$1 loss=$2 proto=$3 nss=$4 nsc=$5 addr=$6 len=${7:-1472} rate=${8:-0} port=$((40000 + RANDOM % 20000))
  if [ "$nss" = - ]; then iperf3 -s -1 -p $port -B "$addr" > /dev/null 2>&1 &
  else ip netns exec "$nss" iperf3 -s -1 -p $port -B "$addr" > /dev/null 2>&1 &
  fi
  PIDS+=($!)
  sleep 1
  local args="-c $addr -p $port -t $SECS -J"
  if [ $proto = udp ]; then args="$args -u -b $rate -l $len"; else args="$args -C cubic"; fi
  local out=$OUT/$path-$loss-iperf-$proto.json
  if ! timeout $((SECS + 30)) bash -c "$(declare -f ns_exec); ns_exec '$nsc' iperf3 $args" > "$out" 2> "$out.err"; then
    fail "$path loss=$loss iperf3 $proto: $(head -c 300 "$out")"
    record "{\"kind\":\"goodput\",\"path\":\"$path\",\"loss\":$loss,\"transport\":\"iperf3-$proto\",\"status\":\"FAILED\",\"command\":\"iperf3 $args\"}"
    return
  fi
  python3 - "$RESULTS" "$path" "$loss" "$proto" "$out" "iperf3 $args" "$len" <<'PY'
import json, sys
res, path, loss, proto, out, cmd, length = sys.argv[1:]
row = dict(kind='goodput', path=path, loss=int(loss), transport='iperf3-' + proto, command=cmd, status='ok')
try:
    j = json.load(open(out))
    end = j['end']
    if proto == 'udp':
        end['sum']
except Exception as e:
    row.update(status='FAILED', why='iperf3 gave no result: %s' % (j.get('error') if 'j' in dir() and isinstance(j, dict) else e))
    open(res, 'a').write(json.dumps(row) + '\n')
    sys.exit(0)
if proto == 'tcp':
    bps = end['sum_received']['bits_per_second']; seconds = end['sum_received']['seconds']; byts = end['sum_received']['bytes']
    row['retransmits'] = end['sum_sent'].get('retransmits')
else:
    s = end['sum']
    seconds = s['seconds']; bps = s['bits_per_second'] * (1 - s['lost_percent'] / 100.0)
    byts = bps * seconds / 8; row['lostPercent'] = s['lost_percent']; row['datagramBytes'] = int(length)
cpu = end['cpu_utilization_percent']
cpu_seconds = (cpu['host_total'] + cpu['remote_total']) / 100.0 * seconds
row.update(mbps=bps / 1e6, bytes=int(byts), seconds=seconds, cpuSecondsPerGB=cpu_seconds / max(byts / 1e9, 1e-9))
open(res, 'a').write(json.dumps(row) + '\n')
PY
}

rtt() {
  local path=$1 transport=$2 nss=$3 nsc=$4 addr=$5 port=$((40000 + RANDOM % 20000))
  # 50 ms each on the TUN link: keep it within the timeout. Elsewhere RTT_WARMUP unmeasured round trips
  # first, the same for every transport, so that the JIT has compiled both ends' hot paths.
  local RTT_COUNT=$RTT_COUNT RTT_WARMUP=$RTT_WARMUP; [ $path = tun50 ] && { RTT_COUNT=400; RTT_WARMUP=40; }
  local sout=$OUT/$path-rtt-$transport-server.txt cout=$OUT/$path-rtt-$transport-client.txt
  local JVM_OPTS; JVM_OPTS=$(jvm_opts $transport)
  start_java "$nss" "$sout" io.crust.bench.RoundTrip server $transport $addr $port || return
  if timeout $TRANSFER_TIMEOUT bash -c "$(declare -f ns_exec); ns_exec '$nsc' '$JAVA' $JVM_OPTS -cp '$CP' io.crust.bench.RoundTrip client $transport $addr $port $RTT_COUNT $RTT_WARMUP" > "$cout" 2> "$cout.err"; then
    python3 -c "import json,sys; r=json.loads([l for l in open('$cout') if l.startswith('{')][-1]); r.update(kind='round-trip', path='$path', command='java $JVM_OPTS -cp CP io.crust.bench.RoundTrip client $transport $addr PORT $RTT_COUNT $RTT_WARMUP'.replace('java  ', 'java '), status='ok'); open('$RESULTS','a').write(json.dumps(r)+'\n')"
  else
    fail "$path round trip $transport: $(tail -2 "$cout.err")"
    record "{\"kind\":\"round-trip\",\"path\":\"$path\",\"transport\":\"$transport\",\"status\":\"FAILED\"}"
  fi
  kill ${PIDS[-1]} 2>/dev/null
}

# fairness PAIR NS_SERVER NS_CLIENT ADDRESS BYTES OFFSET_MS RUN: two flows at once through one path (PAIR
# udt+udt or udt+tcp). Both servers start first; both clients connect, then start sending at set
# wall-clock times, the second OFFSET_MS after the first (so the gap does not depend on how long a JVM
# takes to start). The first sends for FAIR_SECONDS plus the offset, the second for FAIR_SECONDS; each
# server counts what it received during the second flow's FAIR_SECONDS, when both send.
fairness() {
  local pair=$1 nss=$2 nsc=$3 addr=$4 bytes=$5 offset=$6 run=$7 i=0 t pids=() outs=() ports=() clients=()
  local t0=$(( $(date +%s%3N) + 12000 ))
  local from=$((t0 + offset)) to=$((t0 + offset + FAIR_SECONDS * 1000))
  for t in ${pair//+/ }; do
    i=$((i + 1))
    local port=$((40000 + RANDOM % 20000)) sout=$OUT/fair-$pair-$offset-$run-$i-server.txt
    start_java "$nss" "$sout" -Dgoodput.windowMillis=$from,$to io.crust.bench.Goodput server $t $addr $port "$KEYSTORE" \
      || { record "{\"kind\":\"fairness\",\"pair\":\"$pair\",\"offsetMs\":$offset,\"run\":$run,\"status\":\"FAILED\",\"why\":\"server did not start\"}"; return; }
    outs+=("$sout"); ports+=($port)
  done
  i=0
  for t in ${pair//+/ }; do
    i=$((i + 1))
    local cout=$OUT/fair-$pair-$offset-$run-$i-client.txt start=$t0 secs
    secs=$(python3 -c "print($FAIR_SECONDS + $offset / 1000)")
    [ $i = 2 ] && { start=$((t0 + offset)); secs=$FAIR_SECONDS; }
    timeout $TRANSFER_TIMEOUT bash -c "$(declare -f ns_exec); ns_exec '$nsc' '$JAVA' -Dgoodput.seconds=$secs -Dgoodput.startAtMillis=$start -cp '$CP' io.crust.bench.Goodput client $t $addr ${ports[$((i - 1))]} $bytes" > "$cout" 2> "$cout.err" &
    pids+=($!); clients+=("$cout")
  done
  local ok=1
  for p in "${pids[@]}"; do wait $p || ok=0; done
  grep -h "after the start time" "${clients[@]/%/.err}" >&2 && ok=0
  for o in "${outs[@]}"; do for _ in $(seq 1 100); do grep -q goodput-server "$o" && break; sleep 0.2; done; done
  python3 - "$RESULTS" "$pair" "$offset" "$run" "$ok" "${outs[@]}" "java -Dgoodput.seconds=S -Dgoodput.startAtMillis=T -cp CP io.crust.bench.Goodput client T $addr PORT $bytes (two at once: $pair, the second started $offset ms after the first; servers: -Dgoodput.windowMillis=FROM,TO, the second flow's $FAIR_SECONDS s)" <<'PY'
import json, sys
res, pair, offset, run, ok, a, b, cmd = sys.argv[1:]
def last(f):
    for line in reversed(open(f).read().splitlines()):
        if line.startswith('{') and 'goodput-server' in line and 'partial' not in line:
            return json.loads(line)
ra, rb = last(a), last(b)
row = dict(kind='fairness', pair=pair, offsetMs=int(offset), run=int(run), command=cmd)
if ok != '1' or not ra or not rb:
    row.update(status='FAILED', why='a flow did not finish or started late')
else:
    row.update(status='ok', firstMbps=ra['windowMbps'], secondMbps=rb['windowMbps'], firstWholeMbps=ra['mbps'],
               secondWholeMbps=rb['mbps'])
open(res, 'a').write(json.dumps(row) + '\n')
PY
  for _ in "${outs[@]}"; do kill ${PIDS[-1]} 2>/dev/null; unset 'PIDS[-1]'; done
}

# perftool PATH TRANSPORT NS_SERVER NS_CLIENT ADDRESS BYTES: the user-facing perf tool (crust-demo perf), CPU by GNU time
perftool() {
  local path=$1 transport=$2 nss=$3 nsc=$4 addr=$5 bytes=$6 port=$((40000 + RANDOM % 20000))
  local sout=$OUT/$path-perf-$transport-server.txt cout=$OUT/$path-perf-$transport-client.txt
  local server="perf server --transport $transport --bind $addr --port $port --sessions 1 --json"
  local client="perf client --transport $transport --connect $addr:$port --bytes $bytes --json"
  if [ "$nss" = - ]; then /usr/bin/time -f "CPU %U %S" "$JAVA" -cp "$CP" io.crust.demo.Main $server > "$sout" 2> "$sout.err" &
  else ip netns exec "$nss" /usr/bin/time -f "CPU %U %S" "$JAVA" -cp "$CP" io.crust.demo.Main $server > "$sout" 2> "$sout.err" &
  fi
  local spid=$!
  PIDS+=($spid)
  sleep 3
  if ! timeout $TRANSFER_TIMEOUT bash -c "$(declare -f ns_exec); ns_exec '$nsc' /usr/bin/time -f 'CPU %U %S' '$JAVA' -cp '$CP' io.crust.demo.Main $client" > "$cout" 2> "$cout.err"; then
    fail "$path perf tool $transport: $(tail -2 "$cout.err" | tr '\n' ' ')"
    kill $spid 2>/dev/null
  fi
  wait $spid 2>/dev/null
  python3 - "$RESULTS" "$path" "$transport" "$sout" "$cout" "java -cp CP io.crust.demo.Main $client" <<'PY'
import json, sys
res, path, transport, sout, cout, cmd = sys.argv[1:]
def obj(f):
    lines = [l for l in open(f) if l.startswith('{')]
    return json.loads(lines[-1]) if lines else None
def cpu(f):
    lines = [l.split() for l in open(f) if l.startswith('CPU ')]
    return float(lines[-1][1]) + float(lines[-1][2]) if lines else None
s, c = obj(sout), obj(cout)
row = dict(kind='goodput', path=path, loss=0, transport='perf-' + transport, command=cmd)
if not s or not c or s.get('sha256') != c.get('sha256') or s.get('bytes') != c.get('bytes'):
    row.update(status='FAILED', why='no result or SHA-256 mismatch between the two ends')
else:
    cs, cc = cpu(sout + '.err'), cpu(cout + '.err')
    row.update(status='ok', mbps=s['mbps'], bytes=s['bytes'], seconds=s['seconds'], sha256Match=True,
               cpuSecondsPerGB=(cs + cc) / (s['bytes'] / 1e9) if cs is not None and cc is not None else None,
               cpuNote='whole processes, JVM start included')
open(res, 'a').write(json.dumps(row) + '\n')
PY
}

# goodput_aot PATH TRANSPORT NS_SERVER NS_CLIENT ADDRESS BYTES: a crust-udt transport once more, loss-free, with
# both JVMs started from an AOT cache (JDK 25: classes loaded and linked ahead of time, and the method profiles
# of a training run, so that the JIT compiles the hot paths sooner) that a first, unrecorded transfer of the same
# size wrote. Recorded as TRANSPORT-aot; how a user builds such a cache is in docs/udt.md.
goodput_aot() {
  local path=$1 transport=$2 cache=$OUT/aot-$1-$2
  rm -f "$cache"-server.aot "$cache"-client.aot
  GOODPUT_LABEL=$transport-aot-training GOODPUT_SERVER_OPTS="-XX:AOTCacheOutput=$cache-server.aot" \
    GOODPUT_CLIENT_OPTS="-XX:AOTCacheOutput=$cache-client.aot" GOODPUT_CP=$JARS GOODPUT_NO_RECORD=1 goodput "$path" 0 "$transport" "$3" "$4" "$5" "$6"
  for _ in $(seq 1 150); do [ -s "$cache-server.aot" ] && [ -s "$cache-client.aot" ] && break; sleep 0.2; done
  if [ ! -s "$cache-server.aot" ] || [ ! -s "$cache-client.aot" ]; then
    fail "$path $transport-aot: the training run wrote no AOT cache (a JDK 25 or later is needed)"
    record "{\"kind\":\"goodput\",\"path\":\"$path\",\"loss\":0,\"transport\":\"$transport-aot\",\"status\":\"FAILED\"}"
    return
  fi
  # AOTMode=on: a JVM that cannot use its cache stops instead of running without it, and the row says FAILED
  GOODPUT_LABEL=$transport-aot GOODPUT_SERVER_OPTS="-XX:AOTMode=on -XX:AOTCache=$cache-server.aot" \
    GOODPUT_CLIENT_OPTS="-XX:AOTMode=on -XX:AOTCache=$cache-client.aot" GOODPUT_CP=$JARS goodput "$path" 0 "$transport" "$3" "$4" "$5" "$6"
}

all_transports() { # PATH LOSS NS_SERVER NS_CLIENT ADDRESS BYTES UDP_LEN UDP_RATE
  iperf "$1" "$2" tcp "$3" "$4" "$5"
  iperf "$1" "$2" udp "$3" "$4" "$5" "$7" "$8"
  goodput "$1" "$2" tcp "$3" "$4" "$5" "$6"
  goodput "$1" "$2" udt "$3" "$4" "$5" "$6"
  goodput "$1" "$2" udt-fast "$3" "$4" "$5" "$6"
  # CUBIC under loss on the TUN link moves 0.5 - 3 Mbit/s: a smaller transfer keeps it within the timeout
  [ "$1" = loopback ] || goodput "$1" "$2" udt-cubic "$3" "$4" "$5" "$([ "$1" = tun50 ] && [ "$2" != 0 ] && echo 8388608 || echo "$6")"
  [ "${SKIP_KWIK:-0}" = 1 ] || goodput "$1" "$2" kwik "$3" "$4" "$5" "$KWIK_BYTES"
}

# veth_up / veth_down: the veth pair between the two namespaces, MTU 1500, offloads off.
veth_up() {
  log "veth: namespaces $NS_A and $NS_B"
  ip netns add $NS_A && ip netns add $NS_B || exit 1
  ip link add va netns $NS_A type veth peer name vb netns $NS_B || exit 1
  ip -n $NS_A addr add 10.250.0.1/24 dev va; ip -n $NS_B addr add 10.250.0.2/24 dev vb
  for ns in $NS_A $NS_B; do ip -n $ns link set lo up; done
  ip -n $NS_A link set va mtu 1500 up; ip -n $NS_B link set vb mtu 1500 up
  ip netns exec $NS_A ethtool -K va tso off gso off gro off >/dev/null 2>&1
  ip netns exec $NS_B ethtool -K vb tso off gso off gro off >/dev/null 2>&1
}
veth_down() {
  for ns in $NS_A $NS_B; do ip netns exec $ns nft delete table inet lossy 2>/dev/null; done
  ip -n $NS_A link del va
}
# tun_up LOSS / tun_down: the TUN link emulator between the namespaces (25 ms each way, TUN_RATE_BPS).
TUNLINK=$ROOT/crust-testkit/src/main/resources/io/crust/testkit/lab/tunlink.py
tun_up() {
  local loss=$1 lossp
  log "TUN link: 25 ms each way, ${TUN_RATE_BPS} bit/s, loss=$loss% each way"
  lossp=$(python3 -c "print($loss/100)")
  ip netns add $NS_A 2>/dev/null; ip netns add $NS_B 2>/dev/null
  ip netns exec $NS_A python3 -u "$TUNLINK" --name-a tla --name-b tlb --netns-b $NS_B --delay-ms 25 \
     --loss $lossp --rate-bps $TUN_RATE_BPS --seed 7 > "$OUT/tunlink-$loss.txt" 2>&1 < <(sleep 100000) &
  TUN_PID=$!
  for _ in $(seq 1 100); do grep -q READY "$OUT/tunlink-$loss.txt" && break; sleep 0.1; done
  grep -q READY "$OUT/tunlink-$loss.txt" || { fail "TUN link did not start: $(cat "$OUT/tunlink-$loss.txt")"; return 1; }
  ip netns exec $NS_A sysctl -qw net.ipv6.conf.tla.disable_ipv6=1; ip netns exec $NS_B sysctl -qw net.ipv6.conf.tlb.disable_ipv6=1
  ip -n $NS_A addr add 10.99.9.1 peer 10.99.9.2 dev tla; ip -n $NS_A link set tla up
  ip -n $NS_B addr add 10.99.9.2 peer 10.99.9.1 dev tlb; ip -n $NS_B link set tlb up
}
tun_down() {
  pkill -P $TUN_PID 2>/dev/null; kill $TUN_PID 2>/dev/null; wait $TUN_PID 2>/dev/null; TUN_PID=
}

# ---------------------------------------------------------------- 1. loopback
want goodput && log "loopback: iperf3 TCP and UDP, TCP, crust-udt and kwik through the harness"
# crust-udt probes its datagram size up to 65,507 bytes on loopback: raw UDP is measured at that size too.
want goodput && all_transports loopback 0 - - 127.0.0.1 $LOOP_BYTES 65507 0
if want goodput; then for t in udt udt-fast; do goodput_aot loopback $t - - 127.0.0.1 $LOOP_BYTES; done; fi
want perftool && { perftool loopback tcp - - 127.0.0.1 $LOOP_BYTES; perftool loopback udt - - 127.0.0.1 $LOOP_BYTES; }
if want roundtrip; then
section_load roundtrip
log "round trips: loopback, veth, TUN link"
for t in udp udt udt-fast; do rtt loopback $t - - 127.0.0.1; done
veth_up
for t in udp udt udt-fast; do rtt veth $t $NS_B $NS_A 10.250.0.2; done
veth_down
if tun_up 0; then rtt tun50 udp $NS_B $NS_A 10.99.9.2; rtt tun50 udt $NS_B $NS_A 10.99.9.2; fi
tun_down
fi  # want roundtrip

if want goodput; then
# ---------------------------------------------------------------- 2. veth pair, 1500 MTU, nft loss
veth_up
for loss in $LOSSES; do
  for ns in $NS_A $NS_B; do
    ip netns exec $ns nft delete table inet lossy 2>/dev/null
    if [ $loss -gt 0 ]; then
      ip netns exec $ns nft add table inet lossy
      # Dropped on input, at the receiver: a drop in the sender's output hook would be reported to the
      # sending socket (EPERM), which TCP treats as local congestion rather than loss and UDP senders see as errors.
      ip netns exec $ns nft "add chain inet lossy in { type filter hook input priority 0 ; }"
      ip netns exec $ns nft add rule inet lossy in numgen random mod 100 "<" $loss drop
    fi
  done
  log "veth loss=$loss% each way"
  all_transports veth $loss $NS_B $NS_A 10.250.0.2 $VETH_BYTES 1472 0
  if [ $loss = 0 ]; then for t in udt udt-fast; do goodput_aot veth $t $NS_B $NS_A 10.250.0.2 $VETH_BYTES; done; fi
done
veth_down

# ---------------------------------------------------------------- 3. TUN link, 50 ms round trip
for loss in $LOSSES; do
  tun_up $loss || break
  all_transports tun50 $loss $NS_B $NS_A 10.99.9.2 $TUN_BYTES 1472 $TUN_RATE_BPS
  tun_down
done

fi  # want goodput

# ---------------------------------------------------------------- 3b. two flows through the TUN link
if want fairness; then
section_load fairness
log "fairness: two flows through the TUN link (no loss), $FAIR_RUNS runs each"
if tun_up 0; then
  for run in $(seq 1 $FAIR_RUNS); do
    for pair in udt+udt udt+tcp; do
      for offset in 0 1000; do fairness $pair $NS_B $NS_A 10.99.9.2 1073741824 $offset $run; done
    done
  done
fi
tun_down
fi  # want fairness

# ---------------------------------------------------------------- 4. Noise channel vs TLS 1.3
if want channel; then
log "Noise channel vs TLS 1.3 on loopback; Crust connects; handshake crypto by provider"
# channel_row CMD...: runs a measurement that prints JSON lines, records them with the command and status ok
channel_row() {
  local name=$1; shift
  if timeout $TRANSFER_TIMEOUT "$JAVA" -cp "$CP" "$@" 2>"$OUT/channel-$name.err" | grep '^{' > "$OUT/channel.tmp"; then
    python3 - "$OUT/channel.tmp" "$RESULTS" "java -cp CP ${*/$KEYSTORE/KEYSTORE}" <<'PY'
import json, sys
tmp, res, cmd = sys.argv[1:]
with open(res, 'a') as out:
    for line in open(tmp).read().splitlines():
        r = json.loads(line)
        r.update(status='ok', command=cmd)
        out.write(json.dumps(r) + '\n')
PY
  else
    fail "channel $name"; record "{\"kind\":\"channel\",\"channel\":\"$name\",\"status\":\"FAILED\"}"
  fi
}
for ch in noise tls; do
  channel_row "$ch-throughput" io.crust.bench.NoiseVsTls throughput $ch $LOOP_BYTES "$KEYSTORE"
  channel_row "$ch-handshakes" io.crust.bench.NoiseVsTls handshakes $ch $SECS "$KEYSTORE"
done
channel_row connects io.crust.bench.NodeConnects $SECS
channel_row handshake-crypto io.crust.bench.HandshakeCrypto 3 3

fi  # want channel

# ---------------------------------------------------------------- 5. JMH
if want jmh; then
log "JMH microbenchmarks"
if [ "$QUICK" = 1 ]; then JMH="-f 1 -wi 1 -i 2 -w 1s -r 1s"; else JMH="-f 1 -wi 3 -i 5 -w 2s -r 3s"; fi
if ! "$JAVA" -cp "$CP" org.openjdk.jmh.Main HotPathBenchmarks $JMH -rf json -rff "$OUT/jmh.json" > "$OUT/jmh.txt" 2>&1; then
  fail "JMH: $(tail -5 "$OUT/jmh.txt")"
fi
python3 - "$RESULTS" "$OUT/jmh.json" "java -cp CP org.openjdk.jmh.Main HotPathBenchmarks $JMH" <<'PY'
import json, sys
res, f, cmd = sys.argv[1:]
try:
    for b in json.load(open(f)):
        m = b['primaryMetric']
        open(res, 'a').write(json.dumps(dict(kind='jmh', benchmark=b['benchmark'].split('.')[-1], params=b.get('params', {}),
            score=m['score'], error=m['scoreError'], unit=m['scoreUnit'], command=cmd, status='ok')) + '\n')
except Exception as e:
    open(res, 'a').write(json.dumps(dict(kind='jmh', status='FAILED', why=str(e))) + '\n')
PY
fi  # want jmh


# ---------------------------------------------------------------- 6. Scale: many connections through CrustNode
if want scale; then
  if [ "$QUICK" = 1 ]; then SCALE="1000 200 100"; else SCALE="10000 1000 100"; fi
  read -r SCALE_N SCALE_M SCALE_K <<< "$SCALE"
  ulimit -n 65536 2>/dev/null || { ulimit -n "$(ulimit -Hn)"; log "cannot raise the descriptor limit to 65536 (hard limit $(ulimit -Hn)): using $(ulimit -n)"; }
  # Each client node holds two descriptors (its own listener and its connection): spread the client nodes
  # over as many JVMs as the descriptor limit asks, with 1000 spare per JVM.
  per_jvm=$(( ($(ulimit -n) - 1000) / 2 ))
  SCALE_JVMS=1; while [ $((SCALE_N / SCALE_JVMS)) -gt $per_jvm ] || [ $((SCALE_N % SCALE_JVMS)) != 0 ] || [ $((SCALE_M % SCALE_JVMS)) != 0 ]; do SCALE_JVMS=$((SCALE_JVMS + 1)); done
  log "scale: $SCALE_N connections ($SCALE_JVMS client JVMs), then $SCALE_K messages from each of $SCALE_M peers"
  section_load scale
  # SCALE_HEARTBEAT: heartbeat interval in seconds (timeout 4x); 2 is the library default
  scale_cmd="java -cp CP io.crust.bench.Scale $SCALE_N $SCALE_M $SCALE_K ${SCALE_HEARTBEAT:-2} $SCALE_JVMS WORK_DIR"
  timeout ${SCALE_TIMEOUT:-1800} "$JAVA" -Xmx256m -cp "$CP" io.crust.bench.Scale $SCALE_N $SCALE_M $SCALE_K ${SCALE_HEARTBEAT:-2} $SCALE_JVMS "$OUT/scale-work" > "$OUT/scale.txt" 2> "$OUT/scale.err"
  scale_rc=$?
  [ $scale_rc = 0 ] || fail "scale: exit $scale_rc, see $OUT/scale.txt and $OUT/scale.err"
  python3 - "$RESULTS" "$OUT/scale.txt" "$scale_cmd" $scale_rc <<'PY'
import json, sys
res, out, cmd, rc = sys.argv[1:]
lines = []
for l in open(out):
    if l.startswith('{"kind":"scale'):
        try:
            lines.append(json.loads(l))
        except ValueError:
            pass  # a sample line that is not JSON (it would be reported missing below if it mattered)
for kind in ('scale', 'scale-messages'):
    r = next((l for l in reversed(lines) if l['kind'] == kind), None)
    if r is None:
        r = dict(kind=kind, status='FAILED', why='no figures (exit %s); see scale.txt and scale.err' % rc)
    else:
        if kind == 'scale':
            why = []
            if r.get('failures'):
                why.append('%s of %s connections failed (first: %s)' % (r['failures'], r['connections'], r.get('firstFailure')))
            if r.get('serverPeersAfterIdle') != r.get('connected'):
                why.append('%s connections lost while idle, server says: %s' % (r['connected'] - r['serverPeersAfterIdle'], r.get('serverLostReasons')))
        else:
            why = []
            if r.get('received') != r.get('expected') or r.get('sendFailures'):
                why.append('received %s of %s messages, %s senders failed' % (r.get('received'), r.get('expected'), r.get('sendFailures')))
            if r.get('serverPeersAfterClose') != r.get('peers'):
                why.append('server had %s peers instead of %s before sending' % (r.get('serverPeersAfterClose'), r.get('peers')))
        r['status'] = 'FAILED' if why else 'ok'
        if why:
            r['why'] = '; '.join(why)
    r['command'] = cmd
    open(res, 'a').write(json.dumps(r) + '\n')
PY
  rm -rf "$OUT/scale-work"
fi

# ---------------------------------------------------------------- 7. Time to connect in the NAT lab
if want labconnect; then
  if [ "$QUICK" = 1 ]; then LAB_TRIES=5; else LAB_TRIES=30; fi
  log "NAT lab: time to connect, direct, punched, mapped, relayed and LAN discovery, $LAB_TRIES tries each"
  section_load labconnect
  lab_cmd="java -cp CP io.crust.bench.LabConnect $LAB_TRIES WORK_DIR"
  timeout ${LAB_TIMEOUT:-3600} "$JAVA" -Xmx512m -cp "$CP" io.crust.bench.LabConnect $LAB_TRIES "$OUT/lab-work" > "$OUT/labconnect.txt" 2> "$OUT/labconnect.err"
  lab_rc=$?
  [ $lab_rc = 0 ] || fail "lab connect: exit $lab_rc, see $OUT/labconnect.txt and $OUT/labconnect.err"
  python3 - "$RESULTS" "$OUT/labconnect.txt" "$lab_cmd" <<'PY'
import json, sys
res, out, cmd = sys.argv[1:]
lines = []
for l in open(out):
    if l.startswith('{"kind":"lab-connect'):
        try:
            lines.append(json.loads(l))
        except ValueError:
            pass
seen = set()
with open(res, 'a') as f:
    for r in lines:
        r['command'] = cmd
        if r['kind'] == 'lab-connect-summary':
            seen.add(r['scenario'])
        else:
            r.setdefault('status', 'ok' if not r.get('error') else 'try-failed')
        f.write(json.dumps(r) + '\n')
    for s in ('direct', 'punched', 'mapped', 'relayed', 'lan'):
        if s not in seen:
            f.write(json.dumps(dict(kind='lab-connect-summary', scenario=s, status='FAILED', why='no summary: see labconnect.err', command=cmd)) + '\n')
PY
  rm -rf "$OUT/lab-work"
fi

# ---------------------------------------------------------------- 7b. The NAT matrix: every pair of NAT kinds
if want labmatrix; then
  if [ "$QUICK" = 1 ]; then MATRIX_TRIES=2; else MATRIX_TRIES=10; fi
  MATRIX_UPGRADE_WAIT=${MATRIX_UPGRADE_WAIT:-10}   # seconds a relayed first connection is watched for its move
  log "NAT lab matrix: 49 pairs of NAT kinds, $MATRIX_TRIES tries each"
  section_load labmatrix
  matrix_cmd="java -cp CP io.crust.bench.LabMatrix $MATRIX_TRIES WORK_DIR $MATRIX_UPGRADE_WAIT"
  timeout ${MATRIX_TIMEOUT:-5400} "$JAVA" -Xmx512m -cp "$CP" io.crust.bench.LabMatrix $MATRIX_TRIES "$OUT/matrix-work" $MATRIX_UPGRADE_WAIT \
    > "$OUT/labmatrix.txt" 2> "$OUT/labmatrix.err"
  matrix_rc=$?
  [ $matrix_rc = 0 ] || fail "lab matrix: exit $matrix_rc, see $OUT/labmatrix.txt and $OUT/labmatrix.err"
  python3 - "$RESULTS" "$OUT/labmatrix.txt" "$matrix_cmd" <<'PY'
import json, sys
res, out, cmd = sys.argv[1:]
rows = []
for l in open(out):
    if l.startswith('{"kind":"lab-matrix'):
        try:
            rows.append(json.loads(l))
        except ValueError:
            pass
if not any(r['kind'] == 'lab-matrix-summary' for r in rows):
    rows.append(dict(kind='lab-matrix-summary', status='FAILED', why='no summary: see labmatrix.err'))
with open(res, 'a') as f:
    for r in rows:
        r['command'] = cmd
        f.write(json.dumps(r) + '\n')
PY
  rm -rf "$OUT/matrix-work"
fi

log "writing docs/performance.md"
python3 crust-bench/report.py "$RESULTS" docs/performance.md || FAILED=1
[ $FAILED = 0 ] || log "some comparisons FAILED: see the table and $OUT"
exit $FAILED
