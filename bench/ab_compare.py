#!/usr/bin/env python3
"""Runs benchmark binaries in turn, N rounds, and prints each benchmark's minimum CPU
time per binary, and each grant's ratio to the password grant (issue 14's target). On a
shared machine one run measures its neighbours as much as the code: alternating the
binaries spreads that over all of them, and the minimum of many short runs is the time
least disturbed.

  python3 bench/ab_compare.py [--rounds N] [--filter REGEX] [--min-time S] BINARY...

  nice -n -19 python3 bench/ab_compare.py --rounds 15 build/base/bench/oauthcore_bench \\
      build/bench/bench/oauthcore_bench
"""
import argparse
import json
import subprocess
import sys

GRANTS = ("client_credentials", "authorization_code", "authorization_code_confidential", "device_code")
PASSWORD = "end_to_end/oauthcore/success"


def run(binary, pattern, min_time):
    out = subprocess.run(
        [binary, f"--benchmark_filter={pattern}", f"--benchmark_min_time={min_time}", "--benchmark_format=json"],
        check=True, capture_output=True, text=True).stdout
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    return {b["name"]: b["cpu_time"] * scale[b.get("time_unit", "ns")] for b in json.loads(out)["benchmarks"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--filter", default="end_to_end/oauthcore/(success|client_credentials|authorization_code|device_code)")
    parser.add_argument("--min-time", default="0.1")
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()

    best = [{} for _ in args.binaries]
    for _ in range(args.rounds):
        for i, binary in enumerate(args.binaries):
            for name, ns in run(binary, args.filter, args.min_time).items():
                best[i][name] = min(ns, best[i].get(name, ns))

    names = sorted({name for b in best for name in b})
    width = max(len(n) for n in names)
    print(f"minimum CPU time (ns) of {args.rounds} alternating runs")
    print(" " * width + "".join(f"  {'binary ' + str(i + 1):>10}" for i in range(len(best))))
    for name in names:
        print(name.ljust(width) + "".join(f"  {b.get(name, float('nan')):10.1f}" for b in best))
    print()
    for grant in GRANTS:
        name = f"end_to_end/oauthcore/{grant}"
        if all(name in b and PASSWORD in b for b in best):
            print(f"{grant} / password".ljust(width) + "".join(f"  {b[name] / b[PASSWORD]:10.3f}" for b in best))
    return 0


if __name__ == "__main__":
    sys.exit(main())
