#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the fuzz tests (the valid shapes each parser accepts).

Jazzer replays every file under src/test/resources/<package>/<Class>Inputs/<method>/ in a normal
test run, and starts mutating from them with JAZZER_FUZZ=1. Rerun after changing a seed:
    python3 crust-bench/fuzz/seeds.py
"""
import os, struct, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

def h(s):
    return bytes.fromhex("".join(line.split("#")[0] for line in s.strip().splitlines()))

def put(module, pkg, cls, method, name, data):
    d = os.path.join(ROOT, module, "src/test/resources", *pkg.split("."), cls + "Inputs", method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

# ---- crust-nat: STUN (RFC 5769 samples) ----
STUN_REQUEST = h("""
00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
00 24 00 04 6e 00 01 ff
80 29 00 08 93 2f f9 b1 51 26 3b 36
00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
80 28 00 04 e5 7a 3b cf
""")
STUN_V4 = h("""
01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
00 20 00 08 00 01 a1 47 e1 12 a6 43
00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
80 28 00 04 c0 7d 4c 96
""")
STUN_V6 = h("""
01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
80 28 00 04 c8 fb 0b 4c
""")
PLAIN_BINDING = h("00 01 00 00 21 12 a4 42 00 01 02 03 04 05 06 07 08 09 0a 0b")
CHANGE_REQUEST = h("00 01 00 08 21 12 a4 42 00 01 02 03 04 05 06 07 08 09 0a 0b 00 03 00 04 00 00 00 06")
for m in ("anyDatagramDecodesOrIsRefusedWithStunFormatException", "bindingResponderAnswersOnlyWithOneBoundedReply"):
    for name, data in (("rfc5769-request", STUN_REQUEST), ("rfc5769-ipv4-response", STUN_V4),
                       ("rfc5769-ipv6-response", STUN_V6), ("binding-request", PLAIN_BINDING),
                       ("change-request", CHANGE_REQUEST)):
        put("crust-nat", "io.crust.nat.fuzz", "StunFuzzTest", m, name, data)

# ---- crust-nat: NAT-PMP (RFC 6886 section 3) and PCP (RFC 6887 section 11) ----
PMP = {
    "external-address": h("00 80 00 00 00 00 03 e8 cb 00 71 02"),
    "map-udp": h("00 81 00 00 00 01 00 00 0f a0 13 89 00 00 0e 10"),
    "map-tcp-refused": h("00 82 00 02 00 00 00 09"),
    "unsupported-version": h("00 80 00 01 00 00 00 09"),
}
for name, data in PMP.items():
    put("crust-nat", "io.crust.nat.fuzz", "GatewayReplyFuzzTest", "natPmpRepliesDecodeOrAreRefused", name, data)
nonce = bytes(range(1, 13))
v4 = bytes(10) + b"\xff\xff" + bytes([203, 0, 113, 2])
pcp_map = (bytes([2, 0x81, 0, 0]) + struct.pack(">II", 7200, 1000) + bytes(12)
           + nonce + bytes([17, 0, 0, 0]) + struct.pack(">HH", 4000, 5001) + v4)
pcp_opt = pcp_map + bytes([0x12, 0, 0, 0x10]) + bytes(16)  # one option with 16 bytes (THIRD_PARTY-like)
for name, data in (("map-success", pcp_map), ("map-with-option", pcp_opt),
                   ("refused-short", bytes([2, 0x81, 0, 2]) + struct.pack(">II", 0, 5) + bytes(12)),
                   ("nat-pmp-unsupported-version", h("00 80 00 01 00 00 00 09"))):
    put("crust-nat", "io.crust.nat.fuzz", "GatewayReplyFuzzTest", "pcpRepliesDecodeOrAreRefused", name, data)
print("seeds written")
