#!/usr/bin/env python3
"""The load benchmark of issue 18, driven by scripts/load.sh (which builds and installs
what it needs). Everything on 127.0.0.1, every process stopped at the end, every wait
bounded. Writes load-results.json at the repository root and prints a table.

usage: run_load.py TOKEN_SERVER HTTP_FLOOR_SERVER NODE_PEER_DIR [--duration 10]

Runs, each with wrk (keep-alive) at 50 and 200 connections:
  client_credentials  token_server pinned to core 0 (--workers 1), wrk pinned to core 1,
                      a client with a generated secret (SHA-256), tokens into SQLite
                      (WAL, synchronous=NORMAL, the server's default)
  floor               the same transport answering a fixed token-shaped body
                      (bench/http_floor_server.cpp), pinned to core 0
  node                @node-oauth/oauth2-server 5 on express, in-memory model, the same
                      grant and the same secret check, pinned to core 0
                      (these three alternate in SLICES slices, one run's time in all,
                      after a slice each to warm up:
                      the machine's speed drifts, and the ratios compare like with like)
  refresh_token       the same token_server; each request spends one refresh token of a
                      set seeded into the database beforehand (rotation: a token works once)
  password            token_server on both cores (--workers 2): one argon2id check per
                      request (the user's password; the client's secret is generated),
                      against 2 / (the time of one argon2id check while both cores
                      verify, from their rate over half a run's time just before and just
                      after each run; the time of one alone is printed too)
After each token_server run: every access token a 200 carried is distinct and stored
(by its digest). Around the password runs: the server's resident memory; during them,
that memory besides argon2id's working memory, sampled every 50 ms, whose least value
in a run's last third must be within 256 KiB of that in its middle third (no growth).
"""

import argparse
import ctypes
import ctypes.util
import hashlib
import json
import os
import platform
import re
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONNECTIONS = (50, 200)
SLICES = 3


def free_port():
    import socket
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for_port(port, process, seconds=60):
    import socket
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("a server exited at start (status %s)" % process.returncode)
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit("a server did not start listening on %d" % port)


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def resident_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


# libsodium maps each argon2id check's working memory (the server's memlimit, 19 MiB,
# examples/token_server/password_hash.hpp) for the check alone, populated, and unmaps it
# after: resident memory swings by that much per check in flight.
ARGON2ID_MAPPING_KIB = 19 * 1024


def resident_kib_besides_argon2id(pid):
    """The resident memory of the mappings whose size is not a multiple of one argon2id
    check's (two adjacent ones may be merged into one mapping): the heap, the stacks, the
    code, what a leak would grow."""
    total = 0
    size = 0
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            if line.startswith("Size:"):
                size = int(line.split()[1])
            elif line.startswith("Rss:") and size % ARGON2ID_MAPPING_KIB != 0:
                total += int(line.split()[1])
    return total


class ResidentSampler:
    """Samples resident_kib_besides_argon2id of a process every `interval` seconds while
    a run lasts, for what a leak would show: the memory the run ends with above what it
    held in its middle."""

    def __init__(self, pid, interval=0.05):
        self.pid = pid
        self.interval = interval
        self.samples = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self):
        while not self.done.wait(self.interval):
            try:
                self.samples.append(resident_kib_besides_argon2id(self.pid))
            except (OSError, ValueError):
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.done.set()
        self.thread.join(timeout=10)

    def growth(self):
        """(the least of the middle third's samples, of the last third's): each the memory
        between checks and requests, the transient mappings (a merge with an argon2id
        mapping, a request's buffers) being absent from some sample of a third."""
        third = len(self.samples) // 3
        if third == 0:
            return None
        return min(self.samples[third:2 * third]), min(self.samples[2 * third:])


