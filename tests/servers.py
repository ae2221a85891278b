"""Throwaway database servers for the tests: PostgreSQL on loopback, started once per test session."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port


def _postgres_bindir() -> Path | None:
    """The folder holding initdb and postgres: on PATH, else Debian's newest, else pg_config's."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                    key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if debian:
        return debian[-1].parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip())
        if (bindir / "initdb").is_file():
            return bindir
    return None


def _unprivileged() -> tuple[int, int] | None:
    """(uid, gid) to run PostgreSQL as when we are root (it refuses to run as root), else None."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    pytest.fail("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


def wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if ready():
            return
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"{what} did not start in 90 s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server on loopback; yields the URL of its `postgres` database."""
    import psycopg

    bindir = _postgres_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL not found (no initdb on PATH, in /usr/lib/postgresql/*/bin or from "
                    "pg_config): install it (Debian: apt-get install postgresql) to run the team tests")
    demote = _unprivileged()
    base = tempfile.gettempdir()
    if demote and not os.stat(base).st_mode & 0o001:
        base = "/tmp"  # the server's user must be able to reach its data folder
    root = Path(tempfile.mkdtemp(prefix="interviewer-pg-", dir=base))
    run_as: dict[str, Any] = {}
    if demote:
        os.chown(root, *demote)
        run_as = {"user": demote[0], "group": demote[1], "extra_groups": []}
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    data, log = root / "data", root / "server.log"
    init = subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                           "--no-locale", "--no-sync"], cwd=root, env=env, capture_output=True, text=True,
                          **run_as)
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"initdb failed:\n{init.stdout}\n{init.stderr}")
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-c", "listen_addresses=127.0.0.1",
             "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=200"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, **run_as)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def ready() -> bool:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    try:
        wait_until(ready, proc, log, "postgres")
        yield url
    finally:
        proc.send_signal(signal.SIGINT)  # fast shutdown
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database_url(postgres: str) -> str:
    """A fresh, empty database on the test server."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres.rsplit("/", 1)[0] + f"/{name}"
