#!/usr/bin/env python3
"""Integration test of examples/token_server: starts the real binary on a free loopback
port with a new database in a temporary directory, and talks HTTP to it.

usage: integration_test.py PATH/TO/token_server [--postgres]

--postgres: the database is PostgreSQL, on a throwaway server that the test starts and
removes (throwaway_postgres.py; exit 77, skipped, when PostgreSQL is not installed), and
the checks that read the database read it with psql. The migration from schema version
1 is SQLite's history and is not run there.

Only the Python standard library; only 127.0.0.1; every wait is bounded. Prints one
line per check group and a summary; exits 1 if any check failed.
"""

import base64
import concurrent.futures
import hashlib
import html
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import throwaway_postgres

HOST = "127.0.0.1"
TOKEN_PATH = "/v2/marketing/oauth/token"
VENDOR_CLIENT_ID = "138"
VENDOR_CLIENT_SECRET = "e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"
VENDOR_USERNAME_BODY = "grant_type=password&username=john_doe&password=john_doe_secret"
VENDOR_EMAIL_BODY = "grant_type=password&email_address=john_doe@domain.com&password=john_doe_secret"
FORM = "application/x-www-form-urlencoded"
SCOPES = "read write profile"  # the servers' --scopes
HEX64 = re.compile(r"^[0-9a-f]{64}$")
# time, method, path, status, error code, oauthcore's reason, microseconds
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (\S+) (\S+) (\d{3}) (\S+) (\S+) (\d+us|-)$")

# Everything secret the test sends or receives; none of it may reach the server's log.
SECRETS = {VENDOR_CLIENT_SECRET, "john_doe_secret"}
failures = []
checks = 0
running = []  # servers to kill if the test itself fails


def stored_digest(token):
    """What the server keeps of an access or refresh token it issued (random_token.hpp,
    ordered_digest_of): the token's first 8 bytes (its time of issue) and the first 24
    bytes of its SHA-256."""
    return bytes.fromhex(token[:16]) + hashlib.sha256(token.encode()).digest()[:24]


def legacy_digest(token):
    """What a server before ordered digests kept: the token's SHA-256."""
    return hashlib.sha256(token.encode()).digest()


class SqliteStore:
    """The database the servers use, read directly: a SQLite file."""

    name = "SQLite"

    def __init__(self, path):
        self.location = path  # what --db gets
        self.path = path

    def rows(self, sql, params=()):
        with sqlite3.connect("file:%s?mode=ro" % self.path, uri=True, timeout=30) as connection:
            return [tuple(bytes(v) if isinstance(v, (bytes, memoryview)) else v for v in row)
                    for row in connection.execute(sql, params)]

    def execute(self, sql):
        with sqlite3.connect(self.path, timeout=30) as connection:
            connection.execute(sql)

    def count(self, table):
        return int(self.rows("SELECT count(*) FROM %s" % table)[0][0])

    def add_expired_device_codes(self, client_id, n):
        self.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
                     "INSERT INTO device_codes (digest, user_code_digest, client_id, poll_interval, created_at, "
                     "expires_at) SELECT randomblob(32), randomblob(32), '%s', 5, 50, 100 FROM n" % (n, client_id))

    def token_owner(self, access_digest):
        """(user_id, refresh_digest) of the row of this access token, None for NULL."""
        found = self.rows("SELECT user_id, refresh_digest FROM tokens WHERE access_digest = ?", (access_digest,))
        return found[0] if found else None

    def code_digests(self):
        return [row[0] for row in self.rows("SELECT digest FROM authorization_codes")]

    def pairs(self):
        """(access digest, refresh digest, access lifetime, refresh lifetime) of each pair
        (client_credentials tokens have no refresh token)."""
        return self.rows("SELECT access_digest, refresh_digest, access_expires_at - issued_at, "
                         "refresh_expires_at - issued_at FROM tokens WHERE refresh_digest IS NOT NULL")

    def stored_bytes(self):
        """Every byte the database keeps, to look for secrets in clear."""
        return b"".join(open(p, "rb").read() for p in (self.path, self.path + "-wal") if os.path.exists(p))

    def drop_tokens(self):
        with sqlite3.connect(self.path, timeout=30) as connection:
            connection.execute("DROP TABLE tokens")

    def fail_token_inserts(self, on):
        """A trigger that makes every INSERT into tokens fail (a failure injected after a
        refresh's revocation, before its new pair is stored), or none."""
        with sqlite3.connect(self.path, timeout=30) as connection:
            connection.execute("CREATE TRIGGER fail_token_inserts BEFORE INSERT ON tokens "
                               "BEGIN SELECT RAISE(ABORT, 'injected failure'); END" if on else
                               "DROP TRIGGER fail_token_inserts")

    def live(self, refresh_digest):
        """True when the pair of this refresh token is not revoked."""
        return self.rows("SELECT revoked_at IS NULL FROM tokens WHERE refresh_digest = ?", (refresh_digest,)) == [(1,)]

    def redigest(self, old_access, new_access, new_refresh):
        """Gives the pair of this access digest other digests (as an older server stored it)."""
        with sqlite3.connect(self.path, timeout=30) as connection:
            return connection.execute("UPDATE tokens SET access_digest = ?, refresh_digest = ? WHERE access_digest = ?",
                                      (new_access, new_refresh, old_access)).rowcount


class PostgresStore:
    """The database the servers use, read directly: a PostgreSQL database, through psql."""

    name = "PostgreSQL"

    def __init__(self, pg, dbname):
        self.pg = pg
        self.dbname = dbname
        self.location = pg.create_database(dbname)

    @staticmethod
    def bytea(digest):
        return "'\\x%s'::bytea" % digest.hex()

    def rows(self, sql):
        return self.pg.query(self.dbname, sql)

    def execute(self, sql):
        self.pg.psql(self.dbname, sql)

    def count(self, table):
        return int(self.rows("SELECT count(*) FROM %s" % table)[0][0])

    def add_expired_device_codes(self, client_id, n):
        self.execute("INSERT INTO device_codes (digest, user_code_digest, client_id, poll_interval, created_at, "
                     "expires_at) SELECT sha256(('d' || i)::bytea), sha256(('u' || i)::bytea), '%s', 5, 50, 100 "
                     "FROM generate_series(1, %d) AS i" % (client_id, n))

    def token_owner(self, access_digest):
        found = self.rows("SELECT user_id, encode(refresh_digest, 'hex') FROM tokens WHERE access_digest = %s" %
                          self.bytea(access_digest))
        if not found:
            return None
        user, refresh = found[0]
        return (int(user) if user else None, bytes.fromhex(refresh) if refresh else None)

    def code_digests(self):
        return [bytes.fromhex(r[0]) for r in self.rows("SELECT encode(digest, 'hex') FROM authorization_codes")]

    def pairs(self):
        return [(bytes.fromhex(a), bytes.fromhex(r), int(lifetime), int(refresh_lifetime))
                for a, r, lifetime, refresh_lifetime in self.rows(
                    "SELECT encode(access_digest, 'hex'), encode(refresh_digest, 'hex'), access_expires_at - issued_at, "
                    "refresh_expires_at - issued_at FROM tokens WHERE refresh_digest IS NOT NULL")]

    def stored_bytes(self):
        """What a dump shows, and the raw files of the data directory (tables, WAL)."""
        return self.pg.dump(self.dbname) + b"".join(self.pg.data_files())

    def drop_tokens(self):
        self.pg.psql(self.dbname, "DROP TABLE tokens")

    def fail_token_inserts(self, on):
        self.pg.psql(self.dbname, (
            "CREATE FUNCTION fail_token_inserts() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$; "
            "CREATE TRIGGER fail_token_inserts BEFORE INSERT ON tokens "
            "FOR EACH ROW EXECUTE FUNCTION fail_token_inserts()") if on else
            "DROP TRIGGER fail_token_inserts ON tokens; DROP FUNCTION fail_token_inserts()")

    def live(self, refresh_digest):
        return self.rows("SELECT revoked_at IS NULL FROM tokens WHERE refresh_digest = %s" %
                         self.bytea(refresh_digest)) == [("t",)]

    def schema_version(self):
        return int(self.rows("SELECT version FROM schema_version")[0][0])

    def redigest(self, old_access, new_access, new_refresh):
        return len(self.rows("UPDATE tokens SET access_digest = %s, refresh_digest = %s WHERE access_digest = %s "
                             "RETURNING id" % (self.bytea(new_access), self.bytea(new_refresh),
                                               self.bytea(old_access))))


STORE = None  # the store of the run: SqliteStore or PostgresStore


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        failures.append(message)
        print("  FAIL: " + message, flush=True)


def basic(client_id, secret):
    """RFC 6749 2.3.1: id and secret form-encoded, then joined by ':' and base64'd (RFC 7617)."""
    pair = urllib.parse.quote_plus(client_id) + ":" + urllib.parse.quote_plus(secret)
    value = "Basic " + base64.b64encode(pair.encode()).decode()
    SECRETS.add(value.split(" ", 1)[1])
    return value


VENDOR_AUTH = basic(VENDOR_CLIENT_ID, VENDOR_CLIENT_SECRET)


class Server:
    """The token_server process, its log file and its port."""

    def __init__(self, binary, workdir, db, *args):
        self.log_path = os.path.join(workdir, "server-%d.log" % time.monotonic_ns())
        self.log = open(self.log_path, "wb")
        self.requests = 0
        # --demo: a new database gets the vendor's client and user. --max-queued 128: the
        # 100 concurrent requests below all wait for a password worker rather than some
        # getting 503 (transport_test.py tests the bound).
        self.process = subprocess.Popen([binary, "--host", HOST, "--port", "0", "--db", db, "--demo",
                                         "--max-queued", "128", *args],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        running.append(self.process)
        self.port = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.log_text())
            if found:
                self.port = int(found.group(1))
                break
            time.sleep(0.05)
        if self.port is None:
            self.process.kill()
            self.process.wait(timeout=10)
            sys.exit("token_server did not start:\n" + self.log_text())

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def request(self, method, path, body=None, headers=None, timeout=120):
        """One request on its own connection: (status, {lower-case name: value}, body bytes)."""
        self.requests += 1
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def token_request(self, body, authorization=VENDOR_AUTH, path=TOKEN_PATH, content_type=FORM):
        headers = {"Content-Type": content_type} if content_type else {}
        if authorization:
            headers["Authorization"] = authorization
        return self.request("POST", path, body.encode() if isinstance(body, str) else body, headers)

    def stop(self, signal_number=signal.SIGTERM):
        """Sends the signal (None: it was sent already) and returns the exit status."""
        if signal_number is not None:
            self.process.send_signal(signal_number)
        try:
            status = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            status = None
        self.log.close()
        return status


def last_elapsed_us(server):
    """The time the server logged for the last request it answered."""
    lines = [LOG_LINE.match(line) for line in server.log_text().splitlines()]
    times = [m.group(6) for m in lines if m]
    return int(times[-1][:-2]) if times and times[-1] != "-" else 0


def run_admin(binary, *args, stdin=b""):
    return subprocess.run([binary, *args], input=stdin, capture_output=True, timeout=60)