def wrk(port, connections, duration, workdir, name, body, auth="", refresh_file="", core="1"):
    result = os.path.join(workdir, "%s-%d.json" % (name, connections))
    env = dict(os.environ, LOAD_BODY=body, LOAD_AUTH=auth, LOAD_REFRESH=refresh_file, LOAD_THREADS="1",
               LOAD_RESULT=result)
    command = ["taskset", "-c", core, "wrk", "-t1", "-c%d" % connections, "-d%ds" % duration, "--timeout", "30s",
               "-s", os.path.join(HERE, "token_requests.lua"), "http://%s:%d/oauth/token" % (HOST, port)]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=duration + 120)
    with open(result) as f:
        summary = json.load(f)
    with open(result + ".tokens") as f:
        tokens = f.read().split()
    seconds = summary["duration_us"] / 1e6
    ok = summary["statuses"].get("200", 0)
    run = {"name": name, "connections": connections, "requests": summary["requests"],
           "requests_per_second": round(summary["requests"] / seconds, 1),
           "ok_per_second": round(ok / seconds, 1), "p50_ms": summary["p50_us"] / 1000,
           "p99_ms": summary["p99_us"] / 1000, "statuses": summary["statuses"],
           "socket_errors": summary["socket_errors"], "seconds": seconds}
    print("  %-20s %4d conns: %9.1f req/s, p50 %8.2f ms, p99 %8.2f ms, statuses %s" % (
        name, connections, run["requests_per_second"], run["p50_ms"], run["p99_ms"], summary["statuses"]),
        flush=True)
    return run, tokens


def stored_digest(token):
    """What the server keeps of an access or refresh token (examples/token_server/
    random_token.hpp, ordered_digest_of): its first 8 bytes, then 24 of its SHA-256."""
    return bytes.fromhex(token[:16]) + hashlib.sha256(token.encode()).digest()[:24]


def ordered_token(micros):
    """A token as the server makes them (make_ordered_token): the time, then 24 random bytes."""
    return "%016x" % micros + secrets.token_hex(24)


def check_stored(db, tokens, run):
    """Every token a 200 carried is distinct and its digest is in the tokens table."""
    digests = {stored_digest(t) for t in tokens}
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=60) as connection:
        stored = {bytes(r[0]) for r in connection.execute("SELECT access_digest FROM tokens")}
    run["tokens_received"] = len(tokens)
    run["tokens_distinct"] = len(digests)
    run["tokens_stored"] = len(digests & stored)
    run["none_lost_or_duplicated"] = len(tokens) == len(digests) == len(digests & stored)
    if not run["none_lost_or_duplicated"]:
        print("  !! %d tokens received, %d distinct, %d stored" % (len(tokens), len(digests), len(digests & stored)))


def merged(slices):
    """One run from the slices of it that alternated with the other servers' (see main):
    counts summed, rates over the summed time, p50 the slices' median, p99 their worst."""
    first = slices[0]
    seconds = sum(r["seconds"] for r in slices)
    statuses = {}
    for r in slices:
        for status, count in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    run = {"name": first["name"], "connections": first["connections"], "slices": len(slices),
           "requests": sum(r["requests"] for r in slices),
           "requests_per_second": round(sum(r["requests"] for r in slices) / seconds, 1),
           "ok_per_second": round(statuses.get("200", 0) / seconds, 1),
           "p50_ms": statistics.median(r["p50_ms"] for r in slices), "p99_ms": max(r["p99_ms"] for r in slices),
           "statuses": statuses,
           "socket_errors": {k: sum(r["socket_errors"][k] for r in slices) for k in first["socket_errors"]},
           "seconds": seconds}
    if "none_lost_or_duplicated" in first:
        for key in ("tokens_received", "tokens_distinct", "tokens_stored"):
            run[key] = sum(r[key] for r in slices)
        run["none_lost_or_duplicated"] = all(r["none_lost_or_duplicated"] for r in slices)
    return run


def seed_refresh_tokens(db, client_id, count):
    """Refresh tokens as the server makes and stores them (ordered digests), for john_doe
    and the client, issued now, made from consecutive microseconds from a second ago."""
    now = int(time.time())
    micros = time.time_ns() // 1000 - 1000000
    pairs = [(ordered_token(micros + i), ordered_token(micros + i)) for i in range(count)]
    tokens = [refresh for _, refresh in pairs]
    with sqlite3.connect(db, timeout=60) as connection:
        user = connection.execute("SELECT id FROM users WHERE username = 'john_doe'").fetchone()[0]
        connection.executemany(
            "INSERT INTO tokens (access_digest, refresh_digest, client_id, user_id, scope, issued_at, "
            "access_expires_at, refresh_expires_at) VALUES (?, ?, ?, ?, '', ?, ?, ?)",
            ((stored_digest(access), stored_digest(refresh), client_id, user, now, now + 604800, now + 2592000)
             for access, refresh in pairs))
    return tokens


