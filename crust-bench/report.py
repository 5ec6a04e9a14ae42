#!/usr/bin/env python3
"""Turns crust-bench/run.sh's results.jsonl into docs/performance.md (run by run.sh itself).

    python3 crust-bench/report.py RESULTS.jsonl docs/performance.md

Hand-written interpretation lives in crust-bench/analysis.md and is copied in after the tables.
"""
import datetime, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matrix_report import matrix_section

results_path, out_path = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(results_path) if l.strip()]
rows = [r for r in rows if r.get('kind') not in ('lab-connect', 'lab-matrix')]  # per-try rows: the summaries carry the figures
machine = next((r for r in rows if r['kind'] == 'machine'), {})
LOSSES = [0, 1, 5, 10]
PATHS = [('loopback', 'Loopback (127.0.0.1)'), ('veth', 'veth pair, MTU 1500, offloads off, nft random loss each way'),
         ('tun50', 'TUN link emulator: 25 ms each way (50 ms RTT), 50 Mbit/s, emulator loss each way')]
TRANSPORTS = [('iperf3-tcp', 'TCP, iperf3 (-C cubic)'), ('tcp', 'TCP, Java sockets (harness, kernel default congestion control)'),
              ('perf-tcp', 'TCP, crust-demo perf --transport tcp'),
              ('iperf3-udp', 'raw UDP, iperf3 -u (received)'), ('udt', '**crust-udt** (default: BBR), JDK datagram path'),
              ('udt-fast', '**crust-udt**, Linux fast path (recvmmsg, UDP GSO)'),
              ('udt-aot', 'crust-udt, JDK path, JVMs started from an AOT cache (JDK 25)'),
              ('udt-fast-aot', 'crust-udt, fast path, JVMs started from an AOT cache (JDK 25)'),
              ('udt-cubic', 'crust-udt with CUBIC'),
              ('perf-udt', '**crust-udt, crust-demo perf --transport udt**'), ('kwik', 'QUIC, kwik 0.10.3')]
failed = [r for r in rows if r.get('status') == 'FAILED']


def find(**kw):
    for r in rows:
        if all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


def load_note(section):
    r = next((r for r in reversed(rows) if r.get('kind') == 'section-load' and r.get('section') == section), None)
    if not r:
        return ''
    return ('Run at %s UTC, load average %s at the start of this section (2 cores: %s).' %
            (r['utc'], r['loadAverage'], 'loaded, figures pessimistic' if float(r['loadAverage'].split()[0]) > 1.5 else 'quiet'))


def cell(r):
    if r is None:
        return 'not run'
    if r.get('status') != 'ok':
        return 'FAILED' + (' (%.1f until cut off)' % r['partialMbps'] if r.get('partialMbps') else '')
    if r.get('cpuSecondsPerGB') is None:
        return '%.0f (-)' % r['mbps']
    return '%.0f (%.1f)' % (r['mbps'], r['cpuSecondsPerGB'])


def rate(r):
    """Goodput of a finished run, or the rate a cut-off run reached before it was stopped."""
    if not r:
        return None
    return r['mbps'] if r.get('status') == 'ok' else r.get('partialMbps')


def ratio(a, b):
    ra, rb = rate(a), rate(b)
    if ra is None or rb is None or rb == 0:
        return None
    return ra / rb


PLOT_COLOURS = {'udt': '#d62728', 'udt-fast': '#9467bd', 'udt-cubic': '#ff9896', 'tcp': '#1f77b4', 'iperf3-tcp': '#aec7e8',
                'iperf3-udp': '#7f7f7f', 'kwik': '#2ca02c'}


