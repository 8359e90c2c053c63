#!/usr/bin/env python3
"""Writes the seed corpora of the cloud_responses and emulator_requests fuzz
targets from the request and response examples of the CPH reference
(docs/fuzzing.md). Run once when the reference changes; the seeds are
committed, so a build never needs the reference.

  fuzz/make_seeds.py [PATH/TO/cph-api.md]   (default: tests/data/shared/cph-api.md)
"""
import hashlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "tests", "data", "shared", "cph-api.md")

# cloud_responses_fuzz.cc: the selector of each API, by the section whose
# response example it reads.
SELECTORS = {
    "3.1": [0, 1], "3.2": [2], "3.3": [8], "3.4": [3], "3.5": [13], "3.6": [14], "3.7": [17],
    "3.8": [19], "3.9": [18], "3.10": [20], "3.11": [21], "3.12": [15], "3.13": [4], "4.1": [10, 11],
    "4.2": [12], "5.3": [9], "6.1": [22], "6.2": [23, 24], "6.3": [16], "7.8": [25], "7.9": [28, 29],
}
# Answers the reference has no example for (BSS, KPS: docs/emulator.md), and errors.
EXTRA = [
    (5, 0, '{"order_info":{"order_id":"CS2011011234ABCDE","status":5,"order_type":1,'
           '"create_time":"2026-01-01T00:00:00Z","payment_time":"2026-01-01T00:00:10Z"}}'),
    (6, 0, '{"order_id":"CS2011011234ABCDE"}'),
    (7, 0, '{"order_ids":["CS2011011234ABCDF"]}'),
    (26, 6, ""), (27, 6, ""),
    (30, 0, '{"keypair":{"name":"kp","public_key":"ssh-rsa AAAA kp","fingerprint":"aa:bb","private_key":"-----BEGIN"}}'),
    (31, 0, '{"keypairs":[{"keypair":{"name":"kp","public_key":"ssh-rsa AAAA kp","fingerprint":"aa:bb"}}]}'),
    (32, 6, ""),
    (3, 7, '{"request_id":"r","error_code":"CPS.0002","error_msg":"Invalid parameter."}'),
    (0, 12, '{"error_code":"APIGW.0308","error_msg":"throttled"}'),
]


def sections(text):
    """(number, body) of every '### N.M' section."""
    parts = re.split(r"^### (\d+\.\d+) .*$", text, flags=re.M)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def blocks_after(body, caption):
    return re.findall(caption + r"[^\n]*\n```\n(.*?)```", body, flags=re.S)


def write(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    text = open(REF, encoding="utf-8").read()
    for number, body in sections(text):
        for sel in SELECTORS.get(number, []):
            for example in blocks_after(body, r"Response example \(200")[:1]:
                write("cloud_responses", bytes([sel, 0]) + example.strip().encode())
        if not number.split(".")[0] in "34567":
            continue
        for example in blocks_after(body, r"Request example"):
            m = re.match(r"(GET|POST|PUT|DELETE) https://\{CPH[ _]Endpoint\}(\S+)\s*\n?(.*)", example, flags=re.S)
            if m:
                write("emulator_requests", f"{m[1]} {m[2]}\n\n{m[3].strip()}".encode())
    for sel, status, body in EXTRA:
        write("cloud_responses", bytes([sel, status]) + body.encode())


main()