def argon2id_seconds(db, at_once=1, seconds=0.0):
    """The time of one argon2id verification of john_doe's stored hash, with `at_once`
    threads verifying together (ctypes lets go of the GIL in the call): the median of 9
    checks per thread, or, given `seconds`, at_once x the elapsed time / the checks all
    threads completed in that long (a rate over a window as long as a load run, which
    this machine's drifting speed disturbs less than 9 samples). The password runs keep
    both cores verifying, and two checks at once are each slower than one alone (shared
    caches and memory bus; one alone may also run at a higher clock): their bound is 2 /
    the time with at_once=2."""
    sodium = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
    if sodium.sodium_init() < 0:
        sys.exit("libsodium cannot start")
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as connection:
        stored = connection.execute("SELECT password_hash FROM users WHERE username = 'john_doe'").fetchone()[0]
    password = b"john_doe_secret"
    times = []
    failed = []
    began_all = time.perf_counter()

    def verify():
        while len(times) < 9 * at_once if seconds == 0 else time.perf_counter() - began_all < seconds:
            began = time.perf_counter()
            ok = sodium.crypto_pwhash_str_verify(stored.encode(), password, ctypes.c_ulonglong(len(password)))
            times.append(time.perf_counter() - began)
            if ok != 0:
                failed.append(ok)
                return

    threads = [threading.Thread(target=verify) for _ in range(at_once)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        sys.exit("the stored argon2id hash does not verify")
    if seconds == 0:
        return statistics.median(times)
    return at_once * (time.perf_counter() - began_all) / len(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("token_server")
    parser.add_argument("floor_server")
    parser.add_argument("node_peer")
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    duration = args.duration
    runs = []
    with tempfile.TemporaryDirectory(prefix="oauthcore_load_") as workdir:
        db = os.path.join(workdir, "tokens.db")
        server_binary = os.path.abspath(args.token_server)
        admin = lambda *a, stdin=b"": subprocess.run([server_binary, *a], input=stdin, capture_output=True,
                                                     check=True, timeout=120).stdout.decode().strip()
        admin("add-user", "--db", db, "--username", "john_doe", stdin=b"john_doe_secret\n")
        secret = admin("add-client", "--db", db, "load", "--grants", "client_credentials refresh_token password")
        auth = "Basic " + __import__("base64").b64encode(("load:" + secret).encode()).decode()

        # client_credentials on token_server against the two references, each on core 0
        # with wrk on core 1. The three servers run side by side (an idle one takes no
        # CPU) and their runs alternate in slices (SLICES per connection count, as long
        # in all as one run): this machine's speed drifts by a third within minutes (its
        # cores are shared with other virtual machines), and a ratio of runs made minutes
        # apart measured the drift as much as the servers.
        log = open(os.path.join(workdir, "server.log"), "wb")
        started = []  # every process started here, stopped whatever fails

        def start(command, **options):
            started.append(subprocess.Popen(command, **options))
            return started[-1]

        try:
            port = free_port()
            server = start(["taskset", "-c", "0", server_binary, "--host", HOST, "--port", str(port), "--db", db,
                            "--workers", "1", "--max-queued", "1024"], stdout=subprocess.DEVNULL, stderr=log)
            floor_port = free_port()
            floor = start(["taskset", "-c", "0", os.path.abspath(args.floor_server), str(floor_port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            node_port = free_port()
            node = start(["taskset", "-c", "0", "node", "server.js", str(node_port), "load", secret],
                         cwd=args.node_peer, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for_port(port, server)
            wait_for_port(floor_port, floor)
            wait_for_port(node_port, node)
            print("client_credentials on core 0 (token_server: one worker, SQLite WAL synchronous=NORMAL), "
                  "alternating with the Beast floor (fixed body) and @node-oauth/oauth2-server on express, "
                  "in %d slices each:" % SLICES, flush=True)
            slice_seconds = max(1, round(duration / SLICES))
            # One slice each first, not counted: node's JIT (and every server's caches)
            # warm up outside the slices, which are short.
            for warm_port in (port, floor_port, node_port):
                wrk(warm_port, CONNECTIONS[0], slice_seconds, workdir, "warm_up", "grant_type=client_credentials",
                    auth)
            for connections in CONNECTIONS:
                slices = {"client_credentials": [], "floor": [], "node_oauth2_server": []}
                for _ in range(SLICES):
                    run, tokens = wrk(port, connections, slice_seconds, workdir, "client_credentials",
                                      "grant_type=client_credentials", auth)
                    check_stored(db, tokens, run)
                    slices["client_credentials"].append(run)
                    slices["floor"].append(wrk(floor_port, connections, slice_seconds, workdir, "floor",
                                               "grant_type=client_credentials", auth)[0])
                    slices["node_oauth2_server"].append(wrk(node_port, connections, slice_seconds, workdir,
                                                            "node_oauth2_server", "grant_type=client_credentials",
                                                            auth)[0])
                runs.extend(merged(s) for s in slices.values())
            stop(floor)
            stop(node)

            print("token_server refresh_token (core 0, one worker):", flush=True)
            # Enough refresh tokens for every request of a run. A refresh request costs the
            # server more than a client_credentials one, whose rate just measured is so a
            # bound on it; half as much again is room for the machine's speed drifting, and
            # 20,000 a second the least. A run that spent them all would answer the rest 400
            # with tokens already spent (a 2-core Xeon spent a fixed 200,000 in half a run);
            # the checks below say so if one does.
            fastest = max(r["requests_per_second"] for r in runs if r["name"] == "client_credentials")
            refresh_count = int(max(20000, 1.5 * fastest) * duration)
            for connections in CONNECTIONS:
                # Seeded now: the client_credentials runs above start from an empty tokens
                # table, as a new server does.
                refresh = seed_refresh_tokens(db, "load", refresh_count)
                refresh_file = os.path.join(workdir, "refresh-%d.txt" % connections)
                with open(refresh_file, "w") as f:
                    f.write("\n".join(refresh) + "\n")
                run, tokens = wrk(port, connections, duration, workdir, "refresh_token",
                                  "grant_type=refresh_token&refresh_token=REFRESH", auth, refresh_file)
                check_stored(db, tokens, run)
                runs.append(run)
        finally:
            for process in reversed(started):
                stop(process)

        # The password grant on both cores, each run against the argon2id bound measured
        # just before and just after it (the mean of the two): the machine's speed drifts
        # (a virtual machine's cores are shared with others), by a third within minutes.
        # The runs keep their whole duration: at 200 connections a request waits seconds
        # in the queue, and a short slice would report only the ones that waited less.
        # SQLite's page cache (2,000 KiB by default) fills as the tokens table grows, over
        # the first ~75 s of password requests at ~165 a second (a 150 s run: +2.5 MiB, then
        # flat): within a 10 s run that reads as growth. The password server opens the
        # database with a cache of 16 pages (stored in its header), full within a second,
        # so that what the runs' thirds compare is what a leak would add. The password
        # requests' rate is argon2id's, which the cache does not change.
        with sqlite3.connect(db, timeout=60) as connection:
            connection.execute("PRAGMA default_cache_size = 16")
        argon2_alone = argon2id_seconds(db)
        bound_seconds = max(1, round(duration / 2))
        bounds = [argon2id_seconds(db, at_once=2, seconds=bound_seconds)]
        port = free_port()
        server = subprocess.Popen([server_binary, "--host", HOST, "--port", str(port), "--db", db, "--workers", "2",
                                   "--max-queued", "1024", "--max-failures", "0"], stdout=subprocess.DEVNULL,
                                  stderr=log)
        try:
            wait_for_port(port, server)
            print("token_server (both cores, two workers): the password grant", flush=True)
            body = "grant_type=password&username=john_doe&password=john_doe_secret"
            memory = [resident_kib(server.pid)]
            for connections in CONNECTIONS:
                with ResidentSampler(server.pid) as sampler:
                    run, tokens = wrk(port, connections, duration, workdir, "password", body, auth, core="0-1")
                check_stored(db, tokens, run)
                memory.append(resident_kib(server.pid))
                middle, last = sampler.growth() or (0, 0)
                run["resident_kib_besides_argon2id"] = {"samples": len(sampler.samples), "middle_third": middle,
                                                        "last_third": last}
                print("  %-20s %4d conns: resident memory besides argon2id's %d KiB in the run's middle third, "
                      "%d KiB in its last (least of %d samples each)" % (
                          "password memory", connections, middle, last, len(sampler.samples) // 3), flush=True)
                bounds.append(argon2id_seconds(db, at_once=2, seconds=bound_seconds))
                argon2 = (bounds[-2] + bounds[-1]) / 2
                run["argon2id_ms"] = round(argon2 * 1000, 2)
                run["argon2id_alone_ms"] = round(argon2_alone * 1000, 2)
                run["argon2id_bound_per_second"] = round(2 / argon2, 1)
                print("  %-20s %4d conns: one argon2id check %.1f ms with both cores verifying (before and "
                      "after the run): at most %.1f requests/s" % ("password bound", connections, argon2 * 1000,
                                                                   2 / argon2), flush=True)
                runs.append(run)
            print("  resident memory (KiB) before, after 50, after 200 connections: %s" % memory, flush=True)
        finally:
            stop(server)
            log.close()
        print("one argon2id verification alone: %.1f ms" % (argon2_alone * 1000), flush=True)

    def rate(name, connections=50):
        return next(r["ok_per_second"] for r in runs if r["name"] == name and r["connections"] == connections)

    cc = rate("client_credentials")
    password = max((r for r in runs if r["name"] == "password"),
                   key=lambda r: r["ok_per_second"] / r["argon2id_bound_per_second"])
    targets = {
        "client_credentials_50_per_second": cc,
        "client_credentials_over_floor": round(cc / rate("floor"), 3),
        "client_credentials_over_node": round(cc / rate("node_oauth2_server"), 2),
        "password_over_argon2id_bound": round(password["ok_per_second"] / password["argon2id_bound_per_second"], 3),
        "resident_kib_password_runs": memory,
    }
    checks = {
        "client_credentials >= 10,000 requests/s at 50 connections": cc >= 10000,
        "client_credentials >= 0.2 x the Beast floor": targets["client_credentials_over_floor"] >= 0.2,
        "client_credentials >= 4 x node-oauth2-server": targets["client_credentials_over_node"] >= 4,
        "password >= 0.9 x 2 / argon2id": targets["password_over_argon2id_bound"] >= 0.9,
        "no token lost or duplicated": all(r.get("none_lost_or_duplicated", True) for r in runs),
        "refresh_token: every request answered 200 (the seeded tokens lasted the run)": all(
            set(r["statuses"]) == {"200"} for r in runs if r["name"] == "refresh_token"),
        # A leak of 500 bytes a request adds more than this over a third of a 10 s run at
        # 190 requests a second (a 2-core Xeon; about 1.6 KB at the 50 a second of slower
        # hosts); the heap's own settling stays well under it.
        "no memory growth over the password runs (last third within 256 KiB of the middle)": all(
            r["resident_kib_besides_argon2id"]["samples"] >= 30 and
            r["resident_kib_besides_argon2id"]["last_third"] <= r["resident_kib_besides_argon2id"]["middle_third"] + 256
            for r in runs if r["name"] == "password"),
    }
    result = {
        "machine": {"cores": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
                    "kernel": platform.release()},
        "duration_s": duration, "argon2id_ms": password["argon2id_ms"],
        "argon2id_alone_ms": round(argon2_alone * 1000, 2), "runs": runs, "targets": targets,
        "checks": checks,
    }
    with open(os.path.join(ROOT, "load-results.json"), "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print("\n| run | connections | requests/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |")
    for r in runs:
        print("| %s | %d | %.0f | %.2f | %.2f |" % (r["name"], r["connections"], r["ok_per_second"], r["p50_ms"],
                                                  r["p99_ms"]))
    print()
    for what, passed in checks.items():
        print("%s %s" % ("PASS" if passed else "FAIL", what))
    print("targets: %s" % json.dumps(targets))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