def expect_token(result, what, scope=None, refresh=True):
    """A 200 with a new pair (`refresh` False: an access token alone); `scope`: the scope
    member expected (None: absent)."""
    status, headers, body = result
    check(status == 200, "%s: status %d, body %r" % (what, status, body[:200]))
    try:
        token = json.loads(body)
    except ValueError:
        check(False, "%s: body is not JSON: %r" % (what, body[:200]))
        return None
    fields = {"access_token", "expires_in", "token_type"} | ({"refresh_token"} if refresh else set()) | (
        {"scope"} if scope else set())
    check(set(token) == fields, "%s: fields %s" % (what, sorted(token)))
    check(token.get("scope") == scope, "%s: scope %r, expected %r" % (what, token.get("scope"), scope))
    check(HEX64.match(str(token.get("access_token", ""))) is not None, what + ": access_token is not 64 hex")
    if refresh:
        check(HEX64.match(str(token.get("refresh_token", ""))) is not None, what + ": refresh_token is not 64 hex")
    check(token.get("expires_in") == 604800, what + ": expires_in %r" % token.get("expires_in"))
    check(token.get("token_type") == "bearer", what + ": token_type %r" % token.get("token_type"))
    check(headers.get("cache-control") == "no-store", what + ": Cache-Control")
    check(headers.get("pragma") == "no-cache", what + ": Pragma")
    check(headers.get("content-type", "").startswith("application/json"), what + ": Content-Type")
    # Only what was sent: a missing member is no secret (the text "None" was searched for
    # in the stored bytes, which a PostgreSQL data directory's random bytes can hold).
    SECRETS.update(value for value in (token.get("access_token"), token.get("refresh_token")) if isinstance(value, str))
    return token


def expect_error(result, status, code, what):
    got_status, headers, body = result
    check(got_status == status, "%s: status %d, expected %d, body %r" % (what, got_status, status, body[:200]))
    try:
        error = json.loads(body) if body else {}
    except ValueError:
        error = {}
    check(error.get("error") == code, "%s: error %r, expected %r" % (what, error.get("error"), code))
    check(isinstance(error.get("error_description"), str), what + ": no error_description")
    check(headers.get("cache-control") == "no-store", what + ": Cache-Control %r" % headers.get("cache-control"))
    check(headers.get("pragma") == "no-cache", what + ": Pragma %r" % headers.get("pragma"))
    challenge = headers.get("www-authenticate")
    if status == 401:
        check(challenge is not None and challenge.startswith("Basic realm="), what + ": WWW-Authenticate %r" % challenge)
    else:
        check(challenge is None, what + ": unexpected WWW-Authenticate")


def comparable(result):
    """A response without the headers that may differ between two connections."""
    status, headers, body = result
    return status, {k: v for k, v in headers.items() if k not in ("date", "keep-alive", "connection")}, body


def test_vendor_examples(server):
    print("vendor examples", flush=True)
    first = expect_token(server.token_request(VENDOR_USERNAME_BODY), "vendor example, username")
    second = expect_token(server.token_request(VENDOR_EMAIL_BODY), "vendor example, email_address")
    if first and second:
        check(first["access_token"] != second["access_token"], "two requests got the same access token")
    curl = shutil.which("curl")
    if curl:  # the vendor's command verbatim, only host and port differ
        out = subprocess.run([curl, "-sS", "-iX", "POST", "http://%s:%d%s" % (HOST, server.port, TOKEN_PATH),
                              "-d", VENDOR_USERNAME_BODY, "--user", VENDOR_CLIENT_ID + ":" + VENDOR_CLIENT_SECRET],
                             capture_output=True, timeout=60)
        server.requests += 1
        text = out.stdout.decode("utf-8", "replace")
        check(out.returncode == 0 and text.startswith("HTTP/1.1 200"), "curl vendor example: %r" % text[:200])
        body = text.split("\r\n\r\n", 1)[-1]
        for name in ("access_token", "refresh_token"):
            value = json.loads(body).get(name, "") if body.startswith("{") else ""
            check(HEX64.match(value) is not None, "curl vendor example: %s" % name)
            SECRETS.add(value)
    return [t for t in (first, second) if t]


def test_error_classes(server):
    print("error classes (social_id profile)", flush=True)
    token = server.token_request
    expect_error(token("username=john_doe&password=john_doe_secret"), 400, "invalid_request", "missing grant_type")
    expect_error(token("grant_type=urn:example:unknown"), 400, "unsupported_grant_type", "unsupported grant_type")
    # RFC 6749 5.2: the vendor's client is registered for password and refresh_token only.
    expect_error(token("grant_type=client_credentials"), 400, "unauthorized_client", "a grant the client lacks")
    expect_error(token("grant_type=password&password=john_doe_secret"), 400, "invalid_request", "no identifier")
    expect_error(token(VENDOR_USERNAME_BODY + "&email_address=john_doe@domain.com"), 400, "invalid_request",
                 "both identifiers")
    expect_error(token("grant_type=password&username=john_doe"), 400, "invalid_request", "missing password")
    expect_error(token(VENDOR_USERNAME_BODY + "&grant_type=password"), 400, "invalid_request", "duplicate grant_type")
    expect_error(token(VENDOR_USERNAME_BODY, content_type="text/plain"), 400, "invalid_request", "wrong Content-Type")
    expect_error(token(VENDOR_USERNAME_BODY, path=TOKEN_PATH + "?password=x"), 400, "invalid_request",
                 "query in the target")
    expect_error(token(VENDOR_USERNAME_BODY, authorization=None), 401, "invalid_client", "no client authentication")
    expect_error(token(VENDOR_USERNAME_BODY, authorization="Bearer abc"), 401, "invalid_client", "Bearer scheme")
    expect_error(token(VENDOR_USERNAME_BODY, authorization="Basic %%%"), 401, "invalid_client", "malformed Basic")
    body_auth = VENDOR_USERNAME_BODY + "&client_id=138&client_secret=" + VENDOR_CLIENT_SECRET
    expect_error(token(body_auth, authorization=None), 401, "invalid_client", "body client auth while disabled")

    # The vendor's secret is 256 bits, stored as a fast hash (password_hash.hpp); an
    # unknown client is checked against a dummy of that scheme: the same answer, byte
    # for byte, for the same work.
    wrong_secret = token(VENDOR_USERNAME_BODY, authorization=basic("138", "wrong-client-secret-0f6a"))
    unknown_client = token(VENDOR_USERNAME_BODY, authorization=basic("no-such-client", "wrong-client-secret-0f6a"))
    SECRETS.add("wrong-client-secret-0f6a")
    expect_error(wrong_secret, 401, "invalid_client", "wrong client secret")
    expect_error(unknown_client, 401, "invalid_client", "unknown client")
    check(comparable(wrong_secret) == comparable(unknown_client), "unknown client and wrong secret differ")

    SECRETS.add("wrong-password-4c1e")
    wrong_password = token("grant_type=password&username=john_doe&password=wrong-password-4c1e")
    unknown_user = token("grant_type=password&username=no_such_user&password=wrong-password-4c1e")
    check(last_elapsed_us(server) > 10000, "unknown user answered in %d us: no dummy hash check" %
          last_elapsed_us(server))
    expect_error(wrong_password, 401, "invalid_client", "wrong password (social_id)")
    expect_error(unknown_user, 401, "invalid_client", "unknown user (social_id)")
    check(comparable(wrong_password) == comparable(unknown_user), "unknown user and wrong password differ")


def test_methods_and_paths(server):
    print("405 and 404", flush=True)
    for path in (TOKEN_PATH, "/oauth/token"):
        for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"):
            result = server.request(method, path, headers={"Content-Type": FORM})
            expect_error(result, 405, "invalid_request", "%s %s" % (method, path))
            check(result[1].get("allow") == "POST", "%s %s: Allow %r" % (method, path, result[1].get("allow")))
        status, headers, body = server.request("HEAD", path)
        check(status == 405 and headers.get("allow") == "POST" and body == b"", "HEAD %s: %d" % (path, status))
    expect_token(server.token_request(VENDOR_USERNAME_BODY, path="/oauth/token"), "POST /oauth/token")
    # RFC 9110 9.1: what answers GET answers HEAD, with GET's status and headers and no
    # body; a method a page or file does not take is 405 with its Allow (RFC 9110 15.5.6).
    for path, allow in (("/authorize?client_id=nobody", "GET, HEAD, POST"), ("/device", "GET, HEAD, POST"),
                        ("/static/style.css", "GET, HEAD")):
        get = server.request("GET", path)
        head = server.request("HEAD", path)
        check(get[2] != b"" and head[0] == get[0] and head[2] == b"" and
              head[1].get("content-type") == get[1].get("content-type"),
              "HEAD %s: %d %r, GET %d" % (path, head[0], head[2][:40], get[0]))
        for method in ("PUT", "DELETE", "BREW") + (("POST",) if "css" in path else ()):
            status, headers, _ = server.request(method, path, b"")
            check(status == 405 and headers.get("allow") == allow,
                  "%s %s: %d, Allow %r" % (method, path, status, headers.get("allow")))
    # The metadata document takes GET and HEAD: anything else is 405 by that name.
    server.requests += 1
    connection = http.client.HTTPConnection(HOST, server.port, timeout=60)
    try:
        connection.request("POST", "/.well-known/oauth-authorization-server", body=b"")
        response = connection.getresponse()
        response.read()
        check(response.status == 405 and response.reason == "Method Not Allowed" and
              response.getheader("Allow") == "GET, HEAD",
              "POST to the metadata: %d %s, Allow %r" % (response.status, response.reason, response.getheader("Allow")))
    finally:
        connection.close()
    for method, path in (("POST", "/v2/marketing/oauth/tokens"), ("GET", "/"), ("POST", "/oauth")):
        status = server.request(method, path, b"" if method == "POST" else None)[0]
        check(status == 404, "%s %s: status %d, expected 404" % (method, path, status))


def test_oversized_bodies(server):
    print("oversized bodies", flush=True)
    # Over oauthcore's 16 KiB limit: the server stops reading at the limit and sends
    # oauthcore's answer to a body too large, then reads and drops the rest before it
    # closes (RFC 9112 9.6), so the client that is still sending gets the answer.
    for size in (16 * 1024 + 1, 64 * 1024, 4 * 1024 * 1024):
        body = b"grant_type=password&username=john_doe&password=" + b"a" * size
        try:
            expect_error(server.token_request(body), 400, "invalid_request", "body of %d bytes" % len(body))
        except (ConnectionError, OSError) as e:  # the server may close while we still send
            check(False, "body of %d bytes: %r" % (len(body), e))
    expect_token(server.token_request(VENDOR_USERNAME_BODY), "a request after the oversized ones")


