#!/usr/bin/python3
"""Clients we did not write, against examples/token_server: requests-oauthlib and authlib
(Debian's python3-requests-oauthlib and python3-authlib) get tokens with the password
grant, with the client authenticated as each library does it.

usage: client_libraries_test.py PATH/TO/token_server

Starts the real binary on a free loopback port with a database made by its own admin
commands, in a temporary directory. Every wait is bounded. Prints one line per check and
a summary; exits 1 if any check failed.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

# oauthlib refuses http:// unless told: the server is on loopback only.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession  # noqa: E402
from oauthlib.oauth2 import LegacyApplicationClient  # noqa: E402
from oauthlib.oauth2.rfc6749.errors import OAuth2Error  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402
from requests_oauthlib import OAuth2Session  # noqa: E402

HOST = "127.0.0.1"
CLIENT_ID = "138"
CLIENT_SECRET = "e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"
USERNAME = "john_doe"
PASSWORD = "john_doe_secret"
failures = []
checks = 0


def check(condition, message):
    global checks
    checks += 1
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


class Server:
    def __init__(self, binary, workdir, db, *args):
        self.log_path = os.path.join(workdir, "server-%d.log" % time.monotonic_ns())
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([binary, "--host", HOST, "--port", "0", "--db", db, *args],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        self.port = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            with open(self.log_path, "rb") as f:
                found = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read())
            if found:
                self.port = int(found.group(1))
                break
            time.sleep(0.05)
        if self.port is None:
            self.stop()
            sys.exit("token_server did not start")
        self.token_url = "http://%s:%d/oauth/token" % (HOST, self.port)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def admin(binary, *args, stdin):
    result = subprocess.run([binary, *args], input=stdin, capture_output=True, timeout=120)
    if result.returncode != 0:
        sys.exit("token_server %s failed: %s" % (args[0], result.stderr.decode(errors="replace")))


def requests_oauthlib_password(server, client_id_in_body, basic):
    """requests-oauthlib's password grant (LegacyApplicationClient); returns the token."""
    session = OAuth2Session(client=LegacyApplicationClient(client_id=client_id_in_body))
    kwargs = {"auth": HTTPBasicAuth(*basic)} if basic else {"client_secret": CLIENT_SECRET}
    return session.fetch_token(token_url=server.token_url, username=USERNAME, password=PASSWORD,
                               include_client_id=True, timeout=120, **kwargs)


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as workdir:
        db = os.path.join(workdir, "tokens.db")
        admin(binary, "add-client", "--db", db, CLIENT_ID, stdin=(CLIENT_SECRET + "\n").encode())
        admin(binary, "add-user", "--db", db, "--username", USERNAME, stdin=(PASSWORD + "\n").encode())

        server = Server(binary, workdir, db)
        try:
            # RFC 6749 3.2.1: client_id in the body next to Basic, as include_client_id=True sends it.
            token = requests_oauthlib_password(server, CLIENT_ID, (CLIENT_ID, CLIENT_SECRET))
            check(len(token.get("access_token", "")) == 64 and token.get("token_type") == "bearer",
                  "requests-oauthlib, Basic + client_id in the body: 200 with a token")
            # A body client_id naming another client than Basic: 400 invalid_request (RFC 6749 2.3).
            try:
                requests_oauthlib_password(server, "139", (CLIENT_ID, CLIENT_SECRET))
                check(False, "requests-oauthlib, Basic + another client_id: refused")
            except OAuth2Error as e:
                check(e.status_code == 400 and e.error == "invalid_request",
                      "requests-oauthlib, Basic + another client_id: 400 invalid_request (got %s %s)" %
                      (e.status_code, e.error))
            # The same by hand, to see the status line itself.
            raw = requests.post(server.token_url, auth=HTTPBasicAuth(CLIENT_ID, CLIENT_SECRET), timeout=120,
                                data={"grant_type": "password", "username": USERNAME, "password": PASSWORD,
                                      "client_id": "139"})
            check(raw.status_code == 400 and raw.json().get("error") == "invalid_request",
                  "Basic + another client_id, by hand: 400 invalid_request")
            # Body credentials while client_secret_post is off: 401.
            try:
                requests_oauthlib_password(server, CLIENT_ID, None)
                check(False, "requests-oauthlib, body credentials while off: refused")
            except OAuth2Error as e:
                check(e.status_code == 401 and e.error == "invalid_client",
                      "requests-oauthlib, body credentials while off: 401 invalid_client")
            # authlib with client_secret_basic.
            session = AuthlibSession(CLIENT_ID, CLIENT_SECRET, token_endpoint_auth_method="client_secret_basic")
            token = session.fetch_token(server.token_url, grant_type="password", username=USERNAME,
                                        password=PASSWORD, timeout=120)
            check(len(token.get("access_token", "")) == 64, "authlib, client_secret_basic: 200 with a token")
        finally:
            server.stop()

        server = Server(binary, workdir, db, "--allow-body-client-auth")
        try:
            token = requests_oauthlib_password(server, CLIENT_ID, None)
            check(len(token.get("access_token", "")) == 64,
                  "requests-oauthlib, client_secret_post enabled, body credentials: 200 with a token")
            session = AuthlibSession(CLIENT_ID, CLIENT_SECRET, token_endpoint_auth_method="client_secret_post")
            token = session.fetch_token(server.token_url, grant_type="password", username=USERNAME,
                                        password=PASSWORD, timeout=120)
            check(len(token.get("access_token", "")) == 64, "authlib, client_secret_post: 200 with a token")
        finally:
            server.stop()

    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
