#!/usr/bin/env python3
"""A throwaway PostgreSQL server for the token_server tests.

initdb into a new temporary directory, a server that listens on a unix socket in that
directory only (no TCP port at all; the directory and the socket are its owner's alone),
started with pg_ctl and stopped and removed afterwards. PostgreSQL refuses to run as
root, and CI runs as root: then the server runs as the unprivileged user `nobody`.

Every wait is bounded. The server is stopped and its directory removed when the `with`
block ends, and also if the test process dies any other way (a timeout's SIGKILL): a
small guard process, detached from the test's process tree, holds one end of a pipe
whose other end only the test holds; when that end closes, the guard stops the server
(pg_ctl stop, then SIGKILL after 30 s) and removes the directory.

As a module:
    with throwaway_postgres.Server() as pg:
        uri = pg.create_database("tokens")      # postgresql:///tokens?host=...&user=postgres
        rows = pg.query("tokens", "SELECT 1")   # [("1",)], through psql

As a program (exit 77 when PostgreSQL's programs are not installed):
    throwaway_postgres.py [--] COMMAND [ARG...]
runs COMMAND with TOKEN_SERVER_POSTGRES set to the URI of a new database `tokens`.

PostgreSQL's programs: $PG_BINDIR, else the newest /usr/lib/postgresql/N/bin (Debian's
postgresql-N), else the PATH.
"""

import glob
import os
import pwd
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

START_TIMEOUT = 60  # seconds for initdb, and again for pg_ctl start
STOP_TIMEOUT = 30  # seconds for pg_ctl stop before the server is killed
GUARD_LIMIT = 4 * 3600  # the guard stops the server after this long whatever happens
SKIP = 77  # the exit status of a skipped test (ctest SKIP_RETURN_CODE, meson)


def bindir():
    """The directory of initdb, pg_ctl and postgres, or None."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else 0)
    candidates += list(reversed(versions))
    found = shutil.which("initdb")
    candidates.append(os.path.dirname(os.path.realpath(found)) if found else "")
    for d in candidates:
        if d and all(os.access(os.path.join(d, p), os.X_OK) for p in ("initdb", "pg_ctl", "postgres")):
            return d
    return None


def client_program(name):
    """psql or pg_dump: the one beside the server's programs, else the PATH's."""
    d = bindir()
    if d and os.access(os.path.join(d, name), os.X_OK):
        return os.path.join(d, name)
    return shutil.which(name) or name


def _owner():
    """(uid, gid) the server runs as: ours, or nobody's when we are root."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def _run_as_owner(args, owner, timeout, cwd):
    kwargs = {}
    if owner:
        kwargs = {"user": owner[0], "group": owner[1], "extra_groups": []}
    return subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, cwd=cwd, **kwargs)


def _stop(programs, root, owner):
    """Stops the server in `root` (fast, then immediate, then SIGKILL) and removes `root`."""
    data = os.path.join(root, "data")
    pid_file = os.path.join(data, "postmaster.pid")
    if os.path.exists(pid_file):
        for mode in ("fast", "immediate"):
            try:
                done = _run_as_owner([os.path.join(programs, "pg_ctl"), "-D", data, "-m", mode, "-w", "-t",
                                      str(STOP_TIMEOUT), "stop"], owner, STOP_TIMEOUT + 10, root)
                if done.returncode == 0:
                    break
            except subprocess.TimeoutExpired:
                pass
        if os.path.exists(pid_file):
            try:
                with open(pid_file) as f:
                    os.kill(int(f.readline().strip()), signal.SIGKILL)
            except (OSError, ValueError):
                pass
    shutil.rmtree(root, ignore_errors=True)


def _guard(programs, root, owner_text):
    """The guard's life: wait for EOF on stdin (the test has gone), then clean up."""
    owner = tuple(int(x) for x in owner_text.split(":")) if owner_text else None
    deadline = time.monotonic() + GUARD_LIMIT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sys.stdin], [], [], 60)
        if ready and not os.read(sys.stdin.fileno(), 1):
            break
    _stop(programs, root, owner)