def test_special_credentials(server, binary, db):
    print("add-user and add-client with special characters", flush=True)
    password = "p a+s&s=w%o:r;d \u00fc\u65e5\u672c \U0001F511 "  # + & = % : ; spaces, UTF-8, a trailing space
    SECRETS.update({password, password.strip(), urllib.parse.quote_plus(password)})
    out = run_admin(binary, "add-user", "--db", db, "--username", "special_user", "--email", "special@example.com",
                    stdin=password.encode() + b"\n")
    check(out.returncode == 0, "add-user: %r" % out.stderr)
    for identifier in (("username", "special_user"), ("email_address", "special@example.com")):
        body = urllib.parse.urlencode({"grant_type": "password", identifier[0]: identifier[1], "password": password})
        expect_token(server.token_request(body), "special password by " + identifier[0])
    # Email addresses compare ASCII-case-insensitively, on SQLite (COLLATE NOCASE) and
    # PostgreSQL (an index on the ASCII-folded address) alike.
    body = urllib.parse.urlencode({"grant_type": "password", "email_address": "Special@EXAMPLE.com",
                                   "password": password})
    expect_token(server.token_request(body), "special password by email_address in other ASCII case")
    out = run_admin(binary, "add-user", "--db", db, "--email", "SPECIAL@example.com", stdin=b"other-pw-22\n")
    check(out.returncode != 0, "add-user with an email address that differs only in case succeeded")
    # The sign-in page reads a name with '@' as an email address: no username holds one.
    # A name is typed on a page and reported as JSON text: no control character, UTF-8.
    for option, value in (("--username", "mary@corp"), ("--username", ""), ("--email", "mary.corp"),
                          ("--username", "q\x01b"), ("--username", b"q\xffb"), ("--email", "m\x7f@corp")):
        out = run_admin(binary, "add-user", "--db", db, option, value, stdin=b"pw-mary-1\n")
        check(out.returncode == 2 and option.encode() in out.stderr,
              "add-user %s %r: status %d, %r" % (option, value, out.returncode, out.stderr[-200:]))
    raw = "grant_type=password&username=special_user&password=" + password
    expect_error(server.token_request(raw.encode()), 401, "invalid_client", "special password sent unencoded")

    client_id, secret = "app:7%", "s:e%cr+et \u00e9:%41"
    SECRETS.update({secret, urllib.parse.quote_plus(secret)})
    out = run_admin(binary, "add-client", "--db", db, client_id, stdin=secret.encode())
    check(out.returncode == 0 and out.stdout == b"", "add-client with a given secret: %r" % out.stderr)
    expect_token(server.token_request(VENDOR_USERNAME_BODY, authorization=basic(client_id, secret)),
                 "client secret with ':' and '%' percent-encoded in Basic")
    unencoded = "Basic " + base64.b64encode((client_id + ":" + secret).encode()).decode()
    SECRETS.add(unencoded.split(" ", 1)[1])
    expect_error(server.token_request(VENDOR_USERNAME_BODY, authorization=unencoded), 401, "invalid_client",
                 "client secret sent without form-encoding")

    out = run_admin(binary, "add-client", "--db", db, "generated_app")
    generated = out.stdout.decode().strip()
    SECRETS.add(generated)
    check(out.returncode == 0 and HEX64.match(generated) is not None, "add-client with empty stdin: %r" % out.stdout)
    expect_token(server.token_request(VENDOR_USERNAME_BODY, authorization=basic("generated_app", generated)),
                 "generated client secret")
    out = run_admin(binary, "add-client", "--db", db, "generated_app")
    check(out.returncode != 0, "add-client twice with the same ID succeeded")
    # A client no request could name (RFC 6749 Appendix A.1: *VSCHAR, and Basic refuses an
    # empty id), and redirect URIs a code must not be sent to (RFC 6749 3.1.2.1: TLS; RFC
    # 8252 7.1, 7.3: loopback http and private-use schemes for native apps).
    for what, args in (("an empty client ID", [""]), ("a client ID with a line feed", ["a\nb"]),
                       ("a javascript: redirect URI", ["js_app", "--redirect-uri", "javascript:alert(1)"]),
                       ("a data: redirect URI", ["data_app", "--redirect-uri", "data:text/html,x"]),
                       ("plain http to a remote host", ["http_app", "--redirect-uri", "http://app.example/cb"]),
                       ("http to a host named like loopback", ["lb_app", "--redirect-uri", "http://127.0.0.1.evil/cb"]),
                       ("a fragment", ["frag_app", "--redirect-uri", "https://app.example/cb#x"])):
        out = run_admin(binary, "add-client", "--db", db, *args, stdin=b"\n")
        check(out.returncode != 0 and b"token_server" in out.stderr, "add-client with %s succeeded" % what)
    for i, uri in enumerate(("https://app.example/cb", "http://127.0.0.1/cb", "http://[::1]:8000/cb",
                             "http://localhost/cb", "com.example.app:/oauth2redirect")):
        admin_ok(binary, "add-client with the redirect URI " + uri, "add-client", "--db", db, "uri_app_%d" % i,
                 "--redirect-uri", uri, stdin=b"\n")

    # Secrets by origin: generated and declared high-entropy ones as SHA-256, given ones
    # as argon2id, whose wrong secret costs an argon2id check (tens of milliseconds).
    strong = "f" * 31 + "0"
    SECRETS.add(strong)
    out = run_admin(binary, "add-client", "--db", db, "short_app", "--high-entropy-secret", stdin=b"too-short\n")
    check(out.returncode != 0, "--high-entropy-secret accepted a 9-character secret")
    out = run_admin(binary, "add-client", "--db", db, "strong_app", "--high-entropy-secret", stdin=strong.encode())
    check(out.returncode == 0, "--high-entropy-secret with 32 characters: %r" % out.stderr)
    expect_token(server.token_request(VENDOR_USERNAME_BODY, authorization=basic("strong_app", strong)),
                 "a declared high-entropy secret")
    expect_error(server.token_request(VENDOR_USERNAME_BODY, authorization=basic(client_id, "wrong-4c1e")), 401,
                 "invalid_client", "a wrong secret of an argon2id client")
    check(last_elapsed_us(server) > 10000, "a wrong argon2id secret answered in %d us: no argon2id check" %
          last_elapsed_us(server))
    schemes = {row[0]: row[1] for row in STORE.rows("SELECT id, substr(secret_hash, 1, 10) FROM clients")}
    check(schemes.get("138", "").startswith("sha256:") and schemes.get("generated_app", "").startswith("sha256:") and
          schemes.get("strong_app", "").startswith("sha256:") and schemes.get(client_id) == "$argon2id$",
          "stored secret schemes: %r" % schemes)


def test_locations(binary, workdir, pg):
    """Which database --db names (token_database.hpp, names_postgres), and that a
    PostgreSQL password given in it is never printed."""
    print("--db: SQLite paths, PostgreSQL URIs and key=value strings", flush=True)
    out = subprocess.run([binary, "add-user", "--db", "./host=x.db", "--username", "u"], input=b"pw-6b1d\n",
                         capture_output=True, timeout=60, cwd=workdir)
    check(out.returncode == 0 and os.path.exists(os.path.join(workdir, "host=x.db")),
          "--db ./host=x.db is not a SQLite file: %r" % out.stderr[-300:])
    if not pg:
        return
    password = "db-password-9f3e"  # trust authentication ignores it; it must not be printed
    SECRETS.add(password)
    keywords = "host=%s dbname=tokens user=postgres password=%s" % (pg.socket_dir, password)
    out = run_admin(binary, "add-user", "--db", keywords, "--username", "kv_user", stdin=b"pw-6b1d\n")
    check(out.returncode == 0 and b"PostgreSQL database tokens" in out.stderr,
          "add-user with a key=value connection string: %r" % out.stderr[-300:])
    check(password.encode() not in out.stderr, "a key=value connection string's password was printed")
    check(STORE.rows("SELECT count(*) FROM users WHERE username = 'kv_user'") == [("1",)],
          "add-user with a key=value connection string did not reach PostgreSQL")
    uri = pg.uri("no_such_database") + "&password=" + password
    out = run_admin(binary, "add-user", "--db", uri, "--username", "x", stdin=b"pw-6b1d\n")
    check(out.returncode != 0 and b"no_such_database" in out.stderr and password.encode() not in out.stderr,
          "a URI naming a missing database: exit %d, %r" % (out.returncode, out.stderr[-300:]))
    out = subprocess.run([binary, "--port", "0", "--db", uri], stdin=subprocess.DEVNULL, capture_output=True,
                         timeout=60)
    check(out.returncode == 1 and password.encode() not in out.stderr,
          "the server on a missing database: exit %d, %r" % (out.returncode, out.stderr[-300:]))


def pkce_pair(first=None):
    """RFC 7636 4.1-4.2: a random verifier and its S256 challenge; `first`: a character the
    challenge must begin with (a '-' tests option values that look like options)."""
    while True:
        verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if first is None or challenge.startswith(first):
            SECRETS.add(verifier)
            return verifier, challenge


def admin_ok(binary, what, *args, stdin=b""):
    out = run_admin(binary, *args, stdin=stdin)
    check(out.returncode == 0, "%s: exit %d, %r" % (what, out.returncode, out.stderr[-300:]))
    return out.stdout.decode().strip()


def form(**fields):
    return urllib.parse.urlencode(fields)


def test_client_credentials(server, binary, db):
    """RFC 6749 4.4 on the real server."""
    print("client_credentials grant", flush=True)
    secret = "svc-secret-5d0c9b"
    SECRETS.add(secret)
    admin_ok(binary, "add-client svc", "add-client", "--db", db, "svc", "--grants", "client_credentials",
             stdin=secret.encode() + b"\n")
    auth = basic("svc", secret)
    # 4.4.3: an access token and no refresh token.
    token = expect_token(server.token_request("grant_type=client_credentials", authorization=auth),
                         "client_credentials with Basic", refresh=False)
    expect_token(server.token_request("grant_type=client_credentials&scope=read", authorization=auth),
                 "client_credentials with a scope", refresh=False)
    expect_error(server.token_request("grant_type=client_credentials&scope=admin", authorization=auth), 400,
                 "invalid_scope", "client_credentials, a scope not allowed")
    expect_error(server.token_request("grant_type=client_credentials", authorization=basic("svc", "wrong-4c1e")), 401,
                 "invalid_client", "client_credentials, wrong secret")
    # 4.4.2: the client MUST authenticate; a client_id alone is a public client, refused.
    expect_error(server.token_request("grant_type=client_credentials&client_id=svc", authorization=None), 401,
                 "invalid_client", "client_credentials without a secret")
    # The client is registered for client_credentials alone.
    expect_error(server.token_request(VENDOR_USERNAME_BODY, authorization=auth), 400, "unauthorized_client",
                 "svc asks for the password grant")
    # A client registered for client_secret_basic may not send its secret in the body.
    expect_error(server.token_request(form(grant_type="client_credentials", client_id="svc", client_secret=secret),
                                      authorization=None), 401, "invalid_client", "svc's secret in the body")
    if token:
        row = STORE.token_owner(stored_digest(token["access_token"]))
        check(row == (None, None), "client_credentials: stored as the client's own token without refresh: %r" % (row,))


