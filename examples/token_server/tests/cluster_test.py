#!/usr/bin/env python3
"""Three token servers on one PostgreSQL database (docs/DEPLOYMENT.md), on a throwaway
PostgreSQL server that the test starts and removes (throwaway_postgres.py).

usage: cluster_test.py PATH/TO/token_server

1. start:   the three start at once on an empty database; exactly one makes the schema
            and the demo data (pg_advisory_xact_lock), the others find it made.
2. race:    50 concurrent refreshes of one refresh token, spread over the three: exactly
            one 200, 49 invalid_grant, one new pair in the database.
3. load:    2,000 requests spread over the three, password grants (client 138 and
            john_doe, two argon2id checks each) and refreshes (chains of rotations by a
            public client, whose check costs no hash): every token a client got is in
            the database exactly once, the database holds no token no client got, and
            each chain has exactly its last pair unrevoked.
4. kill:    the same kind of load, and one server SIGKILLed in the middle of it: every
            token a client got (every 200) is in the database; the two others keep
            answering; no chain has two live pairs; the killed server, started again,
            answers.
5. restart: PostgreSQL restarts (ending every connection): each server's next requests
            succeed, on new connections.

Only 127.0.0.1 and a unix socket; every wait is bounded; exits 77 (skipped) when
PostgreSQL is not installed, 1 when a check failed.
"""

import base64
import concurrent.futures
import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import throwaway_postgres

HOST = "127.0.0.1"
TOKEN_PATH = "/oauth/token"
VENDOR_AUTH = "Basic " + base64.b64encode(
    b"138:e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf").decode()
PASSWORD_BODY = "grant_type=password&username=john_doe&password=john_doe_secret"
REDIRECT = "https://app.example/cb"
PUBLIC_CLIENT = "app"
FORM = "application/x-www-form-urlencoded"

RACERS = 50
LOAD_PASSWORD = 100  # password grants in the load: ~0.2 s of argon2id each
LOAD_CHAINS = 19  # refresh chains in the load, of LOAD_REFRESHES // LOAD_CHAINS rotations each
LOAD_REFRESHES = 1900
KILL_PASSWORD = 30
KILL_CHAINS = 12
KILL_REFRESHES = 600
KILL_AFTER = 200  # requests answered in the kill phase before the server is killed

failures = []
checks = 0
SECRETS = set()  # every token handed out: none may be in a server's log
running = []


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        failures.append(message)
        print("  FAIL: " + message, flush=True)


def digest(token):
    """What the servers keep of an access or refresh token, in hex (random_token.hpp,
    ordered_digest_of: the token's first 8 bytes, then the first 24 of its SHA-256)."""
    return token[:16] + hashlib.sha256(token.encode()).hexdigest()[:48]


def code_digest(code):
    """What the servers keep of an authorization code: its SHA-256, in hex."""
    return hashlib.sha256(code.encode()).hexdigest()


