"""A throwaway PostgreSQL cluster for the storage tests: initdb + pg_ctl from the Debian
``postgresql`` package, in a temp dir, listening on 127.0.0.1 only, removed afterwards.

initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` system user
(commands run through ``runuser``). :func:`start` raises :class:`Unavailable` with the reason
when there is no PostgreSQL, no driver, or the server does not come up.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class Unavailable(Exception):
    """PostgreSQL is not installed here (or no driver); the message says why."""


class StartFailed(Unavailable):
    """PostgreSQL is installed but did not start: a real failure, not a reason to skip."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if shutil.which("initdb"):
        return Path(shutil.which("initdb")).parent
    if not found:
        raise Unavailable("PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/initdb; "
                          "make test installs the Debian 'postgresql' package when run as root)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        try:
            import psycopg  # noqa: F401 - the driver the store uses
        except ImportError:
            raise Unavailable("psycopg 3 not installed: pip install 'incidentwire[postgres]'") from None
        self.bin = _bin_dir()
        self.owner = "postgres" if os.geteuid() == 0 else None
        if self.owner:
            try:
                pwd.getpwnam(self.owner)
            except KeyError:
                raise Unavailable("running as root and there is no 'postgres' user to own the cluster") from None
        self.dir = Path(tempfile.mkdtemp(prefix="incidentwire-pg-"))
        self.port = _free_port()
        self.user = "incidentwire"
        self._databases = 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.owner:
            cmd = ["runuser", "-u", self.owner, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = (self.dir / "server.log")
            tail = log.read_text()[-1500:] if log.exists() else ""
            raise Unavailable(f"{args[0]} failed: {result.stderr.strip()[-800:]} {tail}")

    def start(self) -> Cluster:
        if self.owner:
            shutil.chown(self.dir, self.owner)
        self._run("initdb", "-D", str(self.dir / "data"), "-U", self.user, "-A", "trust", "-E", "UTF8",
                  "--no-sync", "--locale=C")
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir} -F -c fsync=off", "start")
        return self

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg
        self._databases += 1
        name = f"test_{self._databases}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        except Unavailable:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def start() -> Cluster:
    cluster = Cluster()
    try:
        return cluster.start()
    except (Unavailable, OSError, subprocess.TimeoutExpired) as e:
        cluster.stop()
        raise StartFailed(f"PostgreSQL could not be started: {e}") from None