def test_authorization_code(server, binary, db):
    """RFC 6749 4.1.3, RFC 7636 and RFC 9700 on the real server, with codes from mint-code."""
    print("authorization_code grant with PKCE", flush=True)
    redirect = "https://app.example/callback?from=oauthcore"
    admin_ok(binary, "add-client app (public)", "add-client", "--db", db, "app", "--auth-method", "none", "--grants",
             "authorization_code refresh_token", "--redirect-uri", redirect, "--redirect-uri",
             "http://127.0.0.1:9/cb")

    def mint(*extra, challenge_arg=None, client="app", uri=redirect):
        args = ["mint-code", "--db", db, "--client", client, "--user", "john_doe", "--redirect-uri", uri, *extra]
        if challenge_arg:
            args += challenge_arg
        code = admin_ok(binary, "mint-code " + " ".join(extra), *args)
        check(HEX64.match(code) is not None, "mint-code printed %r" % code[:80])
        SECRETS.add(code)
        return code

    def redeem(code, verifier, uri=redirect, client="app", authorization=None):
        fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": uri}
        if verifier is not None:
            fields["code_verifier"] = verifier
        if authorization is None:
            fields["client_id"] = client
        return server.token_request(urllib.parse.urlencode(fields), authorization=authorization)

    # Option values may begin with '-': "--code-challenge VALUE" and "--code-challenge=VALUE".
    verifier, challenge = pkce_pair("-")
    code = mint("--scope", "read", challenge_arg=["--code-challenge", challenge])
    # RFC 6749 5.1: the granted scope is sent, since the token request asked for none.
    first = expect_token(redeem(code, verifier), "a minted code with its verifier (challenge after a space)",
                         scope="read")
    # RFC 6749 4.1.2: a code works once; the second use is invalid_grant and revokes the pair.
    reused = redeem(code, verifier)
    expect_error(reused, 400, "invalid_grant", "the same code a second time")
    if first:
        status, _, _ = server.token_request(form(grant_type="refresh_token", refresh_token=first["refresh_token"],
                                                 client_id="app"), authorization=None)
        check(status == 400, "the reused code's refresh token still works (status %d)" % status)

    verifier, challenge = pkce_pair("-")
    code = mint(challenge_arg=["--code-challenge=" + challenge, "--code-challenge-method=S256"])
    token = expect_token(redeem(code, verifier), "a minted code (challenge after '=')")
    if token:  # a public client refreshes with its client_id (RFC 6749 6, rotation per RFC 9700 4.14.2)
        expect_token(server.token_request(form(grant_type="refresh_token", refresh_token=token["refresh_token"],
                                               client_id="app"), authorization=None), "the public client refreshes")

    # Every refused code gets the same invalid_grant body (no oracle).
    refused = []
    verifier, challenge = pkce_pair()
    refused.append(redeem(mint(challenge_arg=["--code-challenge", challenge]), pkce_pair()[0]))  # RFC 7636 4.6
    refused.append(redeem(mint(challenge_arg=["--code-challenge", challenge]), verifier,
                          uri="http://127.0.0.1:9/cb"))  # RFC 6749 4.1.3: redirect_uri must match
    refused.append(redeem(mint(challenge_arg=["--code-challenge", challenge]), None))  # RFC 9700 4.8.2
    refused.append(redeem("0" * 64, verifier))  # unknown code
    expired = mint("--expires-in", "1", challenge_arg=["--code-challenge", challenge])
    time.sleep(2.1)
    refused.append(redeem(expired, verifier))  # RFC 6749 4.1.2: short-lived
    for i, result in enumerate(refused):
        expect_error(result, 400, "invalid_grant", "refused code #%d" % i)
    check(all(comparable(r) == comparable(refused[0]) for r in refused), "refused codes do not all get the same answer")

    # A confidential client: Basic, and a code without PKCE (RFC 9700 2.1.1 RECOMMENDS, does not require, it).
    secret = "web-secret-8e21aa"
    SECRETS.add(secret)
    admin_ok(binary, "add-client web", "add-client", "--db", db, "web", "--grants", "authorization_code",
             "--redirect-uri", "https://web.example/cb", stdin=secret.encode() + b"\n")
    code = mint(client="web", uri="https://web.example/cb")
    expect_token(redeem(code, None, uri="https://web.example/cb", authorization=basic("web", secret)),
                 "a confidential client's code without PKCE")
    code = mint(client="web", uri="https://web.example/cb")
    expect_error(redeem(code, None, uri="https://web.example/cb", authorization=basic("app", "x")), 401,
                 "invalid_client", "another client's credentials")

    # A client of the authorization_code grant registers a redirect URI (RFC 6749 3.1.2.2).
    out = run_admin(binary, "add-client", "--db", db, "web-no-uri", "--grants", "authorization_code",
                    stdin=b"web-no-uri-secret\n")
    check(out.returncode == 2 and b"--redirect-uri" in out.stderr,
          "add-client --grants authorization_code without a redirect URI: %d %r" % (out.returncode, out.stderr))

    # mint-code refuses what an authorization endpoint would.
    for what, args in (("an unregistered redirect URI", ["--client", "app", "--redirect-uri", "https://evil.example/"]),
                       ("a public client without PKCE", ["--client", "app", "--redirect-uri", redirect]),
                       ("a client without the grant", ["--client", "svc", "--redirect-uri", redirect]),
                       ("an unknown user", ["--client", "web", "--user", "nobody", "--redirect-uri",
                                            "https://web.example/cb"]),
                       ("a malformed challenge", ["--client", "app", "--redirect-uri", redirect, "--code-challenge",
                                                  "short"])):
        full = ["mint-code", "--db", db] + args
        if "--user" not in args:
            full += ["--user", "john_doe"]
        out = run_admin(binary, *full)
        check(out.returncode != 0 and out.stdout == b"", "mint-code with %s succeeded" % what)

    stored = STORE.code_digests()
    check(hashlib.sha256(code.encode()).digest() in stored, "authorization codes are not stored as digests")


def test_device_code(server, binary, db):
    """RFC 8628 3.4-3.5 on the real server, with device-code and approve-device."""
    print("device_code grant", flush=True)
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    admin_ok(binary, "add-client tv", "add-client", "--db", db, "tv", "--auth-method", "none", "--grants",
             "device_code refresh_token")

    def start(*extra):
        out = admin_ok(binary, "device-code", "device-code", "--db", db, "--client", "tv", *extra)
        try:
            started = json.loads(out)
        except ValueError:
            check(False, "device-code printed %r" % out[:200])
            return None
        check(HEX64.match(started.get("device_code", "")) is not None and
              re.match(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", started.get("user_code", "")) and
              started.get("interval") == 5, "device-code output %r" % started)
        SECRETS.add(started.get("device_code"))
        return started

    def poll(started, client="tv"):
        return server.token_request(form(grant_type=grant, device_code=started["device_code"], client_id=client),
                                    authorization=None)

    started = start("--scope", "read")
    if started:
        expect_error(poll(started), 400, "authorization_pending", "RFC 8628 3.5: polled before approval")
        expect_error(poll(started), 400, "slow_down", "RFC 8628 3.5: polled again within the interval")
        # The user types the code in lower case without the dash (RFC 8628 6.1).
        admin_ok(binary, "approve-device", "approve-device", "--db", db, "--user-code",
                 started["user_code"].replace("-", "").lower(), "--user", "john_doe")
        out = run_admin(binary, "approve-device", "--db", db, "--user-code", started["user_code"], "--deny")
        check(out.returncode != 0, "a decided request was decided again")
        expect_token(poll(started), "RFC 8628 3.5: polled after approval", scope="read")
        expect_error(poll(started), 400, "invalid_grant", "the device code a second time")

    started = start()
    if started:
        admin_ok(binary, "approve-device --deny", "approve-device", "--db", db, "--user-code", started["user_code"],
                 "--deny")
        expect_error(poll(started), 400, "access_denied", "RFC 8628 3.5: the user denied")
    started = start("--expires-in", "1")
    if started:
        time.sleep(2.1)
        expect_error(poll(started), 400, "expired_token", "RFC 8628 3.5: the device code expired")
        out = run_admin(binary, "approve-device", "--db", db, "--user-code", started["user_code"], "--user",
                        "john_doe")
        check(out.returncode != 0, "an expired request was approved")
    admin_ok(binary, "add-client tv2", "add-client", "--db", db, "tv2", "--auth-method", "none", "--grants", "device_code")
    started = start()
    if started:
        expect_error(poll(started, client="tv2"), 400, "invalid_grant", "RFC 8628 3.4: another client's device code")
        expect_error(poll(started, client="app"), 400, "unauthorized_client", "a client without the device grant")
    # An approved code is spent only together with its tokens (redeem_device_code): another
    # client's poll, or a failure to store the tokens, leaves it for the device.
    started = start("--scope", "read")
    if started:
        admin_ok(binary, "approve-device", "approve-device", "--db", db, "--user-code", started["user_code"],
                 "--user", "john_doe")
        expect_error(poll(started, client="tv2"), 400, "invalid_grant", "another client polls an approved code")
        STORE.fail_token_inserts(True)
        try:
            expect_error(poll(started), 500, "server_error", "an approved code while token inserts fail")
        finally:
            STORE.fail_token_inserts(False)
        expect_token(poll(started), "the approved code after another client's poll and a failed insert",
                     scope="read")
        expect_error(poll(started), 400, "invalid_grant", "and then it is used up")
    out = run_admin(binary, "approve-device", "--db", db, "--user-code", "BCDF-GHJK", "--user", "john_doe")
    check(out.returncode != 0, "an unknown user code was approved")


def page_request(server, query=None, body=None, cookie=None):
    """GET /authorize?query, or POST /authorize with a form body (and a cookie)."""
    headers = {"Cookie": cookie} if cookie else {}
    if body is None:
        return server.request("GET", "/authorize?" + query, headers=headers)
    headers["Content-Type"] = FORM
    return server.request("POST", "/authorize", body.encode(), headers)


def hidden_fields(body):
    """The page's hidden fields as a browser reads them (HTML character references decoded)."""
    return {name: html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body.decode())}