def svg_goodput_vs_loss(path, title, file_name):
    """A log-scale line plot of goodput against loss for each transport measured on a path; returns the
    file name relative to docs/, or None if there is nothing to draw. Plain SVG, no plotting library."""
    series = []
    for t, label in TRANSPORTS:
        points = [(l, rate(find(kind='goodput', path=path, loss=l, transport=t))) for l in LOSSES]
        points = [(l, v) for l, v in points if v]
        if points and t in PLOT_COLOURS:
            series.append((t, label.replace('**', ''), points))
    if not series:
        return None
    import math
    width, height, left, right, top, bottom = 640, 360, 70, 230, 40, 50
    lo = min(v for _, _, pts in series for _, v in pts)
    hi = max(v for _, _, pts in series for _, v in pts)
    ymin, ymax = 10 ** math.floor(math.log10(max(lo, 0.01))), 10 ** math.ceil(math.log10(hi))
    px = lambda l: left + (width - left - right) * l / max(LOSSES)
    py = lambda v: top + (height - top - bottom) * (1 - (math.log10(v) - math.log10(ymin)) / (math.log10(ymax) - math.log10(ymin)))
    e = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (width, height),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="20" font-size="14">%s</text>' % (left, title)]
    decade = ymin
    while decade <= ymax:
        e.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, width - right, py(decade), py(decade)))
        e.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (left - 6, py(decade) + 4, decade))
        decade *= 10
    for l in LOSSES:
        e.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>' % (px(l), px(l), top, height - bottom))
        e.append('<text x="%.1f" y="%d" text-anchor="middle">%d%%</text>' % (px(l), height - bottom + 16, l))
    e.append('<text x="%d" y="%d" text-anchor="middle">random loss, each way</text>' % ((left + width - right) / 2, height - 12))
    e.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">goodput, Mbit/s (log)</text>'
             % ((top + height - bottom) / 2, (top + height - bottom) / 2))
    for i, (t, label, pts) in enumerate(series):
        c = PLOT_COLOURS[t]
        e.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (c, ' '.join('%.1f,%.1f' % (px(l), py(v)) for l, v in pts)))
        for l, v in pts:
            e.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (px(l), py(v), c))
        e.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"/>' % (width - right + 10, width - right + 30, top + 10 + 18 * i, top + 10 + 18 * i, c))
        e.append('<text x="%d" y="%d">%s</text>' % (width - right + 36, top + 14 + 18 * i, label[:32]))
    e.append('</svg>')
    img_dir = os.path.join(os.path.dirname(os.path.abspath(out_path)), 'img')
    os.makedirs(img_dir, exist_ok=True)
    open(os.path.join(img_dir, file_name), 'w').write('\n'.join(e) + '\n')
    return 'img/' + file_name


def svg_time_to_connect(scenarios, file_name):
    """Time to connect per lab scenario on a log scale: a line from the fastest to the slowest try, a dot at
    p50, a tick at p99; returns the file name relative to docs/, or None if no scenario has figures."""
    bars = []
    for sname, label in scenarios:
        r = find(kind='lab-connect-summary', scenario=sname)
        if r and 'tries' in r and r.get('p50Millis'):
            bars.append((label, max(r['minMillis'], 1.0), r['p50Millis'], r['p99Millis'], r['maxMillis']))
    if not bars:
        return None
    import math
    width, left, right, top, row = 640, 220, 30, 40, 34
    height = top + row * len(bars) + 50
    lo = 10 ** math.floor(math.log10(min(b[1] for b in bars)))
    hi = 10 ** math.ceil(math.log10(max(b[4] for b in bars)))
    px = lambda v: left + (width - left - right) * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
    e = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (width, height),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="20" font-size="14">Time to connect in the NAT lab (min to max, dot p50, tick p99)</text>' % 10]
    decade = lo
    while decade <= hi:
        e.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>' % (px(decade), px(decade), top, height - 40))
        e.append('<text x="%.1f" y="%d" text-anchor="middle">%g</text>' % (px(decade), height - 24, decade))
        decade *= 10
    e.append('<text x="%d" y="%d" text-anchor="middle">milliseconds from connect to connected (log)</text>'
             % ((left + width - right) / 2, height - 6))
    for i, (label, mn, p50, p99, mx) in enumerate(bars):
        y = top + row * i + row / 2
        e.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (left - 8, y + 4, label))
        e.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#1f77b4" stroke-width="3"/>' % (px(mn), px(mx), y, y))
        e.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#d62728" stroke-width="2"/>' % (px(p99), px(p99), y - 8, y + 8))
        e.append('<circle cx="%.1f" cy="%.1f" r="5" fill="#ff7f0e"/>' % (px(p50), y))
    e.append('</svg>')
    img_dir = os.path.join(os.path.dirname(os.path.abspath(out_path)), 'img')
    os.makedirs(img_dir, exist_ok=True)
    open(os.path.join(img_dir, file_name), 'w').write('\n'.join(e) + '\n')
    return 'img/' + file_name