class Server:
    """One token_server process on a free loopback port."""

    def __init__(self, binary, workdir, db, name):
        self.name = name
        self.log_path = os.path.join(workdir, "%s-%d.log" % (name, time.monotonic_ns()))
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([binary, "--host", HOST, "--port", "0", "--db", db, "--demo",
                                         "--max-queued", "256"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        running.append(self.process)
        self.port = None

    def wait_listening(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.log_text())
            if found:
                self.port = int(found.group(1))
                return True
            time.sleep(0.05)
        return False

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def post(self, body, authorization=None, timeout=60):
        """(status, JSON body or {}); raises OSError when the server is not there."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            headers = {"Content-Type": FORM}
            if authorization:
                headers["Authorization"] = authorization
            connection.request("POST", TOKEN_PATH, body.encode(), headers)
            response = connection.getresponse()
            data = response.read()
            try:
                return response.status, json.loads(data) if data else {}
            except ValueError:
                return response.status, {}
        finally:
            connection.close()

    def stop(self, signal_number=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(signal_number)
        try:
            status = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            status = None
        self.log.close()
        return status


class Cluster:
    def __init__(self, binary, workdir, pg, dbname):
        self.binary = binary
        self.workdir = workdir
        self.pg = pg
        self.dbname = dbname
        self.db = pg.uri(dbname)
        self.servers = []
        self.retired = []  # servers killed and replaced, whose logs are still checked

    def admin(self, *args):
        out = subprocess.run([self.binary, *args[:1], "--db", self.db, *args[1:]], stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError("token_server %s: %s" % (args[0], out.stderr.decode(errors="replace")))
        return out.stdout.decode().strip()

    def rows(self, sql):
        return self.pg.query(self.dbname, sql)

    def token_rows(self):
        """{access digest hex: (refresh digest hex or '', live, code digest hex or '')}, and
        how many rows there are."""
        rows = self.rows("SELECT encode(access_digest, 'hex'), coalesce(encode(refresh_digest, 'hex'), ''), "
                         "revoked_at IS NULL, coalesce(encode(code_digest, 'hex'), '') FROM tokens")
        return {a: (r, live == "t", code) for a, r, live, code in rows}, len(rows)

    def new_chain(self, server):
        """A refresh token of the public client: a code minted for john_doe, redeemed with
        its PKCE verifier. (refresh token, code digest hex)."""
        verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        code = self.admin("mint-code", "--client", PUBLIC_CLIENT, "--user", "john_doe", "--redirect-uri", REDIRECT,
                          "--code-challenge=" + challenge)
        status, token = server.post(urllib.parse.urlencode({
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier,
            "client_id": PUBLIC_CLIENT}))
        if status != 200:
            raise RuntimeError("redeeming a minted code: %d %r" % (status, token))
        SECRETS.update({code, token["access_token"], token["refresh_token"]})
        return token["refresh_token"], code_digest(code)


def refresh_body(refresh_token):
    return urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": refresh_token,
                                   "client_id": PUBLIC_CLIENT})


def test_start(cluster):
    print("start: three servers at once on an empty database", flush=True)
    cluster.servers = [Server(cluster.binary, cluster.workdir, cluster.db, "server-%d" % i) for i in range(3)]
    started = [s.wait_listening() for s in cluster.servers]
    check(all(started), "not every server started: %r" % [s.log_text()[-300:] for s in cluster.servers])
    if not all(started):
        return False
    created = [s for s in cluster.servers if "created " in s.log_text()]
    check(len(created) == 1, "%d servers said they created the database" % len(created))
    check(cluster.rows("SELECT version FROM schema_version") == [("4",)], "schema_version is not 4")
    check(cluster.rows("SELECT id FROM clients") == [("138",)], "the demo client is not there exactly once")
    check(cluster.rows("SELECT username FROM users") == [("john_doe",)], "the demo user is not there exactly once")
    cluster.admin("add-client", PUBLIC_CLIENT, "--auth-method", "none", "--grants",
                  "authorization_code refresh_token", "--redirect-uri", REDIRECT)
    return True


def test_race(cluster):
    print("race: %d concurrent refreshes of one refresh token over three servers" % RACERS, flush=True)
    token, code = cluster.new_chain(cluster.servers[0])
    barrier = threading.Barrier(RACERS)

    def race(i):
        barrier.wait(timeout=60)
        return cluster.servers[i % 3].post(refresh_body(token))

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(race, range(RACERS)))
    statuses = [status for status, _ in results]
    winners = [body for status, body in results if status == 200]
    losers = [body for status, body in results if status != 200]
    for body in winners:
        SECRETS.update({body.get("access_token", ""), body.get("refresh_token", "")})
    print("  %d x 200, %d x 400 in %.1f s (servers: %s)" % (
        len(winners), statuses.count(400), time.monotonic() - started,
        ", ".join("%d" % sum(1 for i, r in enumerate(results) if i % 3 == k and r[0] == 200) for k in range(3))),
        flush=True)
    check(len(winners) == 1, "%d of %d concurrent refreshes succeeded" % (len(winners), RACERS))
    check(all(status == 400 and body.get("error") == "invalid_grant" for status, body in
              ((s, b) for s, b in results if s != 200)),
          "a losing refresh was not 400 invalid_grant: %r" % sorted(set(statuses)))
    check(len(losers) == RACERS - 1, "losers: %d" % len(losers))
    rows = cluster.rows("SELECT revoked_at IS NULL, encode(refresh_digest, 'hex') FROM tokens "
                        "WHERE code_digest = '\\x%s'::bytea ORDER BY id" % code)
    if winners:
        check(rows == [("f", digest(token)), ("t", digest(winners[0]["refresh_token"]))],
              "the chain in the database after the race: %r" % rows)


class Load:
    """Password grants and refresh chains spread over the live servers, concurrently."""

    def __init__(self, cluster, password, chains, refreshes, on_answer=None):
        self.cluster = cluster
        self.password = password
        self.chains = chains
        self.per_chain = refreshes // chains
        self.on_answer = on_answer
        self.lock = threading.Lock()
        self.issued = []  # (access, refresh) of every 200
        self.answers = 0
        self.statuses = {}
        self.errors = []  # (server name, what) for requests that got no answer
        self.chain_ends = {}  # code digest: the last refresh token its chain got, if it is known
        self.dead = set()  # servers found gone
        self.answered_after_kill = {}  # server name: answers after a server was killed
        self.killed_at = None
        self.in_doubt = 0  # refreshes sent again after getting no answer

    def pick(self, n):
        live = [s for s in self.cluster.servers if s.name not in self.dead]
        return live[n % len(live)]

    def send(self, n, body, authorization=None):
        """One request to server n % live; (status, body), or None when the server is gone."""
        server = self.pick(n)
        try:
            status, answer = server.post(body, authorization)
        except OSError as e:
            with self.lock:
                self.errors.append((server.name, repr(e)))
                self.dead.add(server.name)
            return None
        with self.lock:
            self.answers += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 200:
                self.issued.append((answer["access_token"], answer.get("refresh_token", "")))
                SECRETS.update({answer["access_token"], answer.get("refresh_token", "")})
            if self.killed_at is not None:
                self.answered_after_kill[server.name] = self.answered_after_kill.get(server.name, 0) + 1
            answers = self.answers
        if self.on_answer:
            self.on_answer(answers)
        return status, answer

    def password_worker(self, first, count, stride):
        for i in range(count):
            n = first + i * stride
            while self.send(n, PASSWORD_BODY, VENDOR_AUTH) is None:
                n += 1  # a password grant is safe to send again, elsewhere

    def chain_worker(self, index, token, code):
        current = token
        n = index
        for _ in range(self.per_chain):
            answer = self.send(n, refresh_body(current))
            n += 1
            if answer is None:
                # No answer: whether the gone server stored the rotation is unknown. As a
                # client would, send the same refresh token to another server: 200 if the
                # gone one had not stored it, 400 if it had (the chain ends: its client
                # would sign in again).
                answer = self.send(n, refresh_body(current))
                n += 1
                if answer is None:
                    break
                with self.lock:
                    self.in_doubt += 1
            status, body = answer
            if status != 200:
                self.chain_ends[code] = None
                return
            current = body["refresh_token"]
        self.chain_ends[code] = current

    def run(self, starts):
        threads = [threading.Thread(target=self.chain_worker, args=(i, *starts[i]), daemon=True)
                   for i in range(self.chains)]
        password_threads = 4
        for t in range(password_threads):
            count = self.password // password_threads + (1 if t < self.password % password_threads else 0)
            threads.append(threading.Thread(target=self.password_worker, args=(t, count, password_threads),
                                            daemon=True))
        for t in threads:
            t.start()
        deadline = time.monotonic() + 240
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in threads)


def verify_issued(cluster, load, what):
    """Every token a client got is in the database, once. The rows and their number."""
    rows, count = cluster.token_rows()
    refresh_index = {}
    for access, (refresh, _, _) in rows.items():
        if refresh:
            refresh_index[refresh] = refresh_index.get(refresh, 0) + 1
    access_found = sum(1 for access, _ in load.issued if digest(access) in rows)
    refresh_found = sum(1 for _, refresh in load.issued if refresh and refresh_index.get(digest(refresh)) == 1)
    distinct = len({access for access, _ in load.issued}) == len(load.issued)
    print("  %s: %d tokens issued, %d access and %d refresh tokens found by digest, %d rows in the database" % (
        what, len(load.issued), access_found, refresh_found, count), flush=True)
    check(distinct, "%s: two responses carried the same access token" % what)
    check(access_found == len(load.issued), "%s: %d access tokens a client got are not in the database" % (
        what, len(load.issued) - access_found))
    check(refresh_found == len(load.issued), "%s: %d refresh tokens a client got are not in the database once" % (
        what, len(load.issued) - refresh_found))
    return rows, count


def verify_chains(cluster, load, rows, what):
    """Each chain (the pairs descending from one code) has at most one live pair, and a
    chain that ended normally has exactly its last pair live."""
    live_per_code = {}
    for access, (refresh, live, code) in rows.items():
        if code and live:
            live_per_code.setdefault(code, []).append(refresh)
    doubled = [code for code, live in live_per_code.items() if len(live) > 1]
    check(not doubled, "%s: %d chains have more than one live pair" % (what, len(doubled)))
    wrong = [code for code, end in load.chain_ends.items()
             if end is not None and live_per_code.get(code) != [digest(end)]]
    check(not wrong, "%s: %d chains do not have exactly their last pair live" % (what, len(wrong)))


def test_load(cluster):
    total = LOAD_PASSWORD + LOAD_REFRESHES
    print("load: %d requests (%d password grants, %d refreshes in %d chains) over three servers" % (
        total, LOAD_PASSWORD, LOAD_REFRESHES, LOAD_CHAINS), flush=True)
    starts = [cluster.new_chain(cluster.servers[i % 3]) for i in range(LOAD_CHAINS)]
    _, before = cluster.token_rows()
    load = Load(cluster, LOAD_PASSWORD, LOAD_CHAINS, LOAD_REFRESHES)
    started = time.monotonic()
    finished = load.run(starts)
    elapsed = time.monotonic() - started
    print("  %d answers in %.1f s (%.0f/s), statuses %r, %d without an answer" % (
        load.answers, elapsed, load.answers / max(elapsed, 0.001), load.statuses, len(load.errors)), flush=True)
    check(finished, "load: not finished within 240 s")
    check(load.answers == total and load.statuses == {200: total},
          "load: %d answers, statuses %r, expected %d x 200" % (load.answers, load.statuses, total))
    check(not load.errors, "load: requests without an answer: %r" % load.errors[:5])
    rows, count = verify_issued(cluster, load, "load")
    check(count - before == len(load.issued), "load: %d rows added for %d tokens issued (none lost or extra)" % (
        count - before, len(load.issued)))
    verify_chains(cluster, load, rows, "load")


def test_kill(cluster):
    total = KILL_PASSWORD + KILL_REFRESHES
    victim = cluster.servers[2]
    print("kill: %d requests over three servers, %s SIGKILLed after %d answers" % (total, victim.name, KILL_AFTER),
          flush=True)
    starts = [cluster.new_chain(cluster.servers[i % 3]) for i in range(KILL_CHAINS)]
    _, before = cluster.token_rows()
    killed = threading.Event()
    load = None

    def on_answer(answers):
        if answers >= KILL_AFTER and not killed.is_set():
            killed.set()
            victim.process.send_signal(signal.SIGKILL)
            with load.lock:
                load.killed_at = time.monotonic()
            print("  SIGKILL sent to %s after %d answers" % (victim.name, answers), flush=True)

    load = Load(cluster, KILL_PASSWORD, KILL_CHAINS, KILL_REFRESHES, on_answer)
    started = time.monotonic()
    finished = load.run(starts)
    print("  %d answers in %.1f s, statuses %r, %d requests without an answer (%s; %d refreshes sent again), "
          "answers after the kill: %r" % (
              load.answers, time.monotonic() - started, load.statuses, len(load.errors),
              ", ".join(sorted({name for name, _ in load.errors})) or "-", load.in_doubt, load.answered_after_kill),
          flush=True)
    check(finished, "kill: not finished within 240 s")
    check(killed.is_set(), "kill: the server was never killed")
    check(victim.process.wait(timeout=30) == -signal.SIGKILL, "kill: the victim did not die of SIGKILL")
    check(all(name == victim.name for name, _ in load.errors),
          "kill: a surviving server failed to answer: %r" % [e for e in load.errors if e[0] != victim.name][:5])
    survivors = [s.name for s in cluster.servers if s is not victim]
    check(all(load.answered_after_kill.get(name, 0) > 0 for name in survivors),
          "kill: the survivors did not both answer after the kill: %r" % load.answered_after_kill)
    check(set(load.statuses) <= {200, 400}, "kill: statuses %r" % load.statuses)
    rows, count = verify_issued(cluster, load, "kill")
    # Tokens the killed server stored but could not send: at most one per request it
    # left without an answer.
    unsent = count - before - len(load.issued)
    print("  %d rows stored that no client got (requests the killed server left unanswered: %d)" % (
        unsent, len(load.errors)), flush=True)
    check(0 <= unsent <= len(load.errors), "kill: %d rows added for %d tokens issued and %d unanswered requests" % (
        count - before, len(load.issued), len(load.errors)))
    verify_chains(cluster, load, rows, "kill")

    print("kill: the killed server, started again", flush=True)
    victim.stop(None)
    again = Server(cluster.binary, cluster.workdir, cluster.db, victim.name + "-again")
    check(again.wait_listening(), "the killed server did not start again")
    if again.port:
        chain = next((end for end in load.chain_ends.values() if end), None)
        if chain:
            status, body = again.post(refresh_body(chain))
            check(status == 200, "a surviving chain refreshed on the restarted server: %d" % status)
            SECRETS.update({body.get("access_token", ""), body.get("refresh_token", "")})
        status, body = again.post(PASSWORD_BODY, VENDOR_AUTH)
        check(status == 200, "a password grant on the restarted server: %d" % status)
        SECRETS.update({body.get("access_token", ""), body.get("refresh_token", "")})
    cluster.servers[2] = again
    cluster.retired.append(victim)


def test_database_restart(cluster):
    print("restart: PostgreSQL restarts under the servers", flush=True)
    cluster.pg.restart()
    results = []
    for i in range(12):  # more than each server's pool of connections
        server = cluster.servers[i % 3]
        status, body = server.post(PASSWORD_BODY if i < 3 else "grant_type=client_credentials", VENDOR_AUTH)
        results.append(status)
        SECRETS.update({body.get("access_token", ""), body.get("refresh_token", "")})
    # The demo client is not registered for client_credentials: 400 unauthorized_client,
    # after its secret was checked against the database.
    check(results == [200] * 3 + [400] * 9, "requests after PostgreSQL restarted: %r" % results)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    if throwaway_postgres.bindir() is None:
        print("skipped: PostgreSQL is not installed (Debian: postgresql-15)", flush=True)
        return throwaway_postgres.SKIP
    began = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="token_server_cluster_") as workdir, \
                throwaway_postgres.Server() as pg:
            pg.create_database("cluster")
            cluster = Cluster(binary, workdir, pg, "cluster")
            if test_start(cluster):
                test_race(cluster)
                test_load(cluster)
                test_kill(cluster)
                test_database_restart(cluster)
            print("stop", flush=True)
            for server in cluster.servers:
                check(server.stop() == 0, "%s: exit status after SIGTERM" % server.name)
            for server in cluster.servers + cluster.retired:
                text = server.log_text()
                leaked = [s for s in SECRETS if s and s in text]
                check(not leaked, "%s: the log holds %d token(s)" % (server.name, len(leaked)))
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    print("%d checks, %d failed, %.0f s" % (checks, len(failures), time.monotonic() - began))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