def test_authorization_endpoint(server, binary, db):
    """The sign-in page (RFC 6749 3.1, 4.1.1-4.1.2.1, 3.1.2; RFC 7636 4.3; RFC 9700 2.1,
    4.1.3, 4.11; RFC 9207) on the real server."""
    print("authorization endpoint and sign-in page", flush=True)
    one = "http://127.0.0.1:9/one"
    admin_ok(binary, "add-client page", "add-client", "--db", db, "page", "--auth-method", "none", "--grants",
             "authorization_code refresh_token", "--redirect-uri", one, "--redirect-uri", "http://127.0.0.1:9/two")
    admin_ok(binary, "add-client nogrant", "add-client", "--db", db, "nogrant", "--auth-method", "none", "--grants",
             "refresh_token", "--redirect-uri", one)
    verifier, challenge = pkce_pair()
    state = "st<\"'&>"
    base = dict(response_type="code", client_id="page", redirect_uri=one, state=state, code_challenge=challenge,
                code_challenge_method="S256", scope="read")
    issuer = "http://%s:%d" % (HOST, server.port)

    status, headers, body = page_request(server, form(**base))
    check(status == 200 and headers.get("content-type", "").startswith("text/html"), "a valid request: the page")
    csp = headers.get("content-security-policy", "")
    check("default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self' http://127.0.0.1:9"
          in csp, "Content-Security-Policy %r" % csp)
    check(headers.get("x-frame-options") == "DENY", "X-Frame-Options: DENY (RFC 6749 10.13)")
    check(headers.get("cache-control") == "no-store" and headers.get("referrer-policy") == "no-referrer",
          "the page is not cached and sends no referrer")
    cookie = headers.get("set-cookie", "")
    check(re.match(r"^oauthcore_csrf=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict$", cookie) is not None,
          "the CSRF cookie: HttpOnly, SameSite=Strict (%r)" % cookie)
    fields = hidden_fields(body)
    check(b"<script>" not in body and b"st&lt;&quot;&#39;&amp;&gt;" in body,
          "what the client sent is HTML-escaped on the page")
    csrf = cookie.split(";", 1)[0]

    # RFC 6749 4.1.2.1, 3.1.2.4, RFC 9700 4.11: errors about the client or the redirect URI
    # are a page, never a redirect.
    not_redirected = [
        ("an unknown client", dict(base, client_id="nobody")),
        ("no client_id", {k: v for k, v in base.items() if k != "client_id"}),
        ("an unregistered redirect_uri", dict(base, redirect_uri="http://127.0.0.1:9/evil")),
        ("a redirect_uri that differs in one character (RFC 9700 4.1.3: exact)",
         dict(base, redirect_uri=one + "/")),
        ("a redirect_uri with a fragment (RFC 6749 3.1.2)", dict(base, redirect_uri=one + "#x")),
        ("no redirect_uri with two registered (RFC 6749 3.1.2.3)",
         {k: v for k, v in base.items() if k != "redirect_uri"}),
    ]
    for what, params in not_redirected:
        status, headers, body = page_request(server, form(**params))
        check(status in (400, 401) and "location" not in headers and b"Request refused" in body,
              "%s: an error page, no redirect (status %d, Location %r)" % (what, status, headers.get("location")))
    for what, query in [("client_id twice (RFC 6749 3.1)", form(**base) + "&client_id=web"),
                        ("redirect_uri twice", form(**base) + "&redirect_uri=" + urllib.parse.quote(one, safe=""))]:
        status, headers, body = page_request(server, query)
        check(status == 400 and "location" not in headers, "%s: an error page, no redirect" % what)

    # RFC 8252 7.3: a loopback redirect URI may name any port (a native app's ephemeral
    # one); the redirect goes to the port requested. Another path, or https, still differs.
    moved = "http://127.0.0.1:51004/one"
    status, headers, body = page_request(server, form(**dict(base, redirect_uri=moved)))
    check(status == 200 and "form-action 'self' http://127.0.0.1:51004" in headers.get("content-security-policy", ""),
          "a loopback redirect_uri on another port (RFC 8252 7.3): status %d" % status)
    status, headers, body = page_request(server, form(**dict(base, redirect_uri="http://127.0.0.1:51004/evil")))
    check(status == 400 and "location" not in headers, "another path on another loopback port: an error page")
    # RFC 6749 Appendix A.5: a state with a control character is refused and not sent back.
    status, headers, body = page_request(server, form(**dict(base, state="a\x00b\nc")))
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers.get("location", "")).query))
    check(status == 302 and answer.get("error") == "invalid_request" and "state" not in answer,
          "a state with NUL and LF: %d %r" % (status, headers.get("location")))

    # Every other error goes back to the client with error, state and iss.
    redirected = [
        ("response_type=token", dict(base, response_type="token"), "unsupported_response_type"),
        ("a public client without PKCE (RFC 9700 2.1.1)",
         {k: v for k, v in base.items() if not k.startswith("code_challenge")}, "invalid_request"),
        ("plain PKCE while S256 only (RFC 7636 4.2)", dict(base, code_challenge_method="plain"), "invalid_request"),
        ("a challenge without a method, which means plain (RFC 7636 4.3)",
         {k: v for k, v in base.items() if k != "code_challenge_method"}, "invalid_request"),
        ("a scope not allowed (RFC 6749 3.3)", dict(base, scope="admin"), "invalid_scope"),
        ("a client without the grant", dict(base, client_id="nogrant"), "unauthorized_client"),
    ]
    for what, params, code in redirected:
        status, headers, body = page_request(server, form(**params))
        location = headers.get("location", "")
        answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        check(status == 302 and location.startswith(one + "?") and answer.get("error") == code and
              answer.get("state") == state and answer.get("iss") == issuer,
              "%s: 302 to the client with %s, state and iss (%d %r)" % (what, code, status, location[:120]))

    # The form's post: CSRF first, then the user's decision.
    posted = dict(fields, username="john_doe", password="john_doe_secret", decision="approve")
    status, headers, body = page_request(server, body=form(**posted))
    check(status == 403 and "location" not in headers, "a post without the CSRF cookie: 403, nothing issued")
    status, headers, body = page_request(server, body=form(**dict(posted, csrf="0" * 64)), cookie=csrf)
    check(status == 403 and "location" not in headers, "a post whose CSRF field differs from the cookie: 403")
    status, headers, body = page_request(server, body=form(**dict(posted, password="wrong-password-4c1e")),
                                         cookie=csrf)
    check(status == 200 and "location" not in headers and b"Wrong username or password" in body,
          "a wrong password: the page again with a message, no redirect")
    status, headers, body = page_request(server, body=form(**dict(posted, decision="deny")), cookie=csrf)
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers.get("location", "")).query))
    check(status == 303 and answer.get("error") == "access_denied" and answer.get("state") == state,
          "deny: 303 with access_denied and the state (RFC 6749 4.1.2.1)")
    status, headers, body = page_request(server, body=form(**posted), cookie=csrf)
    location = headers.get("location", "")
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    check(status == 303 and location.startswith(one + "?") and HEX64.match(answer.get("code", "")) and
          answer.get("state") == state and answer.get("iss") == issuer,
          "approve: 303 (RFC 9700 4.12) with code, state and iss (%r)" % location[:120])
    SECRETS.add(answer.get("code"))
    token = expect_token(server.token_request(form(grant_type="authorization_code", code=answer.get("code", ""),
                                                   redirect_uri=one, client_id="page", code_verifier=verifier),
                                              authorization=None, path="/oauth/token"),
                         "the page's code redeemed with the verifier", scope="read")
    return token


def endpoint_request(server, path, fields, authorization=None):
    headers = {"Content-Type": FORM}
    if authorization:
        headers["Authorization"] = authorization
    return server.request("POST", path, form(**fields).encode(), headers)


def introspect(server, token, authorization):
    status, headers, body = endpoint_request(server, "/oauth/introspect", {"token": token}, authorization)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {}


def test_revocation_and_introspection(server, binary, db, web_token):
    """RFC 7009 and RFC 7662 on the real server."""
    print("revocation and introspection", flush=True)
    secret = "rs-secret-0c5e7a"
    SECRETS.add(secret)
    admin_ok(binary, "add-client rs", "add-client", "--db", db, "rs", "--grants", "client_credentials",
             stdin=secret.encode() + b"\n")
    rs = basic("rs", secret)
    svc = basic("svc", "svc-secret-5d0c9b")
    pair = expect_token(server.token_request(VENDOR_USERNAME_BODY), "a pair for client 138")
    if not pair:
        return
    status, info = introspect(server, pair["access_token"], rs)
    check(status == 200 and info.get("active") is True and info.get("client_id") == VENDOR_CLIENT_ID and
          info.get("username") == "john_doe" and info.get("token_type") == "bearer" and
          isinstance(info.get("exp"), int) and isinstance(info.get("iat"), int) and info["exp"] > info["iat"] and
          info.get("sub"), "RFC 7662 2.2: a resource server sees an active token's members: %r" % info)
    status, info = introspect(server, pair["refresh_token"], VENDOR_AUTH)
    check(status == 200 and info.get("active") is True, "RFC 7662: a client sees its own refresh token")
    status, info = introspect(server, pair["access_token"], svc)
    check(status == 200 and info == {"active": False},
          "RFC 7662 4: another client that is no resource server learns nothing: %r" % info)
    status, info = introspect(server, "f" * 64, rs)
    check(status == 200 and info == {"active": False}, "RFC 7662 2.2: an unknown token is {\"active\":false}")
    expect_error(endpoint_request(server, "/oauth/introspect", {"token": pair["access_token"], "client_id": "page"}),
                 401, "invalid_client", "RFC 7662 2.1: a public client may not introspect")
    expect_error(endpoint_request(server, "/oauth/introspect", {"token": pair["access_token"]},
                                  basic("rs", "wrong-secret-4c1e")), 401, "invalid_client",
                 "introspection with a wrong secret")

    status, headers, body = endpoint_request(server, "/oauth/revoke", {"token": "e" * 64}, VENDOR_AUTH)
    check(status == 200 and body == b"", "RFC 7009 2.2: an unknown token: 200 with an empty body")
    status, headers, body = endpoint_request(server, "/oauth/revoke", {"token": "d" * 64, "token_type_hint": "jwt"},
                                             VENDOR_AUTH)
    check(status == 200 and body == b"", "RFC 7009 2.2: a token_type_hint the server does not know is ignored")
    expect_error(endpoint_request(server, "/oauth/revoke", {"token": pair["refresh_token"]}, svc), 400,
                 "unauthorized_client", "RFC 7009 2.1: another client's token is refused")
    status, info = introspect(server, pair["access_token"], rs)
    check(info.get("active") is True, "a refused revocation revoked nothing")
    # A wrong hint does not stop the search (RFC 7009 2.1): the refresh token named an access token.
    status, headers, body = endpoint_request(server, "/oauth/revoke",
                                             {"token": pair["refresh_token"], "token_type_hint": "access_token"},
                                             VENDOR_AUTH)
    check(status == 200 and body == b"", "RFC 7009 2.1: revoked with a wrong hint: 200")
    for kind in ("refresh_token", "access_token"):
        status, info = introspect(server, pair[kind], rs)
        check(info == {"active": False}, "after revoking the refresh token its %s is inactive (RFC 7009 2.1)" % kind)
    expect_error(refresh(server, pair["refresh_token"]), 400, "invalid_grant",
                 "a revoked refresh token cannot be used")
    # A public client revokes its own token by naming itself (RFC 7009 2.1, RFC 6749 2.1).
    if web_token and "access_token" in web_token:
        status, headers, body = endpoint_request(server, "/oauth/revoke",
                                                 {"token": web_token["access_token"], "client_id": "page"})
        status_after, info = introspect(server, web_token["refresh_token"], rs)
        check(status == 200 and info == {"active": False},
              "a public client revokes its access token, and its refresh token goes with it")


