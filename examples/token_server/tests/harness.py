"""What the token server's client-side tests share: one line per check and a summary,
the server started on a free loopback port and stopped, and its admin commands.
(integration_test.py keeps its own server, which also counts requests and reads logs.)"""

import os
import re
import subprocess
import sys
import time

HOST = "127.0.0.1"


class Checks:
    """Prints "ok" or "FAIL" and the message for each check; remembers the failures."""

    def __init__(self):
        self.count = 0
        self.failures = []

    def __call__(self, condition, message):
        self.count += 1
        print(("ok   " if condition else "FAIL ") + message, flush=True)
        if not condition:
            self.failures.append(message)

    def summary(self):
        """Prints the summary line; the exit status: 1 if any check failed."""
        print("%d checks, %d failed" % (self.count, len(self.failures)), flush=True)
        return 1 if self.failures else 0


class Server:
    """token_server on a free loopback port (--port 0: it prints the port it got), its
    log in `workdir`. Every wait is bounded."""

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
        self.base = "http://%s:%d" % (HOST, self.port)
        self.token_url = self.base + "/oauth/token"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def admin(binary, *args, stdin=b""):
    """An admin command that must succeed (the test stops otherwise); its stdout."""
    result = subprocess.run([binary, *args], input=stdin, capture_output=True, timeout=120)
    if result.returncode != 0:
        sys.exit("token_server %s failed: %s" % (args[0], result.stderr.decode(errors="replace")))
    return result.stdout.decode().strip()
