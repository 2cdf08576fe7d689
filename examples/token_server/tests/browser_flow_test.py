#!/usr/bin/python3
"""The authorization code flow in a real browser: Debian's headless Chromium, driven
through chromedriver's WebDriver protocol (W3C WebDriver, plain HTTP and JSON, spoken
here with urllib: no driver library needed), against examples/token_server.

usage: browser_flow_test.py PATH/TO/token_server [--screenshot PNG]

The browser opens /authorize with a PKCE S256 challenge (RFC 7636 4.2) and a state,
shows the sign-in and consent page (saved to PNG with --screenshot), the test types
john_doe's credentials and presses "Sign in and allow"; the browser follows the 303 to
the client's redirect URI, served here by a small HTTP server standing in for the
client, and lands with code, state and iss (RFC 6749 4.1.2, RFC 9207). The test redeems
the code with the verifier and gets a token (RFC 6749 4.1.3, RFC 7636 4.5). The
browser enforcing the page's Content-Security-Policy (form-action) and the CSRF cookie
is part of what is tested: a page that blocked its own form would not land.

Also: the device verification page (RFC 8628 3.3) filled from verification_uri_complete.

Exit 77 (skipped) when chromium or chromedriver is not installed (Debian: chromium,
chromium-driver). Every wait is bounded; the server, chromedriver and the stand-in
client listen on loopback only and are stopped at the end.
"""

import base64
import hashlib
import http.server
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import harness
from harness import HOST, admin

USERNAME = "john_doe"
PASSWORD = "john_doe_secret"
SKIP = 77
check = harness.Checks()


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def http_json(method, url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def post_form(url, fields):
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Callback:
    """The client's redirect URI: answers every GET with a small page."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"<!doctype html><title>client</title><p>back at the client</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer((HOST, 0), Handler)
        self.url = "http://%s:%d/callback" % (HOST, self.httpd.server_port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Browser:
    """Headless Chromium through chromedriver (W3C WebDriver)."""

    def __init__(self, chromium, chromedriver, workdir):
        port = free_port()
        self.driver = subprocess.Popen([chromedriver, "--port=%d" % port, "--allowed-ips=127.0.0.1"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = "http://%s:%d" % (HOST, port)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _ = http_json("GET", self.base + "/status", timeout=2)
                if status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        options = {"binary": chromium,
                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--window-size=900,760", "--no-first-run", "--user-data-dir=" +
                            os.path.join(workdir, "profile")]}
        status, answer = http_json("POST", self.base + "/session",
                                   {"capabilities": {"alwaysMatch": {"browserName": "chrome",
                                                                     "goog:chromeOptions": options,
                                                                     "timeouts": {"pageLoad": 30000}}}},
                                   timeout=90)
        if status != 200:
            self.stop()
            sys.exit("chromedriver did not start a session: %s" % answer)
        self.session = self.base + "/session/" + answer["value"]["sessionId"]

    def command(self, method, path, body=None):
        status, answer = http_json(method, self.session + path, body)
        if status != 200:
            raise RuntimeError("WebDriver %s %s: %s" % (method, path, answer))
        return answer["value"]

    def open(self, url):
        self.command("POST", "/url", {"url": url})

    def url(self):
        return self.command("GET", "/url")

    def find(self, css):
        found = self.command("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(found.values()))

    def type(self, css, text):
        self.command("POST", "/element/%s/value" % self.find(css), {"text": text})

    def click(self, css):
        self.command("POST", "/element/%s/click" % self.find(css), {})

    def text(self, css):
        return self.command("GET", "/element/%s/text" % self.find(css))

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.command("GET", "/screenshot")))

    def wait_for_url(self, prefix, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            current = self.url()
            if current.startswith(prefix):
                return current
            time.sleep(0.1)
        return self.url()

    def wait_for_text(self, selector, wanted, seconds=30):
        """The text of `selector` once wanted(text) holds (a form post runs argon2id before
        the next page comes, and the old page is there meanwhile), or as it is after
        `seconds` ("" when the page has no such element)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                text = self.text(selector)
                if wanted(text) or time.monotonic() >= deadline:
                    return text
            except RuntimeError:  # no such element yet, or the page changed under the lookup
                if time.monotonic() >= deadline:
                    return ""
            time.sleep(0.1)

    def wait_for_heading(self, heading, seconds=30):
        """The page's h1 once it reads `heading`, or as it is after `seconds`."""
        return self.wait_for_text("h1", lambda text: text == heading, seconds)

    def stop(self):
        try:
            if hasattr(self, "session"):
                http_json("DELETE", self.session, timeout=30)
        except OSError:
            pass
        self.driver.terminate()
        try:
            self.driver.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.driver.kill()
            self.driver.wait()


def authorization_code_flow(browser, server, callback, screenshot):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({"response_type": "code", "client_id": "spa", "redirect_uri": callback.url,
                                    "scope": "read", "state": state, "code_challenge": challenge,
                                    "code_challenge_method": "S256"})
    browser.open(server.base + "/authorize?" + query)
    check(browser.text("h1") == "Sign in", "the browser shows the sign-in page (RFC 6749 4.1.1)")
    if screenshot:
        browser.screenshot(screenshot)
        check(os.path.getsize(screenshot) > 1000, "screenshot of the sign-in page saved to " + screenshot)
    # A wrong password first: the page again, with a message, and no redirect.
    browser.type("#username", USERNAME)
    browser.type("#password", "not-the-password")
    browser.click("button[value=approve]")
    check("Wrong" in browser.wait_for_text(".error", lambda text: "Wrong" in text) and
          browser.url().startswith(server.base + "/authorize"),
          "a wrong password shows the page again with a message, no redirect")
    browser.type("#username", USERNAME)
    browser.type("#password", PASSWORD)
    browser.click("button[value=approve]")
    landed = browser.wait_for_url(callback.url)
    check(landed.startswith(callback.url + "?"), "after approval the browser lands on the redirect URI")
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(landed).query))
    check(answer.get("state") == state, "state comes back exactly (RFC 6749 4.1.2)")
    check(answer.get("iss") == server.base, "iss names the issuer (RFC 9207 2)")
    status, token = post_form(server.base + "/oauth/token",
                              {"grant_type": "authorization_code", "code": answer.get("code", ""),
                               "redirect_uri": callback.url, "client_id": "spa", "code_verifier": verifier})
    check(status == 200 and len(token.get("access_token", "")) == 64 and token.get("scope") in (None, "read"),
          "the code redeemed with the verifier: 200 with a token (RFC 6749 4.1.3, RFC 7636 4.6)")
    status, again = post_form(server.base + "/oauth/token",
                              {"grant_type": "authorization_code", "code": answer.get("code", ""),
                               "redirect_uri": callback.url, "client_id": "spa", "code_verifier": verifier})
    check(status == 400 and again.get("error") == "invalid_grant", "the code works once (RFC 6749 4.1.2)")

    # Deny: back to the client with access_denied and the state (RFC 6749 4.1.2.1).
    browser.open(server.base + "/authorize?" + query)
    browser.click("button[value=deny]")
    landed = browser.wait_for_url(callback.url)
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(landed).query))
    check(answer.get("error") == "access_denied" and answer.get("state") == state,
          "Deny lands on the redirect URI with access_denied and the state (RFC 6749 4.1.2.1)")

    # An unregistered redirect URI: an error page, the browser stays (RFC 6749 4.1.2.1).
    evil = urllib.parse.urlencode({"response_type": "code", "client_id": "spa",
                                   "redirect_uri": "http://127.0.0.1:9/evil", "state": state,
                                   "code_challenge": challenge, "code_challenge_method": "S256"})
    browser.open(server.base + "/authorize?" + evil)
    check(browser.wait_for_heading("Request refused") == "Request refused" and
          browser.url().startswith(server.base + "/authorize"),
          "an unregistered redirect URI is shown an error page, never redirected to (RFC 6749 4.1.2.1)")