def test_device_authorization_and_metadata(server, binary, db):
    """RFC 8628 3.1-3.2 and RFC 8414 3 on the real server."""
    print("device authorization endpoint, metadata", flush=True)
    issuer = "http://%s:%d" % (HOST, server.port)
    status, headers, body = endpoint_request(server, "/oauth/device_authorization",
                                             {"client_id": "tv", "scope": "read"})
    started = json.loads(body) if status == 200 else {}
    check(status == 200 and HEX64.match(started.get("device_code", "")) and
          re.match(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", started.get("user_code", "")) and
          started.get("verification_uri") == issuer + "/device" and
          started.get("verification_uri_complete") == issuer + "/device?user_code=" + started.get("user_code", "") and
          started.get("expires_in") == 600 and started.get("interval") == 5,
          "RFC 8628 3.2: the device authorization response %r" % {k: v for k, v in started.items()
                                                                  if k != "device_code"})
    SECRETS.add(started.get("device_code"))
    expect_error(endpoint_request(server, "/oauth/device_authorization", {"client_id": "page"}), 400,
                 "unauthorized_client", "RFC 8628 3.1: a client without the device grant")
    expect_error(endpoint_request(server, "/oauth/device_authorization", {"client_id": "tv", "scope": "admin"}), 400,
                 "invalid_scope", "RFC 8628 3.1: a scope not allowed")
    status, headers, body = server.request("GET", "/.well-known/oauth-authorization-server")
    document = json.loads(body) if status == 200 else {}
    check(status == 200 and headers.get("content-type", "").startswith("application/json") and
          document.get("issuer") == issuer and document.get("authorization_endpoint") == issuer + "/authorize" and
          document.get("token_endpoint") == issuer + "/oauth/token" and
          document.get("revocation_endpoint") == issuer + "/oauth/revoke" and
          document.get("introspection_endpoint") == issuer + "/oauth/introspect" and
          document.get("device_authorization_endpoint") == issuer + "/oauth/device_authorization" and
          document.get("response_types_supported") == ["code"] and
          document.get("response_modes_supported") == ["query"] and
          document.get("code_challenge_methods_supported") == ["S256"] and
          document.get("scopes_supported") == SCOPES.split() and
          "none" not in document.get("introspection_endpoint_auth_methods_supported", ["none"]) and
          document.get("authorization_response_iss_parameter_supported") is True,
          "RFC 8414 2-3: the metadata document %r" % document)
    status, headers, body = server.request("POST", "/.well-known/oauth-authorization-server", b"",
                                           {"Content-Type": FORM})
    check(status == 405, "the metadata document is read with GET: POST is 405 (got %d)" % status)


def test_atomic_rotation(server):
    """A refresh's revocation of the old pair and the storing of the new one are one
    transaction: a failure injected between them (every INSERT into tokens fails) is a
    500, and the old refresh token still works once the failure is gone."""
    print("refresh: a failure between revocation and storing loses nothing", flush=True)
    token = expect_token(password_grant(server, "read"), "token for the failure injection")
    if not token:
        return
    old = stored_digest(token["refresh_token"])
    STORE.fail_token_inserts(True)
    try:
        expect_error(refresh(server, token["refresh_token"]), 500, "server_error", "refresh while inserts fail")
        check(STORE.live(old), "the failed refresh revoked the old pair (%s)" % STORE.name)
    finally:
        STORE.fail_token_inserts(False)
    expect_token(refresh(server, token["refresh_token"]), "the same refresh token after the failure", scope="read")
    check(not STORE.live(old), "the refresh after the failure did not revoke the old pair")
    expect_error(refresh(server, token["refresh_token"]), 400, "invalid_grant", "and then it is used up")


def test_tokens_before_ordered_digests(server):
    """A pair stored by its SHA-256, as servers before ordered digests stored it
    (random_token.hpp), keeps working: introspection finds it, its refresh token
    rotates it, and the new pair is stored by ordered digests."""
    print("tokens stored by a server before ordered digests", flush=True)
    pair = expect_token(password_grant(server, "read"), "a pair to store as an older server did")
    if not pair:
        return
    access, refresh_token = pair["access_token"], pair["refresh_token"]
    check(STORE.redigest(stored_digest(access), legacy_digest(access), legacy_digest(refresh_token)) == 1,
          "the pair's row was not found by its ordered digest (%s)" % STORE.name)
    status, info = introspect(server, access, VENDOR_AUTH)
    check(status == 200 and info.get("active") is True, "an access token stored by its SHA-256 is not active: %r"
          % info)
    rotated = expect_token(refresh(server, refresh_token), "a refresh token stored by its SHA-256", scope="read")
    check(not STORE.live(legacy_digest(refresh_token)), "the refresh did not revoke the pair stored by its SHA-256")
    if rotated:
        check(STORE.live(stored_digest(rotated["refresh_token"])), "the new pair is not stored by ordered digests")
    status, info = introspect(server, access, VENDOR_AUTH)
    check(status == 200 and info == {"active": False}, "a rotation revokes the old pair, yet its access token is active: %r"
          % info)


def test_concurrency(server):
    print("100 concurrent requests", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(lambda _: server.token_request(VENDOR_USERNAME_BODY), range(100)))
    statuses = [r[0] for r in results]
    check(statuses == [200] * 100, "concurrent statuses: %r" % sorted(set(statuses)))
    tokens = [json.loads(r[2]) for r in results if r[0] == 200]
    for t in tokens:
        SECRETS.update({t["access_token"], t["refresh_token"]})
    check(len({t["access_token"] for t in tokens}) == 100, "concurrent requests: access tokens not distinct")
    check(len({t["refresh_token"] for t in tokens}) == 100, "concurrent requests: refresh tokens not distinct")
    check(all(HEX64.match(t["access_token"]) for t in tokens), "concurrent requests: a token is not 64 hex")
    return tokens


def refresh(server, refresh_token, scope=None, authorization=VENDOR_AUTH):
    body = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    if scope is not None:
        body["scope"] = scope
    return server.token_request(urllib.parse.urlencode(body), authorization=authorization)


def password_grant(server, scope=None, authorization=VENDOR_AUTH):
    body = VENDOR_USERNAME_BODY + ("&scope=" + urllib.parse.quote_plus(scope) if scope is not None else "")
    return server.token_request(body, authorization=authorization)


def test_refresh(server, binary, db):
    """RFC 6749 6 on the real server: one use per refresh token, invalid_grant alike for
    reused, unknown and other clients' tokens, scope narrowing only. Returns a refresh
    token for after the restart."""
    print("refresh_token grant", flush=True)
    first = expect_token(password_grant(server, "read write"), "password grant with scope")
    if not first:
        return None
    refreshed = expect_token(refresh(server, first["refresh_token"]), "refresh", scope="read write")
    check(refreshed is None or refreshed["refresh_token"] != first["refresh_token"], "refresh: same refresh token")
    reused = refresh(server, first["refresh_token"])
    expect_error(reused, 400, "invalid_grant", "refresh token used twice")
    unknown = refresh(server, "0" * 64)
    expect_error(unknown, 400, "invalid_grant", "unknown refresh token")
    check(comparable(reused) == comparable(unknown), "reused and unknown refresh tokens answered differently")

    print("refresh: another client's token, scope", flush=True)
    other_secret = "other-app-secret-7d2b"
    SECRETS.add(other_secret)
    out = run_admin(binary, "add-client", "--db", db, "other_app", stdin=other_secret.encode())
    check(out.returncode == 0, "add-client other_app: %r" % out.stderr)
    other_auth = basic("other_app", other_secret)
    theirs = expect_token(password_grant(server, authorization=other_auth), "password grant for other_app")
    if theirs:
        stolen = refresh(server, theirs["refresh_token"])
        expect_error(stolen, 400, "invalid_grant", "another client's refresh token")
        check(comparable(stolen) == comparable(unknown), "another client's and an unknown token answered differently")
        expect_token(refresh(server, theirs["refresh_token"], authorization=other_auth),
                     "other_app's refresh token, after 138 tried it")
    current = refreshed["refresh_token"] if refreshed else ""
    expect_error(refresh(server, current, scope="read write profile"), 400, "invalid_scope",
                 "refresh with a scope wider than granted")
    expect_error(refresh(server, current, scope="admin"), 400, "invalid_scope", "refresh with a scope outside --scopes")
    expect_error(refresh(server, current, scope="read  write"), 400, "invalid_scope", "refresh with bad scope syntax")
    narrower = expect_token(refresh(server, current, scope="read"), "refresh with a narrower scope (not burned before)")
    if narrower:
        # RFC 6749 6: "the refresh token scope MUST be identical to that of the refresh
        # token included by the client in the request": only the access token narrowed.
        again = expect_token(refresh(server, narrower["refresh_token"], scope="read write"),
                             "refresh after narrowing, asking for the original scope again")
        if again:
            expect_token(refresh(server, again["refresh_token"]), "refresh without scope after narrowing",
                         scope="read write")
    expect_error(password_grant(server, "read admin"), 400, "invalid_scope", "password grant, scope outside --scopes")
    # Duplicates collapse (RFC 6749 3.3 via oauthcore): granted as normalized, so no scope
    # member; the refresh shows what was stored.
    collapsed = expect_token(password_grant(server, "profile read profile"), "password grant, duplicate scope token")
    if collapsed:
        expect_token(refresh(server, collapsed["refresh_token"]), "refresh of a collapsed scope", scope="profile read")

    print("refresh: concurrent use of one refresh token", flush=True)
    racer = expect_token(password_grant(server, "write"), "token for the race")
    if racer:
        barrier = threading.Barrier(8)

        def race(_):
            barrier.wait(timeout=60)
            return refresh(server, racer["refresh_token"])

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(race, range(8)))
        winners = [r for r in results if r[0] == 200]
        check(len(winners) == 1, "8 concurrent refreshes of one token: %d succeeded" % len(winners))
        for r in winners:
            expect_token(r, "the concurrent refresh that won", scope="write")
        for r in results:
            if r[0] != 200:
                expect_error(r, 400, "invalid_grant", "a concurrent refresh that lost")

    return expect_token(password_grant(server, "read profile"), "token to refresh after the restart")


SCHEMA_V1 = """
CREATE TABLE clients (id TEXT PRIMARY KEY NOT NULL, secret_hash TEXT NOT NULL,
  password_grant INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL) STRICT;
CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE, email_address TEXT COLLATE NOCASE UNIQUE,
  password_hash TEXT NOT NULL, created_at INTEGER NOT NULL,
  CHECK (username IS NOT NULL OR email_address IS NOT NULL)) STRICT;
CREATE TABLE tokens (id INTEGER PRIMARY KEY, access_digest BLOB NOT NULL UNIQUE, refresh_digest BLOB NOT NULL UNIQUE,
  client_id TEXT NOT NULL REFERENCES clients(id), user_id INTEGER NOT NULL REFERENCES users(id),
  scope TEXT NOT NULL DEFAULT '', issued_at INTEGER NOT NULL, access_expires_at INTEGER NOT NULL,
  revoked_at INTEGER) STRICT;
CREATE INDEX tokens_by_user ON tokens(user_id);
PRAGMA user_version = 1;
"""


