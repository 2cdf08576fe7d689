#!/usr/bin/python3
"""Clients we did not write, against examples/token_server: requests-oauthlib and authlib
(Debian's python3-requests-oauthlib and python3-authlib) get tokens with the password
grant, with the client authenticated as each library does it; authlib with
client_credentials and with the authorization code and PKCE; and the npm openid-client
package (openid_client/grants.mjs; its packages are committed in openid_client/vendor as
`npm pack` made them, and installed offline with `npm ci` into a temporary directory, as
CI has no network but Debian's) with client_credentials, password and refresh.

usage: client_libraries_test.py PATH/TO/token_server [--postgres]

--postgres: the database is PostgreSQL, on a throwaway server that the test starts and
removes (throwaway_postgres.py; exit 77, skipped, when PostgreSQL is not installed).

Starts the real binary on a free loopback port with a database made by its own admin
commands, in a temporary directory. Every wait is bounded. Prints one line per check and
a summary; exits 1 if any check failed.
"""

import base64
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import harness
import throwaway_postgres
from harness import admin

# oauthlib refuses http:// unless told: the server is on loopback only.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests  # noqa: E402
from authlib.integrations.base_client.errors import OAuthError  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession  # noqa: E402
from oauthlib.oauth2 import LegacyApplicationClient  # noqa: E402
from oauthlib.oauth2.rfc6749.errors import OAuth2Error  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402
from requests_oauthlib import OAuth2Session  # noqa: E402

CLIENT_ID = "138"
CLIENT_SECRET = "e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"
USERNAME = "john_doe"
PASSWORD = "john_doe_secret"
check = harness.Checks()


def requests_oauthlib_password(server, client_id_in_body, basic):
    """requests-oauthlib's password grant (LegacyApplicationClient); returns the token."""
    session = OAuth2Session(client=LegacyApplicationClient(client_id=client_id_in_body))
    kwargs = {"auth": HTTPBasicAuth(*basic)} if basic else {"client_secret": CLIENT_SECRET}
    return session.fetch_token(token_url=server.token_url, username=USERNAME, password=PASSWORD,
                               include_client_id=True, timeout=120, **kwargs)


def authlib_client_credentials(server, binary, db):
    """RFC 6749 4.4 with authlib's OAuth2Session."""
    secret = "svc-secret-authlib"
    admin(binary, "add-client", "--db", db, "svc-authlib", "--grants", "client_credentials",
          stdin=(secret + "\n").encode())
    session = AuthlibSession("svc-authlib", secret, token_endpoint_auth_method="client_secret_basic")
    token = session.fetch_token(server.token_url, grant_type="client_credentials", timeout=120)
    check(len(token.get("access_token", "")) == 64 and "refresh_token" not in token,
          "authlib, client_credentials: 200 with an access token and no refresh token")


def authlib_authorization_code(server, binary, db):
    """RFC 6749 4.1 with PKCE (RFC 7636) with authlib's OAuth2Session: authlib makes the
    verifier and the authorization URL; mint-code stands in for the authorization
    endpoint (the user approved), with the challenge authlib put in the URL."""
    redirect = "http://127.0.0.1:9/callback"
    admin(binary, "add-client", "--db", db, "app-authlib", "--auth-method", "none", "--grants",
          "authorization_code refresh_token", "--redirect-uri", redirect, stdin=b"")
    session = AuthlibSession("app-authlib", redirect_uri=redirect, code_challenge_method="S256",
                             token_endpoint_auth_method="none", scope="read")
    verifier = base64.urlsafe_b64encode(os.urandom(40)).rstrip(b"=").decode()
    url, state = session.create_authorization_url("http://127.0.0.1:9/authorize", code_verifier=verifier)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    challenge = query["code_challenge"][0]
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    check(challenge == expected and query.get("code_challenge_method") == ["S256"],
          "authlib's authorization URL carries the S256 challenge of its verifier")
    code = admin(binary, "mint-code", "--db", db, "--client", "app-authlib", "--user", USERNAME,
                        "--redirect-uri", redirect, "--code-challenge=" + challenge, "--scope", "read")
    callback = "%s?code=%s&state=%s" % (redirect, code, state)
    token = session.fetch_token(server.token_url, authorization_response=callback, code_verifier=verifier,
                                timeout=120)
    check(len(token.get("access_token", "")) == 64 and len(token.get("refresh_token", "")) == 64,
          "authlib, authorization_code + PKCE (public client): 200 with a pair")
    refreshed = session.refresh_token(server.token_url, refresh_token=token["refresh_token"], timeout=120)
    check(len(refreshed.get("access_token", "")) == 64, "authlib, refresh as a public client: 200")
    again = requests.post(server.token_url, timeout=120, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "client_id": "app-authlib",
        "code_verifier": verifier})
    check(again.status_code == 400 and again.json().get("error") == "invalid_grant",
          "the same code a second time: 400 invalid_grant")
    # RFC 6749 4.1.2: the reuse revokes what the code produced, the refreshed pair included.
    try:
        session.refresh_token(server.token_url, refresh_token=refreshed["refresh_token"], timeout=120)
        check(False, "after the code's reuse, the refreshed pair is revoked")
    except OAuthError as e:
        check(e.error == "invalid_grant", "after the code's reuse, the refreshed pair is revoked (%s)" % e.error)


