#!/usr/bin/env bash
# Memory of a crust-udt perf server under a datagram flood (docs/reliability.md, "Memory under a
# datagram flood"):
#
#   crust-bench/flood-memory.sh [JVM_OPTION...]
#
# Starts `crust perf server` on 127.0.0.1 with Native Memory Tracking, sends it 300,000 junk
# datagrams of 280 bytes from one UDP socket (at most about 100,000 a second; PACE=0: as fast as
# Python sends), then runs a 64 MiB `perf client` session. Prints the
# server's resident memory (VmRSS), its heap (jcmd GC.heap_info) and NMT's committed total at
# three points: after start, after the flood, after the transfer; the bytes that came back to the
# flooding socket; both ends' result lines (bytes and SHA-256); the server's top classes and NMT
# categories. JVM options (for example -Xmx64m) go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
JAVA=$JAVA_HOME/bin/java
JCMD=$JAVA_HOME/bin/jcmd
JAR=crust-demo/target/crust-demo.jar
[ -f "$JAR" ] || { echo "build the demo jar first: ./mvnw -B -o -DskipTests -pl crust-demo -am package" >&2; exit 1; }
PORT=${PORT:-9917}
OUT=$(mktemp -d)
"$JAVA" -XX:NativeMemoryTracking=summary "$@" -jar "$JAR" perf server --port "$PORT" --bind 127.0.0.1 \
  >"$OUT/server.out" 2>"$OUT/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$OUT"' EXIT
until grep -q "crust-udt on" "$OUT/server.err" 2>/dev/null; do sleep 0.2; done

snapshot() {
  local rss heap nmt
  rss=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
  heap=$("$JCMD" $SERVER GC.heap_info | awk '/garbage-first heap/ {print $6, $7, $8, $9}')
  nmt=$("$JCMD" $SERVER VM.native_memory summary | awk '/^Total:/ {print $3, $4}')
  drops=$(cat /proc/net/udp /proc/net/udp6 | awk -v port=$(printf ':%04X' "$PORT") '$2 ~ port"$" {print $NF}' | head -1)
  echo "MEMORY $1 rss_kib=$rss heap=[$heap] nmt=[$nmt] kernel_drops=$drops"
  "$JCMD" $SERVER VM.native_memory summary > "$OUT/nmt-$1.txt"
}

sleep 2
snapshot start
python3 - "$PORT" "${PACE:-1}" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
target = ("127.0.0.1", int(sys.argv[1]))
junk = os.urandom(280 * 1024)
import time
for i in range(300_000):
    off = (i * 97) % (len(junk) - 280)
    s.sendto(junk[off:off + 280], target)
    if sys.argv[2] == "1" and i % 500 == 499:
        time.sleep(0.005)  # at most about 100,000 a second: the server reads them instead of the kernel dropping them
s.setblocking(False)
import time
back, deadline = 0, time.time() + 2
while time.time() < deadline:
    try:
        back += len(s.recv(65536))
    except BlockingIOError:
        time.sleep(0.01)
print(f"FLOOD sent 300000 datagrams, {300_000 * 280} bytes; {back} bytes came back")
PY
sleep 3
snapshot flood
"$JAVA" -jar "$JAR" perf client --connect 127.0.0.1:"$PORT" --bytes 64m | sed 's/^/CLIENT /'
until [ -s "$OUT/server.out" ]; do sleep 0.2; done
sleep 1
snapshot transfer
sed 's/^/SERVER /' "$OUT/server.out"
"$JCMD" $SERVER GC.class_histogram | head -15 | sed 's/^/HISTOGRAM /'
for p in start flood transfer; do echo "NMT $p"; grep -E "Total|committed=" "$OUT/nmt-$p.txt" | grep -v "^ *(" | awk '{print "  " $0}'; done
