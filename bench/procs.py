"""The processes under test: gunicorn (web) and a Celery worker, started and stopped by id,
with their peak resident memory read from /proc (VmHWM, the high-water mark)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .env import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: parse after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Service:
    """One process tree we started; `peaks` keeps the largest VmHWM seen per process."""

    def __init__(self, name: str, command: list[str], environ: dict[str, str], log: Path):
        self.name = name
        self.command = command
        self.environ = environ
        self.log_path = log
        self.process: subprocess.Popen | None = None
        self.peaks: dict[int, float] = {}

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # Its own process group: stopping it stops its workers too, and nothing else.
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.environ,
                                        stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def sample(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for pid in [self.process.pid, *children_of(self.process.pid)]:
            peak = peak_rss_mib(pid)
            if peak is not None:
                self.peaks[pid] = max(peak, self.peaks.get(pid, 0.0))

    def peak_summary(self) -> tuple[float, float]:
        """(largest single process, sum of every process's peak) in MiB."""
        if not self.peaks:
            return (0.0, 0.0)
        return (max(self.peaks.values()), sum(self.peaks.values()))

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.sample()
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def gunicorn(environ: dict[str, str], *, port: int, workers: int, log: Path) -> Service:
    command = [
        sys.executable, "-m", "gunicorn", "portal.bench_wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--timeout", "120", "--graceful-timeout", "10", "--log-level", "warning",
    ]
    return Service("web", command, environ, log)


def celery_worker(environ: dict[str, str], *, concurrency: int, log: Path) -> Service:
    command = [
        # As in the Procfile and docker-compose.yml: the worker yields the CPU to the web.
        "nice", "-n", "10",
        sys.executable, "-m", "celery", "-A", "portal", "worker", "--include", "bench.tasks",
        "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"bench-{os.getpid()}@%h",
    ]
    return Service("worker", command, environ, log)


def wait_http(url: str, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 (loopback only)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except OSError as exc:
            last = exc
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout}s: {last}")
