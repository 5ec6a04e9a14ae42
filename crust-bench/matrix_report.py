#!/usr/bin/env python3
"""The NAT matrix tables (rows of io.crust.bench.LabMatrix) in Markdown; report.py puts them in section 7.

    python3 crust-bench/matrix_report.py RESULTS.jsonl     # prints the tables alone, to paste or read

Each pair is A connecting to B by peer id. Times are the first authenticated connection; the goal
(issue 10) is p50 <= 1 s and p99 <= 3 s for every pair.
"""
import json, sys

KINDS = [('NONE', 'public'), ('FULL_CONE', 'full cone'), ('ADDRESS_RESTRICTED_CONE', 'addr-restricted'),
         ('PORT_RESTRICTED_CONE', 'port-restricted'), ('SYMMETRIC', 'symmetric'), ('UPNP', 'UPnP'),
         ('DOUBLE_NAT', 'double NAT')]
LABEL = dict(KINDS)


def routes(text):
    """'{punched/tcp=7, relayed/tcp=3}' -> 'punched/tcp 7, relayed/tcp 3'."""
    text = text.strip('{}')
    return ', '.join(p.replace('=', ' ') for p in text.split(', ')) if text else '-'


def matrix_section(rows):
    """The Markdown lines of the matrix, or [] when the rows hold none."""
    pairs = [r for r in rows if r.get('kind') == 'lab-matrix-pair']
    summary = next((r for r in reversed(rows) if r.get('kind') == 'lab-matrix-summary'), None)
    if not pairs:
        return ['**FAILED**: %s\n' % summary.get('why', 'no figures')] if summary else []
    by = {(r['a'], r['b']): r for r in pairs}
    kinds = [k for k in KINDS if any(k[0] in (r['a'], r['b']) for r in pairs)]
    out = []
    w = out.append
    tries = pairs[0]['tries']
    met = sum(1 for r in pairs if r.get('meetsGoal') == 'yes')
    w('**Time to the first authenticated connection, p50 / p99 ms** (row: A, the side that runs `connect B-ID`; '
      'column: B; %d tries per pair; **bold**: misses p50 <= 1000 or p99 <= 3000). %d of %d pairs meet the goal.\n'
      % (tries, met, len(pairs)))
    w('| A \\ B | ' + ' | '.join(label for _, label in kinds) + ' |')
    w('|---' * (len(kinds) + 1) + '|')
    for ka, la in kinds:
        cells = []
        for kb, _ in kinds:
            r = by.get((ka, kb))
            if r is None:
                cells.append('not run')
                continue
            c = '%.0f / %.0f' % (r['p50Millis'], r['p99Millis'])
            if r['status'] != 'ok':
                c += ' FAILED'
            cells.append(c if r.get('meetsGoal') == 'yes' else '**%s**' % c)
        w('| %s | %s |' % (la, ' | '.join(cells)))
    w('')
    w('**Routes per pair**: the first connection\'s route/transport as the demo peer reports it (`direct` also '
      'covers a connection the other side dialled), where the try ended (after an `upgraded` event), and how '
      'long the relayed ones took to move (from `connect`, p50).\n')
    w('| A | B | connected | p50 / p99 / max ms | first connection | ended on | relayed, then moved (p50 ms) | goal |')
    w('|---|---|---|---|---|---|---|---|')
    for ka, la in kinds:
        for kb, lb in kinds:
            r = by.get((ka, kb))
            if r is None:
                continue
            connected = '%d of %d%s' % (r['connected'], r['tries'], ' (%d stale)' % r['stale'] if r.get('stale') else '')
            if r['status'] != 'ok':
                connected += ' (FAILED: %s)' % r.get('why', '')
            moved = '%d (%.0f)' % (r['upgraded'], r['upgradeP50Millis']) if r['upgraded'] else '0'
            w('| %s | %s | %s | %.0f / %.0f / %.0f | %s | %s | %s | %s |' % (
                la, lb, connected, r['p50Millis'], r['p99Millis'], r['maxMillis'], routes(r['firstRoutes']),
                routes(r['finalRoutes']), moved, 'met' if r.get('meetsGoal') == 'yes' else '**missed**'))
    w('')
    if summary and 'timed' in summary:
        w('All pairs: %d timed first connections, p50 %.0f ms, p99 %.0f ms, max %.0f ms; %d tries failed; '
          'a relayed first connection was watched for %d s for its move.%s\n' % (
              summary['timed'], summary['p50Millis'], summary['p99Millis'], summary['maxMillis'], summary['failed'],
              summary['upgradeWaitSeconds'], ' Run status: %s %s.' % (summary['status'], summary.get('why', ''))
              if summary['status'] != 'ok' else ''))
    return out


if __name__ == '__main__':
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    print('\n'.join(matrix_section(rows)))