def authlib_discovered_code_flow(server, binary, db):
    """RFC 8414: the endpoints read from the metadata document; then RFC 6749 4.1 with PKCE
    through the server's sign-in page with authlib's OAuth2Session (its token endpoint
    given as the document names it), the browser's part done by posting the page's form
    as a browser would (its hidden fields and CSRF cookie); then RFC 7009 revocation and
    RFC 7662 introspection with authlib's revoke_token and introspect_token."""
    document = requests.get(server.base + "/.well-known/oauth-authorization-server", timeout=60).json()
    check(document.get("issuer") == server.base and "S256" in document.get("code_challenge_methods_supported", [])
          and document.get("token_endpoint") == server.token_url,
          "metadata (RFC 8414 3): issuer, endpoints and S256 as served")
    redirect = "http://127.0.0.1:9/discovered"
    admin(binary, "add-client", "--db", db, "app-discovery", "--auth-method", "none", "--grants",
          "authorization_code refresh_token", "--redirect-uri", redirect, stdin=b"")
    session = AuthlibSession("app-discovery", redirect_uri=redirect, code_challenge_method="S256",
                             token_endpoint_auth_method="none", revocation_endpoint_auth_method="none",
                             scope="read", token_endpoint=document["token_endpoint"])
    verifier = base64.urlsafe_b64encode(os.urandom(40)).rstrip(b"=").decode()
    url, state = session.create_authorization_url(document["authorization_endpoint"], code_verifier=verifier)
    browser = requests.Session()
    page = browser.get(url, timeout=60)
    fields = {name: html.unescape(value)
              for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)}
    check(page.status_code == 200 and fields.get("state") == state and "csrf" in fields,
          "authlib's authorization URL opens the sign-in page with its state and a CSRF field")
    fields.update(username=USERNAME, password=PASSWORD, decision="approve")
    answer = browser.post(document["authorization_endpoint"], data=fields, allow_redirects=False, timeout=120)
    location = answer.headers.get("Location", "")
    back = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
    check(answer.status_code == 303 and location.startswith(redirect + "?") and
          back.get("iss") == [document["issuer"]],
          "approval: 303 to the redirect URI with code, state and iss (RFC 6749 4.1.2, RFC 9207)")
    token = session.fetch_token(authorization_response=location, code_verifier=verifier, timeout=120)
    check(len(token.get("access_token", "")) == 64 and len(token.get("refresh_token", "")) == 64,
          "authlib, discovered token endpoint, code + PKCE: 200 with a pair")

    secret = "rs-secret-authlib"
    admin(binary, "add-client", "--db", db, "rs-authlib", "--grants", "client_credentials",
          stdin=(secret + "\n").encode())
    resource_server = AuthlibSession("rs-authlib", secret, token_endpoint_auth_method="client_secret_basic")
    endpoint = document["introspection_endpoint"]
    active = resource_server.introspect_token(endpoint, token=token["access_token"], timeout=120).json()
    check(active.get("active") is True and active.get("client_id") == "app-discovery" and
          active.get("username") == USERNAME and active.get("scope") == "read" and "exp" in active,
          "authlib introspect_token: active, with client_id, username, scope, exp (RFC 7662 2.2)")
    revoked = session.revoke_token(document["revocation_endpoint"], token=token["refresh_token"],
                                   token_type_hint="refresh_token", timeout=120)
    check(revoked.status_code == 200, "authlib revoke_token of the refresh token: 200 (RFC 7009 2.2)")
    for kind in ("refresh_token", "access_token"):
        after = resource_server.introspect_token(endpoint, token=token[kind], timeout=120).json()
        check(after == {"active": False},
              "after revocation the %s introspects as {\"active\":false} (RFC 7009 2.1)" % kind)