out = []
w = out.append
w('# Performance\n')
w('Generated by `crust-bench/run.sh` on %s UTC. **Rerun it on an idle machine before quoting a figure.**\n'
  % datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M'))
w('The figures below were measured on a 2-core virtual machine that other work may share (load average %s '
  'at the start of the run, for 2 cores; section 8 says what else ran), so every figure is noisy; ratios '
  'taken within one path and one run are more telling than absolute numbers.%s\n'
  % (machine.get('loadAverage', '?'),
     ' Sections 6 and 7 may come from a later `ONLY=` run: each says when it ran and under what load.'
     if any(r.get('kind') == 'section-load' for r in rows) else ''))
w('## How to run\n')
w('```\nsudo crust-bench/run.sh            # everything, writes this file\nQUICK=1 sudo crust-bench/run.sh    # smaller transfers and shorter runs\n'
  'ONLY=scale,labconnect sudo crust-bench/run.sh   # only some sections (goodput, roundtrip, fairness, perftool, channel, jmh, scale,\n'
  '                                                # labconnect, labmatrix); the rows of the others are kept from the last run\n```\n')
w('Needs root (two network namespaces, created and deleted by the script), `iperf3`, `ip`, `nft`, `ethtool`, '
  '`python3`, `keytool` and a JDK 21+. Traffic stays on loopback and inside those namespaces. A comparison '
  'that cannot run shows as FAILED below and makes the script exit 1. Raw results, one JSON object per '
  'measurement with the exact command: `crust-bench/target-bench/results/results.jsonl`.\n')
w('## Machine\n')
w('| | |\n|---|---|')
for k, label in [('nproc', 'cores (nproc)'), ('cpu', 'CPU'), ('memKiB', 'memory'), ('kernel', 'kernel'), ('java', 'JDK'),
                 ('iperf3', 'iperf3'), ('tcpCongestionControl', 'kernel TCP congestion control (iperf3 runs use -C cubic)'),
                 ('loadAverage', 'load average at start')]:
    v = machine.get(k, '?')
    if k == 'memKiB' and v != '?':
        v = '%.1f GiB' % (v / 1048576)
    w('| %s | %s |' % (label, v))
w('')
if failed:
    w('## Comparisons that FAILED in this run\n')
    for r in failed:
        w('- %s %s %s loss=%s: %s' % (r.get('kind'), r.get('path', ''), r.get('transport', r.get('channel', r.get('scenario', ''))),
                                        r.get('loss', '-'), r.get('why', 'see the run log')))
    w('')

w('## 1. Goodput: crust-udt against TCP, raw UDP and QUIC\n')
w('Each cell: goodput in Mbit/s (10^6 bit/s, bytes delivered to the receiving application) and, in brackets, '
  'CPU seconds per GB moved, both ends together (harness: CPU time of the two JVMs during the transfer, '
  'read from the JVM; iperf3: its own cpu_utilization_percent, host plus remote, times the duration). '
  'Loss is applied to every packet in each direction. Raw UDP has no congestion control, no retransmission '
  'and no ordering: its figure is what arrived, an upper bound for a reliable transport at that datagram size.\n')
for path, title in PATHS:
    w('### %s\n' % title)
    losses = LOSSES if path != 'loopback' else [0]
    w('| transport | ' + ' | '.join('%d%% loss' % l for l in losses) + ' |')
    w('|---|' + '---|' * len(losses))
    for t, label in TRANSPORTS:
        cells = [find(kind='goodput', path=path, loss=l, transport=t) for l in losses]
        if (t.startswith('perf-') or t.endswith('-aot')) and not any(cells):
            continue  # the perf tool runs on loopback only; the AOT rows on loopback and loss-free veth
        w('| %s | %s |' % (label, ' | '.join(cell(c) for c in cells)))
    udp = find(kind='goodput', path=path, loss=0, transport='iperf3-udp')
    if udp and udp.get('datagramBytes'):
        w('\nRaw UDP datagrams: %d bytes of payload%s.' % (udp['datagramBytes'],
          ' (crust-udt probes up to 65,507 on loopback)' if path == 'loopback' else ' (1500-byte MTU)'))
    if path != 'loopback':
        img = svg_goodput_vs_loss(path, 'Goodput against loss: %s' % path, 'goodput-vs-loss-%s.svg' % path)
        if img:
            w('\n![Goodput against loss, %s](%s)' % (path, img))
    u = find(kind='goodput', path=path, loss=0, transport='udt')
    if u and u.get('clientStats'):
        w('\ncrust-udt sender statistics at 0%% loss: `%s`' % u['clientStats'])
    w('')

w('## 2. Round trip of a 64-byte message\n')
rt_rows = [r for r in rows if r.get('kind') == 'round-trip' and r.get('status') == 'ok']
warm = sorted({(r.get('path'), r.get('count'), r.get('warmup')) for r in rt_rows})
w('One message out, wait for the echo, repeat; microseconds. Each row runs unmeasured round trips first, '
  'the same number for every transport, so that the JIT has compiled both ends\' hot paths (%s; '
  '`ONLY=roundtrip crust-bench/run.sh`, one client and one server process, both on platform threads). %s\n'
  % ('; '.join('%s: %s measured after %s' % (p, c, 'a tenth of them' if wu is None else wu) for p, c, wu in warm)
     or 'no runs', load_note('roundtrip')))
w('| path | raw UDP p50 | raw UDP p99 | crust-udt p50 | crust-udt p99 | crust-udt / UDP at p50 | fast path p50 | fast path p99 | fast path / UDP at p50 |')
w('|---|---|---|---|---|---|---|---|---|')
for path, _ in PATHS:
    a = find(kind='round-trip', path=path, transport='udp')
    b = find(kind='round-trip', path=path, transport='udt')
    c = find(kind='round-trip', path=path, transport='udt-fast')
    if a is None and b is None:
        continue
    def f(r, k):
        return (str(r[k]) if r.get('status') == 'ok' else 'FAILED') if r else '-'
    def rr(x):
        return '%.2f' % (x['p50Micros'] / a['p50Micros']) if a and x and a.get('status') == x.get('status') == 'ok' else '-'
    w('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (path, f(a, 'p50Micros'), f(a, 'p99Micros'), f(b, 'p50Micros'),
                                                    f(b, 'p99Micros'), rr(b), f(c, 'p50Micros'), f(c, 'p99Micros'), rr(c)))