class Server:
    """A running throwaway PostgreSQL server (use as a context manager)."""

    def __init__(self):
        self.programs = bindir()
        if self.programs is None:
            raise FileNotFoundError("PostgreSQL's initdb, pg_ctl and postgres are not installed "
                                    "(Debian: postgresql-15)")
        self.owner = _owner()
        self.root = tempfile.mkdtemp(prefix="token_server_pg_")
        self.socket_dir = self.root
        self.data = os.path.join(self.root, "data")
        self.user = "postgres"
        self._guard_pipe = None
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self):
        if self.owner:
            os.chown(self.root, *self.owner)
        os.chmod(self.root, 0o700)
        self._start_guard()
        initdb = _run_as_owner([os.path.join(self.programs, "initdb"), "-D", self.data, "-U", self.user,
                                "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                               self.owner, START_TIMEOUT, self.root)
        if initdb.returncode != 0:
            raise RuntimeError("initdb failed: " + initdb.stderr.decode(errors="replace")[-2000:])
        # A unix socket in our own directory, and no TCP port at all. Durability is not
        # wanted of a database that is removed afterwards (and the token servers' crash
        # tests kill token servers, never this one).
        with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
            conf.write("\nlisten_addresses = ''\n"
                       "unix_socket_directories = '%s'\n"
                       "unix_socket_permissions = 0700\n"
                       "max_connections = 100\n"
                       "shared_buffers = 32MB\n"
                       "fsync = off\n"
                       "synchronous_commit = off\n"
                       "full_page_writes = off\n" % self.socket_dir)
        started = _run_as_owner([os.path.join(self.programs, "pg_ctl"), "-D", self.data, "-l",
                                 os.path.join(self.root, "server.log"), "-w", "-t", str(START_TIMEOUT), "start"],
                                self.owner, START_TIMEOUT + 10, self.root)
        if started.returncode != 0:
            raise RuntimeError("pg_ctl start failed: " + started.stdout.decode(errors="replace")[-1000:] +
                               self.log_tail())

    def _start_guard(self):
        """The guard, as a grandchild re-parented away from us (a double fork), so that
        whatever kills the test and its children does not kill it."""
        read_end, write_end = os.pipe()
        owner_text = "%d:%d" % self.owner if self.owner else ""
        launcher = subprocess.Popen(
            [sys.executable, "-c",
             "import subprocess, sys; subprocess.Popen(sys.argv[1:], stdin=0, stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL, start_new_session=True)",
             sys.executable, os.path.abspath(__file__), "--guard", self.programs, self.root, owner_text],
            stdin=read_end, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
        os.close(read_end)
        launcher.wait(timeout=30)
        os.set_inheritable(write_end, False)
        self._guard_pipe = write_end

    def restart(self):
        """Stops the server (fast: it ends every connection) and starts it again."""
        done = _run_as_owner([os.path.join(self.programs, "pg_ctl"), "-D", self.data, "-l",
                              os.path.join(self.root, "server.log"), "-m", "fast", "-w", "-t", str(START_TIMEOUT),
                              "restart"], self.owner, START_TIMEOUT + 10, self.root)
        if done.returncode != 0:
            raise RuntimeError("pg_ctl restart failed: " + self.log_tail())

    def log_tail(self):
        try:
            with open(os.path.join(self.root, "server.log"), "rb") as f:
                return f.read()[-2000:].decode(errors="replace")
        except OSError:
            return ""

    def uri(self, dbname):
        """The libpq URI of database `dbname`: the socket directory as the host."""
        return "postgresql:///%s?host=%s&user=%s" % (dbname, urllib.parse.quote(self.socket_dir, safe="/"),
                                                     self.user)

    def psql(self, dbname, sql, timeout=60):
        """Runs `sql` (one or more statements) with psql; its output, unaligned, tab-separated."""
        out = subprocess.run([client_program("psql"), "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                              "-h", self.socket_dir, "-U", self.user, "-d", dbname, "-c", sql],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError("psql failed: " + out.stderr.decode(errors="replace")[-2000:])
        return out.stdout.decode()

    def query(self, dbname, sql, timeout=60):
        """The rows `sql` returns, each a tuple of strings ('' for NULL)."""
        return [tuple(line.split("\t")) for line in self.psql(dbname, sql, timeout).splitlines() if line]

    def create_database(self, dbname):
        self.psql("postgres", 'CREATE DATABASE "%s"' % dbname)
        return self.uri(dbname)

    def dump(self, dbname, timeout=120):
        """Everything the database holds, as pg_dump's SQL text."""
        out = subprocess.run([client_program("pg_dump"), "-h", self.socket_dir, "-U", self.user, "-d", dbname],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError("pg_dump failed: " + out.stderr.decode(errors="replace")[-2000:])
        return out.stdout

    def data_files(self):
        """The bytes of every file of the data directory (to look for secrets in clear)."""
        for folder, _, files in os.walk(self.data):
            for name in files:
                try:
                    with open(os.path.join(folder, name), "rb") as f:
                        yield f.read()
                except OSError:
                    pass

    def close(self):
        if self.programs and os.path.isdir(self.root):
            _stop(self.programs, self.root, self.owner)
        if self._guard_pipe is not None:
            os.close(self._guard_pipe)  # the guard finds nothing left to do and exits
            self._guard_pipe = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main(argv):
    if len(argv) >= 1 and argv[0] == "--guard":
        return _guard(*argv[1:4]) or 0
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        sys.exit(__doc__)
    if bindir() is None:
        print("throwaway_postgres: skipped: PostgreSQL is not installed (Debian: postgresql-15)", flush=True)
        return SKIP
    with Server() as pg:
        env = dict(os.environ, TOKEN_SERVER_POSTGRES=pg.create_database("tokens"))
        try:
            return subprocess.run(argv, env=env).returncode
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