def test_migration(binary, workdir, db):
    """A version-1 database (clients and users copied from `db`) is migrated in place;
    its refresh tokens, which had no lifetime, are expired; new ones work."""
    print("schema migration from version 1", flush=True)
    old_db = os.path.join(workdir, "v1.db")
    old_refresh = "1" * 64
    now = int(time.time())
    with sqlite3.connect(old_db) as connection:
        connection.executescript(SCHEMA_V1)
        connection.execute("ATTACH DATABASE ? AS current", (db,))
        connection.execute("INSERT INTO clients SELECT id, secret_hash, 1, created_at FROM current.clients "
                           "WHERE auth_method != 'none'")
        connection.execute("INSERT INTO users SELECT id, username, email_address, password_hash, created_at "
                           "FROM current.users")
        connection.execute("INSERT INTO tokens (access_digest, refresh_digest, client_id, user_id, issued_at, "
                           "access_expires_at) SELECT ?, ?, '138', id, ?, ? FROM users WHERE username = 'john_doe'",
                           (hashlib.sha256(b"2" * 64).digest(), hashlib.sha256(old_refresh.encode()).digest(), now,
                            now + 604800))
    server = Server(binary, workdir, old_db, "--scopes", SCOPES)
    with sqlite3.connect("file:%s?mode=ro" % old_db, uri=True, timeout=30) as connection:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        columns = [row[1] for row in connection.execute("PRAGMA table_info(tokens)")]
        columns += [row[1] for row in connection.execute("PRAGMA table_info(device_codes)")]
        grants = connection.execute("SELECT grants FROM clients WHERE id = '138'").fetchone()
        kept = connection.execute("SELECT count(*) FROM tokens WHERE access_digest = ?",
                                  (hashlib.sha256(b"2" * 64).digest(),)).fetchone()[0]
    check(version == 4 and "refresh_expires_at" in columns and "code_digest" in columns and
          "confirmation_digest" in columns and "confirming_user_id" in columns,
          "migration: version %r, columns %r" % (version, columns))
    check(grants == ("password refresh_token",) and kept == 1,
          "migration: client grants %r, the old token row kept %r" % (grants, kept))
    expect_error(refresh(server, old_refresh), 400, "invalid_grant", "migration: a version-1 refresh token")
    token = expect_token(password_grant(server, "read"), "migration: password grant after")
    if token:
        expect_token(refresh(server, token["refresh_token"]), "migration: refresh after", scope="read")
    check(server.stop() == 0, "migration: exit status")
    test_log(server, "migration run")


def stop_with_requests_in_flight(server, count=6):
    """SIGTERM while requests are being answered: each still gets its 200, then exit 0.
    `count` at once on the server's workers take several argon2id checks' time, so that
    some are still in flight when the signal comes even when this process is slow to send
    it (one request alone was answered before the signal once in a while)."""
    headers = {"Content-Type": FORM, "Authorization": VENDOR_AUTH}
    connections = [http.client.HTTPConnection(HOST, server.port, timeout=120) for _ in range(count)]
    results = []
    try:
        # A first request on each makes sure the server has accepted the connection; the
        # second ones are sent and left to the server's argon2id checks while the signal comes.
        for connection in connections:
            connection.request("POST", TOKEN_PATH, VENDOR_USERNAME_BODY.encode(), headers)
            connection.getresponse().read()
        for connection in connections:
            connection.request("POST", TOKEN_PATH, VENDOR_USERNAME_BODY.encode(), headers)
        server.requests += 2 * count
        time.sleep(0.01)
        server.process.send_signal(signal.SIGTERM)
        for connection in connections:
            response = connection.getresponse()
            results.append((response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()))
    finally:
        for connection in connections:
            connection.close()
    tokens = [expect_token(result, "request %d of %d in flight during SIGTERM" % (i + 1, count))
              for i, result in enumerate(results)]
    status = server.stop(None)
    text = server.log_text()
    check("SIGTERM: stopping" in text and text.index("SIGTERM: stopping") < text.rindex(" 200 - "),
          "no request in flight was answered after the signal")
    return status, [token for token in tokens if token]


def test_purge(binary, workdir, pg):
    """token_server purge: what can no longer be used goes, a code stays while a token
    issued for it does (its second use revokes them, RFC 6749 4.1.2), the rest stays."""
    print("purge", flush=True)
    store = PostgresStore(pg, "purge") if pg else SqliteStore(os.path.join(workdir, "purge.db"))
    db = store.location
    server = Server(binary, workdir, db)
    for _ in range(3):
        expect_token(server.token_request(VENDOR_USERNAME_BODY), "purge: a password token")
    redirect = "https://app.example/cb"
    admin_ok(binary, "purge: add-client", "add-client", "--db", db, "pk", "--auth-method", "none", "--grants",
             "authorization_code urn:ietf:params:oauth:grant-type:device_code", "--redirect-uri", redirect)
    codes = []
    for _ in range(2):
        verifier, challenge = pkce_pair()
        code = admin_ok(binary, "purge: mint-code", "mint-code", "--db", db, "--client", "pk", "--user", "john_doe",
                        "--redirect-uri", redirect, "--code-challenge", challenge)
        SECRETS.add(code)
        codes.append((code, verifier))
    code, verifier = codes[0]
    expect_token(server.token_request(urllib.parse.urlencode(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "client_id": "pk",
         "code_verifier": verifier}), authorization=None), "purge: a redeemed code")
    admin_ok(binary, "purge: device-code", "device-code", "--db", db, "--client", "pk")
    server.stop()
    check((store.count("tokens"), store.count("authorization_codes"), store.count("device_codes")) == (4, 2, 1),
          "purge: rows before %r" % ((store.count("tokens"), store.count("authorization_codes"),
                                      store.count("device_codes")),))
    # Everything expired long ago, but one password pair's refresh token (still usable)
    # and the tokens of the redeemed code.
    store.execute("UPDATE device_codes SET expires_at = 100")
    store.execute("UPDATE authorization_codes SET expires_at = 100")
    store.execute("UPDATE tokens SET access_expires_at = 100 WHERE code_digest IS NULL")
    store.execute("UPDATE tokens SET refresh_expires_at = 100 WHERE code_digest IS NULL AND id <> "
                  "(SELECT max(id) FROM tokens WHERE code_digest IS NULL)")
    # More than one batch (purge_batch_rows, 1000) of expired device codes.
    store.add_expired_device_codes("pk", 2500)
    out = run_admin(binary, "purge", "--db", db, "--grace", "0")
    check(out.returncode == 0 and b"purged 2 tokens, 1 authorization codes and 2501 device codes" in out.stderr,
          "purge: exit %d, %r" % (out.returncode, out.stderr[-300:]))
    check((store.count("tokens"), store.count("authorization_codes"), store.count("device_codes")) == (2, 1, 0),
          "purge: rows after %r" % ((store.count("tokens"), store.count("authorization_codes"),
                                     store.count("device_codes")),))
    # The code's tokens expire: the code goes with them, in the same purge.
    store.execute("UPDATE tokens SET access_expires_at = 100, refresh_expires_at = 100 WHERE code_digest IS NOT NULL")
    out = run_admin(binary, "purge", "--db", db)
    check(out.returncode == 0 and b"purged 1 tokens, 1 authorization codes and 0 device codes" in out.stderr,
          "purge, the code's tokens expired: exit %d, %r" % (out.returncode, out.stderr[-300:]))
    out = run_admin(binary, "purge", "--db", db, "--grace", "-1")
    check(out.returncode == 2, "purge --grace -1: exit %d" % out.returncode)


def test_log(server, what, reasons=(), database_error=None):
    """After the server stopped (the log line of a request follows its response).
    database_error: a text the database's message for a failed request holds."""
    text = server.log_text()
    logged = [m.group(4, 5) for m in (LOG_LINE.match(line) for line in text.splitlines()) if m]
    for code_and_reason in reasons:
        check(code_and_reason in logged, "%s: no log line with %s %s" % ((what,) + code_and_reason))
    if database_error:
        check(any(line.startswith("token_server: database error: ") and database_error in line
                  for line in text.splitlines()),
              "%s: the database's message (%s) is not logged" % (what, database_error))
    leaked = [s for s in SECRETS if s and s in text]
    check(not leaked, "%s: the log holds %d secret(s), passwords or tokens" % (what, len(leaked)))
    request_lines = [line for line in text.splitlines() if LOG_LINE.match(line)]
    check(len(request_lines) == server.requests,
          "%s: %d request log lines for %d requests" % (what, len(request_lines), server.requests))


def test_device_page_code_guessing(server, binary, db):
    """RFC 8628 5.1: the server MUST rate-limit user codes. A signed-in user who tries wrong
    codes is refused after --max-failures (5) of them, although each attempt signs in with
    the right password (which used to forget the count, so one account could guess
    without end)."""
    print("device page: wrong user codes by one signed-in user", flush=True)
    password = "guesser-password-8d2f"
    SECRETS.add(password)
    out = run_admin(binary, "add-user", "--db", db, "--username", "guesser", stdin=password.encode() + b"\n")
    check(out.returncode == 0, "add-user guesser: %r" % out.stderr)
    status, headers, _ = server.request("GET", "/device")
    cookie = headers.get("set-cookie", "").split(";", 1)[0]
    check(status == 200 and cookie.startswith("oauthcore_csrf="), "GET /device: the form and its CSRF cookie")
    posted = urllib.parse.urlencode({"user_code": "ZZZZ-ZZZZ", "username": "guesser", "password": password,
                                     "csrf": cookie.split("=", 1)[1], "decision": "approve"})
    statuses = [server.request("POST", "/device", posted.encode(), {"Content-Type": FORM, "Cookie": cookie})[0]
                for _ in range(6)]
    check(statuses == [200] * 5 + [429], "wrong user codes with the right password: statuses %r" % statuses)