w('')

w('## 2b. Sharing a bottleneck\n')
w('Two flows at once through the TUN link (50 Mbit/s, 50 ms RTT, a 100 ms queue, no loss), each from its own '
  'client to its own server (`ONLY=fairness crust-bench/run.sh`, %d runs of each row). Both clients connect first '
  'and start sending at set wall-clock times: together, or the second 1 s after the first. Each server counts what '
  'it received during the second flow\'s `FAIR_SECONDS` (20 s), when both send; fair sharing means a ratio near 1. '
  % max([r.get('run', 1) for r in rows if r.get('kind') == 'fairness'] or [0]) + load_note('fairness') + '\n')
w('| flows | second flow started | runs: first / second Mbit/s (ratio) | median ratio |')
w('|---|---|---|---|')
def fairness_runs(pair, offset):
    return [r for r in rows if r.get('kind') == 'fairness' and r.get('pair') == pair and r.get('offsetMs') == offset]
def fair_ratio(r):
    return min(r['firstMbps'], r['secondMbps']) / max(r['firstMbps'], r['secondMbps'])
def median_fair_ratio(pair, offset):
    ok = sorted(fair_ratio(r) for r in fairness_runs(pair, offset) if r.get('status') == 'ok')
    return ok[len(ok) // 2] if ok else None
for pair, label in [('udt+udt', 'crust-udt + crust-udt'), ('udt+tcp', 'crust-udt + kernel TCP (Java sockets)')]:
    for offset, when in [(0, 'together'), (1000, '1 s later')]:
        runs = fairness_runs(pair, offset)
        if not runs:
            w('| %s | %s | not run | |' % (label, when))
            continue
        cells = ['%.1f / %.1f (%.2f)' % (r['firstMbps'], r['secondMbps'], fair_ratio(r)) if r.get('status') == 'ok'
                 else 'FAILED: %s' % r.get('why', '') for r in runs]
        m = median_fair_ratio(pair, offset)
        w('| %s | %s | %s | %s |' % (label, when, '; '.join(cells), '-' if m is None else '%.2f' % m))
w('')

w('## 3. The encrypted Crust channel against TLS 1.3\n')
w('Loopback TCP, both ends in one JVM on virtual threads, TCP_NODELAY on both ends of both channels. Crust: '
  'Noise XX with X25519, ChaCha20-Poly1305 and SHA-256, each end signing its static key with its Ed25519 identity '
  '(`SecureChannel` over `TcpFrameTransport`, 16 KiB messages). TLS: JDK `SSLSocket`, TLS 1.3, ECDSA P-256 '
  'certificate (keytool), the suite the JDK picks, 16 KiB writes. A handshake here is: connect, full handshake, '
  'one 1-byte round trip, close; sequential, one at a time, after a second of the same as warm-up. '
  '`NodeConnects` is the same through the service API: two `CrustNode`s, `connect(address)` (TCP, Noise XX, '
  'HELLO) then `drop`, sequential.\n')
w('| channel | throughput Mbit/s | CPU s (process) | handshakes per second | cipher |')
w('|---|---|---|---|---|')
for ch, label in [('noise', 'Crust (Noise XX)'), ('tls13', 'JDK TLS 1.3')]:
    t, h = find(kind='channel-throughput', channel=ch), find(kind='channel-handshakes', channel=ch)
    w('| %s | %s | %s | %s | %s |' % (label, '%.0f' % t['mbps'] if t else 'FAILED', '%.1f' % t['cpuSeconds'] if t else '-',
                                      '%.1f' % h['perSecond'] if h else 'FAILED', t.get('cipher', '') if t else ''))
c = find(kind='channel-connects', channel='crust-node')
w('| Crust, `CrustNode.connect` + `drop` | | | %s | |' % ('%.1f' % c['perSecond'] if c else 'FAILED'))
w('')
crypto = [r for r in rows if r['kind'] == 'handshake-crypto' and r.get('status') == 'ok']
w('**Which provider computes the handshake.** `HandshakeCrypto`: the public-key and hash work of one Crust '
  'handshake, both ends (2 X25519 key pairs, 6 X25519 agreements, 2 Ed25519 signatures and 2 verifications, '
  'HKDF and SHA-256), without I/O, computed by the JDK\'s providers and by BouncyCastle alternately in one '
  'process (the two must agree on the same keys first). The AEAD is the JDK\'s in both, as at run time.\n')
w('| round | JDK handshakes/s | BouncyCastle handshakes/s | JDK / BouncyCastle |')
w('|---|---|---|---|')
for rnd in sorted({r['round'] for r in crypto}):
    j = next((r for r in crypto if r['round'] == rnd and r['provider'] == 'jdk'), None)
    b = next((r for r in crypto if r['round'] == rnd and r['provider'] == 'bouncycastle'), None)
    if j and b:
        w('| %d | %.0f | %.0f | %.2f |' % (rnd, j['perSecond'], b['perSecond'], j['perSecond'] / b['perSecond']))
if not crypto:
    w('| - | FAILED | FAILED | - |')
w('')

w('## 4. JMH microbenchmarks (hot paths)\n')
w('`HotPathBenchmarks` in crust-bench, 1452-byte payloads (a full 1500-MTU datagram). Operations per second, '
  'with the 99.9% error JMH reports.\n')
w('| benchmark | ops/s | error | what it measures |')
w('|---|---|---|---|')
what = dict(udtDataPacketEncode='crust-udt DATA header + STREAM frame header + payload copy into a ByteBuffer',
            udtDataPacketDecode='crust-udt DataHeader.decode + Frames.decodeStream (validation only, payload not copied)',
            aeadSealChaChaPoly='Noise AEAD encrypt, ChaCha20-Poly1305 (JDK provider, the crust default)',
            aeadOpenChaChaPoly='Noise AEAD decrypt + tag check, ChaCha20-Poly1305',
            aeadSealAesGcm='Noise AEAD encrypt, AES-256-GCM (JDK provider)',
            frameWrite='2-byte length prefix + body written to a stream (the TcpFrameTransport wire format)',
            frameRead='2-byte length prefix read, body allocated and read (the same format)')
for r in [r for r in rows if r['kind'] == 'jmh' and r.get('status') == 'ok']:
    err = r['error'] if isinstance(r['error'], (int, float)) else None
    w('| %s | %.0f | %s | %s |' % (r['benchmark'], r['score'], '%.0f' % err if err is not None and err == err else 'n/a (too few iterations)',
                                   what.get(r['benchmark'], '')))
w('')

w('## 5. The crust-udt targets against these figures\n')
def target_row(name, num, den, goal, higher=True):
    r = ratio(num, den) if higher else (None if not num or not den or num.get('status') != 'ok' or den.get('status') != 'ok'
                                        else num['p50Micros'] / den['p50Micros'])
    if r is None:
        return '| %s | not measured (FAILED or not run) | %s | MISSED (no figure) |' % (name, goal)
    ok = r >= float(goal[2:]) if higher else r <= float(goal[2:])
    partial = higher and any(x and x.get('status') != 'ok' for x in (num, den))
    return '| %s | %.2f%s | %s | %s |' % (name, r, ' (from a cut-off run)' if partial else '', goal, 'met' if ok else '**MISSED**')
def absolute_row(name, r, goal_mbps):
    v = rate(r)
    if v is None:
        return '| %s | not measured (FAILED or not run) | >=%d Mbit/s | MISSED (no figure) |' % (name, goal_mbps)
    return '| %s | %.1f Mbit/s | >=%d Mbit/s | %s |' % (name, v, goal_mbps, 'met' if v >= goal_mbps else '**MISSED**')
w('| target | measured | goal | verdict |')  # section 5
w('|---|---|---|---|')
g = lambda path, loss, t: find(kind='goodput', path=path, loss=loss, transport=t)
w(target_row('goodput vs raw UDP, same datagram size, veth (crust-udt / iperf3 -u, 0% loss)', g('veth', 0, 'udt'), g('veth', 0, 'iperf3-udp'), '>=0.85'))
w(target_row('the same with the Linux fast path (udt-fast / iperf3 -u)', g('veth', 0, 'udt-fast'), g('veth', 0, 'iperf3-udp'), '>=0.9'))
u0, i0 = g('veth', 0, 'udt'), g('veth', 0, 'iperf3-udp')
if u0 and i0 and u0.get('cpuSecondsPerGB') and i0.get('cpuSecondsPerGB'):
    c = u0['cpuSecondsPerGB'] / i0['cpuSecondsPerGB']
    w('| CPU per GB vs iperf3 UDP, veth (both ends) | %.2f (%.1f vs %.1f CPU s/GB) | <=2.0 | %s |' % (
        c, u0['cpuSecondsPerGB'], i0['cpuSecondsPerGB'], 'met' if c <= 2 else '**MISSED**'))
f0 = g('veth', 0, 'udt-fast')
if f0 and i0 and f0.get('cpuSecondsPerGB') and i0.get('cpuSecondsPerGB'):
    c = f0['cpuSecondsPerGB'] / i0['cpuSecondsPerGB']
    w('| the same with the Linux fast path | %.2f (%.1f vs %.1f CPU s/GB) | <=2.0 | %s |' % (
        c, f0['cpuSecondsPerGB'], i0['cpuSecondsPerGB'], 'met' if c <= 2 else '**MISSED**'))
def second_half(r):
    return dict(status='ok', mbps=r['secondHalfMbps']) if r and r.get('status') == 'ok' and r.get('secondHalfMbps') else None
w(target_row('the fast path, second half of the transfer only (after JIT warm-up; udt-fast / iperf3 -u)',
             second_half(f0), i0, '>=0.9'))
if f0 and i0 and f0.get('secondHalfCpuSecondsPerGB') and i0.get('cpuSecondsPerGB'):
    c = f0['secondHalfCpuSecondsPerGB'] / i0['cpuSecondsPerGB']
    w('| CPU per GB vs iperf3 UDP, fast path, second half of the transfer only | %.2f (%.1f vs %.1f CPU s/GB) | <=2.0 | %s |' % (
        c, f0['secondHalfCpuSecondsPerGB'], i0['cpuSecondsPerGB'], 'met' if c <= 2 else '**MISSED**'))
if g('veth', 0, 'udt-fast-aot'):
    w(target_row('the fast path, JVMs started from an AOT cache (udt-fast-aot / iperf3 -u)', g('veth', 0, 'udt-fast-aot'), i0, '>=0.9'))
if g('veth', 0, 'udt-aot'):
    w(target_row('the JDK path, JVMs started from an AOT cache (udt-aot / iperf3 -u)', g('veth', 0, 'udt-aot'), i0, '>=0.85'))
w(target_row('goodput on loopback vs crust\'s TCP path (crust-udt / Java TCP, same harness)', g('loopback', 0, 'udt'), g('loopback', 0, 'tcp'), '>=1.0'))
w(target_row('the same with the Linux fast path', g('loopback', 0, 'udt-fast'), g('loopback', 0, 'tcp'), '>=1.0'))
lt = g('loopback', 0, 'tcp')
for t, name in (('udt', 'crust-udt'), ('udt-fast', 'fast path')):
    w(target_row('loopback, second half of the transfer only (%s / Java TCP, both after JIT warm-up)' % name,
                 second_half(g('loopback', 0, t)), second_half(lt), '>=1.0'))
for t, name in (('udt-aot', 'crust-udt'), ('udt-fast-aot', 'fast path')):
    if g('loopback', 0, t):
        w(target_row('loopback, JVMs started from an AOT cache (%s / Java TCP)' % name, g('loopback', 0, t), lt, '>=1.0'))
w(target_row('5% loss vs loss-free, veth (crust-udt)', g('veth', 5, 'udt'), g('veth', 0, 'udt'), '>=0.7'))
for path in ('veth', 'tun50'):
    for l in LOSSES:
        w(target_row('ahead of TCP, %s, %d%% loss (crust-udt / Java TCP)' % (path, l), g(path, l, 'udt'), g(path, l, 'tcp'), '>=1.0'))
        if g(path, l, 'udt-fast'):
            w(target_row('ahead of TCP, %s, %d%% loss (fast path / Java TCP)' % (path, l), g(path, l, 'udt-fast'), g(path, l, 'tcp'), '>=1.0'))
for l, goal in ((0, 45), (1, 40), (5, 30)):
    w(absolute_row('TUN link 50 Mbit/s, 50 ms, %d%% loss' % l, g('tun50', l, 'udt'), goal))
for path in ('loopback', 'veth'):
    a, b = find(kind='round-trip', path=path, transport='udt'), find(kind='round-trip', path=path, transport='udp')
    if a or b:
        w(target_row('64-byte round trip p50 vs raw UDP, %s' % path, a, b, '<=1.5', higher=False))
    c = find(kind='round-trip', path=path, transport='udt-fast')
    if c:
        w(target_row('the same with the Linux fast path, %s' % path, c, b, '<=1.5', higher=False))
for offset, when in [(0, 'started together'), (1000, 'the second started 1 s later')]:
    m = median_fair_ratio('udt+udt', offset)
    name = 'two crust-udt flows through one bottleneck, %s (smaller / larger, median of the runs)' % when
    if m is None:
        w('| %s | not measured | >=0.8 | MISSED (no figure) |' % name)
    else:
        w('| %s | %.2f | >=0.8 | %s |' % (name, m, 'met' if m >= 0.8 else '**MISSED**'))
w('')

def mib(b):
    return '%.0f MiB' % (b / 1048576) if b is not None else '-'


def kib(b):
    return '%.0f KiB' % (b / 1024) if b is not None else '-'


w('## 6. Scale: many encrypted connections between processes\n')
hb = (find(kind='scale') or {}).get('heartbeatSeconds', 2)
w('Through the service API (`CrustNode`, TCP, Noise XX, HELLO, heartbeats every %d s, a peer lost after %d s of '
  'silence%s). ' % (hb, 4 * hb, ': the library defaults' if hb == 2 else '; the library defaults are 2 s and 8 s') +
  'One server JVM hosts one listening node; client JVMs host one node per connection (Crust keeps one '
  'connection per pair of peers, so N connections need N identities), each dialling the server; 64 dials '
  'at a time per client JVM. Heap is measured after a full GC; threads and descriptors are those of the '
  'process (virtual threads counted in a JSON thread dump). After the idle measurement all clients but '
  'M are closed, then M peers each send K messages of 100 bytes at once (HIGH priority, blocking when the '
  'send queue is full); the rate is messages received by the server\'s application over the wall time '
  'from the first send to the last message received. ' + load_note('scale') + '\n')
sc, sm = find(kind='scale'), find(kind='scale-messages')
if sc is None:
    w('Not run.\n')
elif 'connections' not in sc:
    w('**FAILED**: %s\n' % sc.get('why', 'see the run log'))
else:
    w('| figure | value |')
    w('|---|---|')
    w('| connections asked / established / lost before measuring | %d / %d / %d |' % (sc['connections'], sc['connected'],
      sc['connected'] - sc['serverPeersAfterIdle']))
    w('| client JVMs (each client node holds 2 descriptors; the descriptor limit here decides) | %d |' % sc['clientJvms'])
    w('| time to establish them all | %.1f s (%.0f connections/s) |' % (sc['establishSeconds'], sc['connectionsPerSecond']))
    w('| one connect() call, p50 / p99 (with %d dials in flight) | %d / %d ms |' % (sc['dialConcurrency'], sc['connectP50Millis'], sc['connectP99Millis']))
    w('| starting the client nodes (identity, listener, threads) | %.1f s |' % sc['nodeStartSeconds'])
    w('| **server heap per idle connection** | **%s** (%s baseline, %s with all connected) |' % (
        kib(sc['serverHeapPerConnectionBytes']), mib(sc['serverHeapBaselineBytes']), mib(sc['serverHeapConnectedBytes'])))
    w('| server platform threads, baseline / connected | %d / %d |' % (sc['serverPlatformThreadsBaseline'], sc['serverPlatformThreads']))
    w('| server virtual threads, baseline / connected | %d / %d |' % (sc['serverVirtualThreadsBaseline'], sc['serverVirtualThreads']))
    w('| server file descriptors, baseline / connected | %d / %d |' % (sc['serverFdsBaseline'], sc['serverFds']))
    w('| client heap per node, before dialling / connected | %s / %s |' % (kib(sc['clientHeapPerNodeBeforeDialBytes']), kib(sc['clientHeapPerNodeBytes'])))
    w('| clients, all JVMs: platform threads / virtual threads / descriptors | %d / %d / %d |' % (
        sc['clientPlatformThreads'], sc['clientVirtualThreads'], sc['clientFds']))
    if sm and 'peers' in sm:
        w('| after closing %d clients: server peers / descriptors / virtual threads | %d / %d / %d |' % (
            sm['closed'], sm['serverPeersAfterClose'], sm['serverFdsAfterClose'], sm['serverVirtualThreadsAfterClose']))
        n = sm.get('openPeers', sm['peers'])
        w('| **messages per second across %d connected peers** (%d x %d messages of %d bytes) | **%.0f** (%d of %d received, %.2f s) |' % (
            n, n, sm['messagesPerPeer'], sm['messageBytes'], sm['messagesPerSecond'], sm['received'],
            sm['expected'], sm['wallSeconds']))
    elif sm:
        w('| messages per second | FAILED: %s |' % sm.get('why', ''))
    w('')
    w('Status of the connections: %s%s.' % (sc.get('status'), (': ' + sc['why']) if sc.get('why') else ''))
    if sm:
        w('Status of the messages: %s%s.' % (sm.get('status'), (': ' + sm['why']) if sm.get('why') else ''))
    w('')

w('## 7. Time to connect in the NAT lab\n')
w('crust-testkit\'s NAT lab (network namespaces, nftables NAT, miniupnpd), the demo peer (`crust-demo peer --json`, '
  'one JVM per peer) driven by lines. Time from writing the `connect` command to reading the `connected` event '
  '(both in the driving JVM, so JVM start is not included). **direct**: two public hosts, `connect ADDRESS`. '
  '**punched**: two port-restricted cone NATs, `connect PEERID` through a public bootstrap peer. **mapped**: '
  'the target sits behind the UPnP router and has mapped its ports. **relayed**: two symmetric NATs, the public '
  'peer relays. Each of these keeps one lab and one set of peers for every try (connect, drop, again), so only '
  'try 1 meets fresh NAT state. **LAN discovery**: two hosts of one site with `--lan` and no contact; each try '
  'starts a new peer (new identity) and times its `started` event to the other peer\'s `connected` event. '
  'p99 of a few tries is close to the maximum. *Routes* is what the node reported in the `connected` event, '
  'route/transport and count, as the crust-core of the run labelled it (the label has been seen to say `direct` '
  'for punched paths and for dials to a mapping). *Reconnected after drop*: tries after which the '
  'pair connected again by itself after A dropped B (a path still being opened by the other side), so the '
  'benchmark had to drop again before the next try; *stale* tries are those where that happened after the '
  'check and before the next `connect`, so the try measured nothing and is left out of the times. ' + load_note('labconnect') + '\n')
w('| scenario | tries | connected | p50 ms | p99 ms | min ms | max ms | routes reported | reconnected after drop |')
w('|---|---|---|---|---|---|---|---|---|')
LAB_SCENARIOS = [('direct', 'direct dial (public to public)'), ('punched', 'punched (two cone NATs)'),
                 ('mapped', 'mapped (UPnP router)'), ('relayed', 'relayed (two symmetric NATs)'),
                 ('lan', 'LAN discovery (beacon)')]
for sname, label in LAB_SCENARIOS:
    r = find(kind='lab-connect-summary', scenario=sname)
    if r is None:
        w('| %s | not run | | | | | | | |' % label)
    elif 'tries' not in r:
        w('| %s | FAILED | | | | | | %s | |' % (label, r.get('why', '')))
    else:
        w('| %s | %d | %d%s | %.0f | %.0f | %.0f | %.0f | %s | %s |' % (label, r['tries'], r['connected'],
          '' if r['status'] == 'ok' else ' (FAILED: %s)' % r.get('why', ''), r['p50Millis'], r['p99Millis'],
          r['minMillis'], r['maxMillis'], r['routes'].strip('{}'),
          '-' if sname == 'lan' else '%s%s' % (r.get('reconnectsAfterDrop', '-'),
                                               ' (%d stale)' % r['staleTries'] if r.get('staleTries') else '')))
w('')
plot = svg_time_to_connect(LAB_SCENARIOS, 'time-to-connect.svg')
if plot:
    w('![Time to connect per scenario](%s)\n' % plot)
matrix = matrix_section(rows)
if matrix:
    w('### The NAT matrix: every pair of NAT kinds, connecting by peer id\n')
    w('`io.crust.bench.LabMatrix` (run.sh section `labmatrix`): one lab, two public peers (the first relays) as '
      'bootstrap contacts, rendezvous and STUN servers, and two demo peers per NAT kind (an A side and a B side, '
      'so a pair of one kind is two sites of that kind); only the UPnP peers map ports (the others run '
      '`--no-upnp`), and the matrix starts once both have their TCP port mapped. A try: A runs `connect B-ID`; '
      'the time runs from writing the command to reading A\'s `connected` event for B; a relayed first '
      'connection is then watched for its `upgraded` event; then the pair is dropped from both ends until '
      'neither lists the other. Only the first try of a pair meets fresh NAT state. ' + load_note('labmatrix') + '\n')
    out.extend(matrix)

analysis = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'analysis.md')
if os.path.exists(analysis):
    w(open(analysis).read())
w('## Commands behind every figure\n')
w('`CP` is the class path run.sh builds (crust-bench, crust-udt, crust-core, crust-nat classes and their '
  'dependencies); `PORT` a random free port; namespaces and addresses are those created by run.sh.\n')
w('```')
seen = set()
for r in rows:
    c = r.get('command')
    if c and c not in seen:
        seen.add(c)
        w(c)
w('```')
open(out_path, 'w').write('\n'.join(out) + '\n')
print('wrote', out_path, 'with', len(rows), 'results,', len(failed), 'failed')