def openid_client(server, binary, db, workdir):
    """The npm package openid-client 5 (client.grant, client.refresh)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        check(False, "openid-client: node and npm are needed (scripts/test.sh installs them)")
        return
    admin(binary, "add-client", "--db", db, "svc", "--grants", "client_credentials",
          stdin=b"svc-secret-openid-client\n")
    admin(binary, "add-client", "--db", db, "svc-post", "--grants", "client_credentials", "--auth-method",
          "client_secret_post", stdin=b"svc-post-secret-openid-client\n")
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openid_client")
    project = os.path.join(workdir, "openid_client")
    os.mkdir(project)
    for name in ("package.json", "package-lock.json", "grants.mjs"):
        shutil.copy(os.path.join(here, name), project)
    shutil.copytree(os.path.join(here, "vendor"), os.path.join(project, "vendor"))
    installed = subprocess.run([npm, "ci", "--offline", "--cache", os.path.join(workdir, "npm-cache"), "--no-audit",
                                "--no-fund", "--loglevel=error"], cwd=project, capture_output=True, timeout=300)
    if installed.returncode != 0:
        check(False, "openid-client: npm ci failed: %s" % installed.stderr.decode(errors="replace")[-500:])
        return
    run = subprocess.run([node, "grants.mjs", server.token_url], cwd=project, capture_output=True, timeout=300)
    output = run.stdout.decode(errors="replace")
    print(output, end="", flush=True)
    lines = [line for line in output.splitlines() if line.startswith(("ok ", "FAIL "))]
    check(run.returncode == 0 and lines and all(line.startswith("ok ") for line in lines),
          "openid-client: all %d of its checks passed (exit %d) %s" % (len(lines), run.returncode,
                                                                       run.stderr.decode(errors="replace")[-300:]))


def main():
    args = sys.argv[1:]
    postgres = "--postgres" in args
    args = [a for a in args if a != "--postgres"]
    if len(args) != 1:
        sys.exit(__doc__)
    if not postgres:
        return run(args[0], None)
    if throwaway_postgres.bindir() is None:
        print("skipped: PostgreSQL is not installed (Debian: postgresql-15)", flush=True)
        return throwaway_postgres.SKIP
    with throwaway_postgres.Server() as pg:
        return run(args[0], pg)


def run(binary, pg):
    with tempfile.TemporaryDirectory() as workdir:
        db = pg.create_database("tokens") if pg else os.path.join(workdir, "tokens.db")
        print("database: " + ("PostgreSQL" if pg else "SQLite"), flush=True)
        admin(binary, "add-client", "--db", db, CLIENT_ID, stdin=(CLIENT_SECRET + "\n").encode())
        admin(binary, "add-user", "--db", db, "--username", USERNAME, stdin=(PASSWORD + "\n").encode())

        # --scopes: the authorization code below is minted with scope "read".
        server = harness.Server(binary, workdir, db, "--scopes", "read", "--resource-servers", "rs-authlib")
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
            authlib_client_credentials(server, binary, db)
            authlib_authorization_code(server, binary, db)
            authlib_discovered_code_flow(server, binary, db)
            openid_client(server, binary, db, workdir)
        finally:
            server.stop()

        server = harness.Server(binary, workdir, db, "--allow-body-client-auth")
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

    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
