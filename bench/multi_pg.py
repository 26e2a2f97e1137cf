"""A PostgreSQL primary and its streaming replica for the multi-node scenario (issue 19).

Both are Debian's PostgreSQL 15 binaries run on their own clusters in a temporary directory, as
the postgres OS user: `initdb` makes the primary (trust on loopback, replication allowed), and
`pg_basebackup -R` copies it into a hot standby that streams from it. Nothing of the machine's
own cluster (127.0.0.1:5432) is touched.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))

PRIMARY_CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 5
wal_keep_size = '256MB'
hot_standby = on
jit = off
shared_buffers = '128MB'
max_connections = 100
"""


def _as_postgres(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a server binary as the postgres OS user (PostgreSQL refuses to run as root)."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


@dataclass
class Clusters:
    root: Path
    primary_port: int
    replica_port: int

    @property
    def primary(self) -> Path:
        return self.root / "primary"

    @property
    def replica(self) -> Path:
        return self.root / "replica"

    def url(self, which: str, database: str) -> str:
        port = self.primary_port if which == "primary" else self.replica_port
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def start(self) -> None:
        os.chmod(self.root, 0o755)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.primary), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        with (self.primary / "postgresql.conf").open("a") as conf:
            conf.write(PRIMARY_CONF.format(port=self.primary_port, sockets=self.root))
        # initdb --auth=trust already allows `host replication all 127.0.0.1/32 trust`.
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.primary), "-l",
                      str(self.root / "primary.log"), "-w", "start"])
        _as_postgres([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p",
                      str(self.primary_port), "-U", "postgres", "-D", str(self.replica),
                      "-R", "-X", "stream", "-c", "fast"])
        with (self.replica / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.replica), "-l",
                      str(self.root / "replica.log"), "-w", "start"])

    def replication_state(self) -> str:
        """The primary's view of its standby (pg_stat_replication), e.g. "streaming"."""
        import psycopg2

        conn = psycopg2.connect(self.url("primary", "postgres"))
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT state FROM pg_stat_replication")
                rows = cursor.fetchall()
        finally:
            conn.close()
        return ",".join(row[0] for row in rows) or "none"

    def replica_caught_up(self, database: str, *, timeout: float = 60) -> float:
        """Wait until the replica has replayed everything the primary has written; seconds."""
        import psycopg2

        started = time.monotonic()
        primary = psycopg2.connect(self.url("primary", database))
        replica = psycopg2.connect(self.url("replica", database))
        primary.autocommit = replica.autocommit = True
        try:
            with primary.cursor() as p:
                p.execute("SELECT pg_current_wal_lsn()")
                target = p.fetchone()[0]
            while time.monotonic() - started < timeout:
                with replica.cursor() as r:
                    r.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                    if r.fetchone()[0]:
                        return time.monotonic() - started
                time.sleep(0.2)
        finally:
            primary.close()
            replica.close()
        raise RuntimeError(f"the replica did not catch up within {timeout}s")

    def stop(self) -> None:
        for data in (self.replica, self.primary):
            if (data / "postmaster.pid").exists():
                try:
                    _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                                  "stop"], timeout=60)
                except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                    print(f"could not stop {data}: {exc}")
        shutil.rmtree(self.root, ignore_errors=True)


def clusters_make(primary_port: int, replica_port: int) -> Clusters:
    return Clusters(Path(tempfile.mkdtemp(prefix="portal-multinode-")), primary_port,
                    replica_port)