def device_flow(browser, server):
    status, started = post_form(server.base + "/oauth/device_authorization", {"client_id": "tv", "scope": "read"})
    check(status == 200 and "verification_uri_complete" in started, "device authorization: 200 (RFC 8628 3.2)")
    browser.open(started["verification_uri_complete"])
    check(browser.command("POST", "/execute/sync",
                          {"script": "return document.getElementById('user_code').value", "args": []})
          == started["user_code"], "the verification page is filled from verification_uri_complete (RFC 8628 3.3.1)")
    browser.type("#username", USERNAME)
    browser.type("#password", PASSWORD)
    browser.click("button[value=continue]")
    check(browser.wait_for_heading("Allow this device?") == "Allow this device?" and
          "tv" in browser.text("main") and "read" in browser.text("main"),
          "after the sign-in the page names the client and the scope before the user decides (RFC 8628 5.4)")
    browser.click("button[value=approve]")
    check(browser.wait_for_heading("Device connected") == "Device connected",
          "the user approves the device on the confirmation page")
    status, token = post_form(server.base + "/oauth/token",
                              {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": "tv",
                               "device_code": started["device_code"]})
    check(status == 200 and len(token.get("access_token", "")) == 64, "the device gets its token (RFC 8628 3.5)")


def main():
    args = sys.argv[1:]
    screenshot = None
    if "--screenshot" in args:
        at = args.index("--screenshot")
        screenshot = os.path.abspath(args[at + 1])
        del args[at:at + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    binary = args[0]
    chromium = shutil.which("chromium")
    chromedriver = shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        print("skipped: chromium and chromedriver are not installed (Debian: chromium chromium-driver)", flush=True)
        return SKIP
    with tempfile.TemporaryDirectory() as workdir:
        db = os.path.join(workdir, "tokens.db")
        callback = Callback()
        admin(binary, "add-user", "--db", db, "--username", USERNAME, stdin=(PASSWORD + "\n").encode())
        admin(binary, "add-client", "--db", db, "spa", "--auth-method", "none", "--grants",
              "authorization_code refresh_token", "--redirect-uri", callback.url)
        admin(binary, "add-client", "--db", db, "tv", "--auth-method", "none", "--grants",
              "urn:ietf:params:oauth:grant-type:device_code")
        server = harness.Server(binary, workdir, db, "--scopes", "read")
        browser = None
        try:
            browser = Browser(chromium, chromedriver, workdir)
            authorization_code_flow(browser, server, callback, screenshot)
            device_flow(browser, server)
        except (RuntimeError, OSError, KeyError, StopIteration) as e:
            check(False, "the browser flow ran to its end (%s: %s)" % (type(e).__name__, e))
        finally:
            if browser is not None:
                browser.stop()
            server.stop()
            callback.stop()
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