def test_device_page_confirmation(server, binary, db):
    """RFC 8628 5.4: the verification page names the client and the scope, after the
    sign-in and before the user decides; the decision carries a confirmation recorded for
    that user, code and browser (codes.hpp, begin_device_confirmation)."""
    print("device page: the confirmation step", flush=True)
    password = "confirmer-password-41c7"
    SECRETS.add(password)
    out = run_admin(binary, "add-user", "--db", db, "--username", "confirmer", stdin=password.encode() + b"\n")
    check(out.returncode == 0, "add-user confirmer: %r" % out.stderr)
    grant = "urn:ietf:params:oauth:grant-type:device_code"

    def start(*extra):
        started = json.loads(admin_ok(binary, "device-code", "device-code", "--db", db, "--client", "tv",
                                      "--scope", "read", *extra))
        SECRETS.add(started["device_code"])
        return started

    def poll(started):
        return server.token_request(form(grant_type=grant, device_code=started["device_code"], client_id="tv"),
                                    authorization=None)

    def browser():
        status, headers, _ = server.request("GET", "/device")
        cookie = headers.get("set-cookie", "").split(";", 1)[0]
        check(status == 200 and cookie.startswith("oauthcore_csrf="), "GET /device: the form and its CSRF cookie")
        return cookie

    def post(cookie, **fields):
        fields["csrf"] = cookie.split("=", 1)[1]
        status, _, body = server.request("POST", "/device", urllib.parse.urlencode(fields).encode(),
                                         {"Content-Type": FORM, "Cookie": cookie})
        return status, body.decode("utf-8", "replace")

    def sign_in(cookie, user_code):
        status, page = post(cookie, user_code=user_code, username="confirmer", password=password, decision="approve")
        found = re.search(r'name="confirmation" value="([^"]+)"', page)
        return status, page, html.unescape(found.group(1)) if found else None

    started = start()
    # verification_uri_complete (RFC 8628 3.3.1) fills the code in, as the device shows it;
    # other text in the link is not put on the page (anyone can write such a link).
    typed = started["user_code"].lower().replace("-", " ")
    _, _, body = server.request("GET", "/device?" + urllib.parse.urlencode({"user_code": typed}))
    check('value="%s"' % started["user_code"] in body.decode(), "GET /device?user_code=...: the code filled in")
    lure = "Your account is locked. Call +1-555-0100 now"
    _, _, body = server.request("GET", "/device?" + urllib.parse.urlencode({"user_code": lure}))
    # (Phrases, not digits: the page's random CSRF token may hold any digits.)
    check("account is locked" not in body.decode() and "Call +1" not in body.decode(),
          "GET /device: text that is not a user code is not filled in")
    cookie = browser()
    # What a phishing link could put around the code is not shown as the code.
    # (Only characters outside the code's alphabet: digits, punctuation, vowels.)
    typed = started["user_code"].lower().replace("-", " ") + " (1-800-000 !!! aaa)"
    status, page, confirmation = sign_in(cookie, typed)
    check(status == 200 and "<h1>Allow this device?</h1>" in page and '<span class="client">tv</span>' in page and
          "<code>read</code>" in page and "<code>%s</code>" % started["user_code"] in page and
          "1-800" not in page and confirmation is not None and 'value="deny"' in page and password not in page,
          "after the sign-in the page names the client, the scope and the code (RFC 8628 5.4): %r" % page[:400])
    expect_error(poll(started), 400, "authorization_pending", "a decision posted with the sign-in decides nothing")
    if confirmation is None:
        return
    SECRETS.add(confirmation)
    code = started["user_code"]

    other_browser = browser()
    status, page = post(other_browser, user_code=code, confirmation=confirmation, decision="approve")
    check(status == 403 and other_browser != cookie,
          "the confirmation from another browser (another CSRF cookie) is refused: %d" % status)
    changed = confirmation[:-1] + ("0" if confirmation[-1] != "0" else "1")
    status, _ = post(cookie, user_code=code, confirmation=changed, decision="approve")
    check(status == 403, "a changed confirmation is refused: %d" % status)
    other = start()
    status, _ = post(cookie, user_code=other["user_code"], confirmation=confirmation, decision="approve")
    check(status == 403, "the confirmation for another user code is refused: %d" % status)
    status, _ = post(cookie, user_code=code, confirmation=confirmation, decision="maybe")
    check(status == 400, "a decision other than approve or deny: %d" % status)
    # Still pending: slow_down when polled within the interval (the usual case here), else
    # authorization_pending (a slow machine may take the interval for the posts above).
    status, _, body = poll(started)
    check(status == 400 and json.loads(body).get("error") in ("slow_down", "authorization_pending"),
          "still pending after the refused posts: %d %r" % (status, body[:200]))
    expect_error(poll(other), 400, "authorization_pending", "the other request is untouched")

    # Signing in again hands out a new confirmation, and the first no longer works.
    status, _, again = sign_in(cookie, code)
    check(status == 200 and again is not None and again != confirmation, "a second sign-in: a new confirmation")
    SECRETS.add(again)
    status, _ = post(cookie, user_code=code, confirmation=confirmation, decision="approve")
    check(status == 403, "the replaced confirmation is refused: %d" % status)
    status, page = post(cookie, user_code=code, confirmation=again, decision="approve")
    check(status == 200 and "<h1>Device connected</h1>" in page, "the confirmation and Allow approve: %d" % status)
    expect_token(poll(started), "RFC 8628 3.5: the device polls after the confirmed approval", scope="read")
    status, _ = post(cookie, user_code=code, confirmation=again, decision="deny")
    check(status == 403, "the confirmation a second time, once used: %d" % status)
    status, page, none = sign_in(cookie, code)
    check(status == 200 and none is None and "No device is waiting" in page,
          "signing in with a decided code: no confirmation: %d" % status)

    # Deny on the second page.
    status, _, confirmation = sign_in(cookie, other["user_code"])
    check(status == 200 and confirmation is not None, "sign-in for the second request")
    if confirmation:
        SECRETS.add(confirmation)
        status, page = post(cookie, user_code=other["user_code"], confirmation=confirmation, decision="deny")
        check(status == 200 and "<h1>Device refused</h1>" in page, "Deny: %d" % status)
        expect_error(poll(other), 400, "access_denied", "RFC 8628 3.5: the user denied on the page")

    # A request that expires between the two steps cannot be decided. It lives 5 s (stored
    # in whole seconds, so at least 4 s from here): time for the sign-in's argon2id check
    # on a slow machine.
    short_started = time.monotonic()
    short = start("--expires-in", "5")
    status, _, confirmation = sign_in(cookie, short["user_code"])
    check(status == 200 and confirmation is not None, "sign-in for a request about to expire")
    if confirmation:
        SECRETS.add(confirmation)
        time.sleep(max(0.0, short_started + 6.1 - time.monotonic()))
        status, _ = post(cookie, user_code=short["user_code"], confirmation=confirmation, decision="approve")
        check(status == 403, "the confirmation of an expired request: %d" % status)
        expect_error(poll(short), 400, "expired_token", "and the device is told it expired")


def main():
    args = sys.argv[1:]
    postgres = "--postgres" in args
    args = [a for a in args if a != "--postgres"]
    if len(args) != 1:
        sys.exit(__doc__)
    binary = os.path.abspath(args[0])
    try:
        if not postgres:
            return run(binary, None)
        if throwaway_postgres.bindir() is None:
            print("skipped: PostgreSQL is not installed (Debian: postgresql-15)", flush=True)
            return throwaway_postgres.SKIP
        with throwaway_postgres.Server() as pg:
            return run(binary, pg)
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def run(binary, pg):
    global STORE
    with tempfile.TemporaryDirectory(prefix="token_server_test_") as workdir:
        STORE = PostgresStore(pg, "tokens") if pg else SqliteStore(os.path.join(workdir, "tokens.db"))
        print("database: " + STORE.name, flush=True)
        db = STORE.location
        server = Server(binary, workdir, db, "--scopes", SCOPES, "--resource-servers", "rs")
        check("created " in server.log_text(), "a new database was not reported as created")
        issued = test_vendor_examples(server)
        after_restart = test_refresh(server, binary, db)
        test_atomic_rotation(server)
        test_tokens_before_ordered_digests(server)
        test_error_classes(server)
        test_methods_and_paths(server)
        test_oversized_bodies(server)
        test_special_credentials(server, binary, db)
        test_client_credentials(server, binary, db)
        test_authorization_code(server, binary, db)
        test_device_code(server, binary, db)
        web_token = test_authorization_endpoint(server, binary, db)
        test_revocation_and_introspection(server, binary, db, web_token)
        test_device_authorization_and_metadata(server, binary, db)
        test_device_page_code_guessing(server, binary, db)
        test_device_page_confirmation(server, binary, db)
        test_locations(binary, workdir, pg)
        issued += test_concurrency(server)

        print("restart", flush=True)
        status, in_flight = stop_with_requests_in_flight(server)
        issued += in_flight
        check(status == 0, "SIGTERM: exit status %r" % status)
        check(server.log_text().rstrip().endswith("stopped"), "SIGTERM: no 'stopped' line")
        test_log(server, "first run", [("invalid_client", "client_rejected"), ("invalid_client", "user_rejected"),
                                       ("invalid_grant", "refresh_token_rejected"), ("-", "-"),
                                       ("invalid_scope", "scope_exceeds_grant"), ("invalid_scope", "scope_not_allowed"),
                                       ("server_error", "refresh_store_failure")], database_error="injected failure")

        # Refresh tokens issued from now on live 2 s, so that one can be seen expire.
        server = Server(binary, workdir, db, "--profile", "rfc6749", "--scopes", SCOPES, "--refresh-expires-in", "2")
        check("created " not in server.log_text(), "an existing database was reported as created")
        short_lived = expect_token(server.token_request(VENDOR_USERNAME_BODY), "a refresh token that lives 2 s")
        short_lived_at = time.monotonic()
        rows = STORE.pairs()
        access = {row[0] for row in rows}
        refresh_digests = {row[1] for row in rows}
        check(all(stored_digest(t["access_token"]) in access for t in issued),
              "an access token issued before the restart is not in the database")
        check(all(stored_digest(t["refresh_token"]) in refresh_digests for t in issued),
              "a refresh token issued before the restart is not in the database")
        check(all(row[2] == 604800 for row in rows), "a stored expiry is not issued_at + 604800")
        check(all(row[3] in (2592000, 2) for row in rows), "a stored refresh expiry is not issued_at + 2592000 (or 2)")
        stored_text = STORE.stored_bytes()
        check(not any(s.encode() in stored_text for s in SECRETS if s), "the database file holds a secret in clear")

        print("refresh after the restart, expiry", flush=True)
        if after_restart:
            expect_token(refresh(server, after_restart["refresh_token"]), "refresh of a token issued before the restart",
                         scope="read profile")
            expect_error(refresh(server, after_restart["refresh_token"]), 400, "invalid_grant",
                         "second use after the restart (rfc6749 profile)")
        if short_lived:
            time.sleep(max(0.0, short_lived_at + 3.1 - time.monotonic()))
            expect_error(refresh(server, short_lived["refresh_token"]), 400, "invalid_grant", "expired refresh token")

        print("rfc6749 profile, server_error", flush=True)
        expect_token(server.token_request(VENDOR_EMAIL_BODY), "vendor example after the restart")
        wrong_password = server.token_request("grant_type=password&username=john_doe&password=wrong-password-4c1e")
        unknown_user = server.token_request("grant_type=password&username=no_such_user&password=wrong-password-4c1e")
        expect_error(wrong_password, 400, "invalid_grant", "wrong password (rfc6749)")
        expect_error(unknown_user, 400, "invalid_grant", "unknown user (rfc6749)")
        check(comparable(wrong_password) == comparable(unknown_user), "rfc6749: unknown user and wrong password differ")
        # A database that cannot store the token: 500 server_error, and no token is sent.
        STORE.drop_tokens()
        expect_error(server.token_request(VENDOR_USERNAME_BODY), 500, "server_error", "token table gone")
        status = server.stop(signal.SIGINT)
        check(status == 0, "SIGINT: exit status %r" % status)
        test_log(server, "second run", [("invalid_grant", "user_rejected"), ("invalid_grant", "refresh_token_rejected"),
                                        ("server_error", "issuer_failure")], database_error="tokens")
        test_purge(binary, workdir, pg)
        if pg:
            # A new PostgreSQL database is made at version 3 and migrated at once.
            check(STORE.schema_version() == 4, "PostgreSQL: schema_version %r" % STORE.schema_version())
            print("schema migration from version 1: not run (SQLite's history; PostgreSQL starts at version 3)",
                  flush=True)
        else:
            test_migration(binary, workdir, db)

    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
