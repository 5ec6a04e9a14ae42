#!/usr/bin/env python3
"""Crust lab link emulator: two TUN interfaces joined by an impaired, delayed path.

Started by io.crust.testkit.lab.TunLink inside namespace A (`ip netns exec A python3 tunlink.py ...`).
It opens two TUN interfaces there (TUNSETIFF, IFF_TUN | IFF_NO_PI), moves the second one into
namespace B (the open file descriptor stays attached), prints READY, and then forwards every IP
packet read from one interface to the other after the configured delay, jitter, loss, duplication,
reordering and rate limit. The kernel's netem qdisc is not available on the lab machines; this
does the same in user space for TCP and UDP alike.

Each direction is shaped on its own with the same settings:
  rate:      a packet leaves when the link has finished sending the packets before it
             (serialisation time = bits / rate); packets that would wait longer than the queue
             limit are dropped (tail drop)
  delay:     then a fixed one-way delay plus uniform random jitter in [0, jitter]
  order:     packets keep their order (jitter does not reorder) except those picked for
             reordering, which are held back a further reorder-hold and overtaken
  loss, duplication: decided per packet with a seeded random generator (--seed)

It stops when its stdin closes (the owning JVM exited or closed the link). Writing "STATS" to
stdin prints one line of counters.
"""
import argparse
import fcntl
import heapq
import os
import random
import select
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


class Direction:
    """Packets travelling one way, waiting in a heap ordered by delivery time."""

    def __init__(self, name, out_fd, args, rng):
        self.name = name
        self.out_fd = out_fd
        self.args = args
        self.rng = rng
        self.heap = []
        self.sequence = 0
        self.link_free_at = 0.0
        self.last_in_order_at = 0.0
        self.counts = dict(offered=0, dropped=0, queue_dropped=0, duplicated=0, reordered=0, delivered=0)

    def offer(self, packet, now):
        a = self.args
        self.counts["offered"] += 1
        # Draw every decision for every packet so one setting does not shift the others' sequence.
        lost = self.rng.random() < a.loss
        twice = self.rng.random() < a.duplication
        if lost:
            self.counts["dropped"] += 1
            return
        copies = 1
        if twice:
            self.counts["duplicated"] += 1
            copies = 2
        for _ in range(copies):
            at = now
            if a.rate_bps > 0:
                start = max(now, self.link_free_at)
                if start - now > a.queue_limit_ms / 1000.0:
                    self.counts["queue_dropped"] += 1
                    continue
                self.link_free_at = start + len(packet) * 8.0 / a.rate_bps
                at = self.link_free_at
            at += a.delay_ms / 1000.0 + (self.rng.uniform(0, a.jitter_ms / 1000.0) if a.jitter_ms > 0 else 0.0)
            if self.rng.random() < a.reorder:
                self.counts["reordered"] += 1
                at += a.reorder_hold_ms / 1000.0
            else:
                at = max(at, self.last_in_order_at)
                self.last_in_order_at = at
            self.sequence += 1
            heapq.heappush(self.heap, (at, self.sequence, packet))

    def deliver_due(self, now):
        while self.heap and self.heap[0][0] <= now:
            _, _, packet = heapq.heappop(self.heap)
            try:
                os.write(self.out_fd, packet)
                self.counts["delivered"] += 1
            except OSError:
                pass  # interface not up yet, or going away

    def next_due(self):
        return self.heap[0][0] if self.heap else None

    def describe(self):
        return self.name + " " + " ".join(f"{k}={v}" for k, v in self.counts.items())


def read_all(fd, direction, now):
    while True:
        try:
            packet = os.read(fd, 65535)
        except BlockingIOError:
            return
        except OSError:
            return
        if not packet:
            return
        direction.offer(packet, now)


def main():
    p = argparse.ArgumentParser(description="TUN link emulator for the Crust NAT lab")
    p.add_argument("--name-a", required=True)
    p.add_argument("--name-b", required=True)
    p.add_argument("--netns-b", required=True)
    p.add_argument("--delay-ms", dest="delay_ms", type=float, default=0.0)
    p.add_argument("--jitter-ms", dest="jitter_ms", type=float, default=0.0)
    p.add_argument("--loss", type=float, default=0.0)
    p.add_argument("--duplication", type=float, default=0.0)
    p.add_argument("--reorder", type=float, default=0.0)
    p.add_argument("--reorder-hold-ms", dest="reorder_hold_ms", type=float, default=10.0)
    p.add_argument("--rate-bps", dest="rate_bps", type=float, default=0.0)
    p.add_argument("--queue-limit-ms", dest="queue_limit_ms", type=float, default=100.0)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    fd_a = open_tun(args.name_a)
    fd_b = open_tun(args.name_b)
    subprocess.run(["ip", "link", "set", args.name_b, "netns", args.netns_b], check=True)
    rng = random.Random(args.seed)
    a_to_b = Direction("a2b", fd_b, args, rng)
    b_to_a = Direction("b2a", fd_a, args, rng)
    print("READY", args.name_a, args.name_b, flush=True)

    stdin = sys.stdin.fileno()
    while True:
        now = time.monotonic()
        dues = [d for d in (a_to_b.next_due(), b_to_a.next_due()) if d is not None]
        timeout = max(0.0, min(dues) - now) if dues else 1.0
        readable, _, _ = select.select([fd_a, fd_b, stdin], [], [], timeout)
        now = time.monotonic()
        if fd_a in readable:
            read_all(fd_a, a_to_b, now)
        if fd_b in readable:
            read_all(fd_b, b_to_a, now)
        if stdin in readable:
            data = os.read(stdin, 4096)
            if not data:
                break
            if b"STATS" in data:
                print("STATS", a_to_b.describe(), b_to_a.describe(), flush=True)
        a_to_b.deliver_due(now)
        b_to_a.deliver_due(now)
    print("STATS", a_to_b.describe(), b_to_a.describe(), flush=True)


if __name__ == "__main__":
    main()
