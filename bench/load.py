"""The load generator: Debian's wrk on loopback, bounded by time and by a request cap."""

import json
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk_report.lua")
# Long enough for every gunicorn worker to have served the page once (imports, templates).
WARMUP_SECONDS = 3
# A page slower than this (timed as one request) is not timed again: one sample says enough,
# and repeating it would break the 30-minute budget.
ONCE_IS_ENOUGH_MS = 20_000


class LoadError(RuntimeError):
    """The load generator failed or the server answered with errors."""


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    unexpected: int
    last_unexpected_status: int
    socket_errors: int
    single: bool = False  # one timed request: the page is slower than a whole run

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Summary:
    """Medians over repeated runs."""

    runs: list[Run]

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs)

    @property
    def p50_ms(self) -> float:
        return self.median("p50_ms")

    @property
    def p95_ms(self) -> float:
        return self.median("p95_ms")

    @property
    def rps(self) -> float:
        return self.median("rps")

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)

    @property
    def unexpected(self) -> int:
        return sum(run.unexpected for run in self.runs)

    def describe(self) -> str:
        slow = sum(run.single for run in self.runs)
        note = (f"; {slow} run(s) got no response within the run, timed as one request"
                if slow else "")
        return (f"p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, {self.rps:.1f} req/s "
                f"({len(self.runs)} runs, {self.requests} requests{note})")


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_command(base_url: str, paths: list[str], *, headers: dict[str, str], seconds: float,
                connections: int, max_requests: int, method: str, body: str,
                expect: int) -> list[str]:
    if not paths:
        raise LoadError("no paths to request")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", "30s", "-s", str(SCRIPT)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if body:
        command += ["-H", "Content-Type: application/x-www-form-urlencoded"]
    return [*command, base_url, "--", str(max_requests), str(expect), method, body or "-",
            *paths]


def parse(output: str) -> Run:
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON "):])
            return Run(
                requests=data["requests"], seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000, p95_ms=data["p95_us"] / 1000,
                p99_ms=data["p99_us"] / 1000, unexpected=data["unexpected"],
                last_unexpected_status=data["last_unexpected_status"],
                socket_errors=data["socket_errors"],
            )
    raise LoadError(f"wrk printed no result:\n{output[-2000:]}")


def run_once(base_url: str, paths: list[str], *, headers: dict[str, str], seconds: float = 5,
             connections: int = 2, max_requests: int = 20000, method: str = "GET",
             body: str = "", expect: int = 200, time_one_if_none: bool = True) -> Run:
    command = wrk_command(base_url, paths, headers=headers, seconds=seconds,
                          connections=connections, max_requests=max_requests, method=method,
                          body=body, expect=expect)
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    run = parse(result.stdout)
    if run.requests == 0 and time_one_if_none:
        if method != "GET":
            raise LoadError(f"no {method} {paths[0]} answered within {seconds:g} s")
        return single_request(base_url + paths[0], headers=headers, expect=expect)
    if run.requests and run.unexpected > run.requests // 100:
        raise LoadError(
            f"{run.unexpected} of {run.requests} responses were not {expect} "
            f"(last: {run.last_unexpected_status}) for {method} {paths[0]}"
        )
    return run


def single_request(address: str, *, headers: dict[str, str], expect: int,
                   timeout: float = 300) -> Run:
    """Time one GET: for a page slower than the load run (wrk then counts nothing)."""
    import http.client
    import time
    import urllib.error
    import urllib.request

    request = urllib.request.Request(address, headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except http.client.RemoteDisconnected as error:
        raise LoadError(f"GET {address}: no response before gunicorn's worker timeout "
                        f"({time.monotonic() - started:.0f} s; the worker was killed)") from error
    except OSError as error:
        raise LoadError(f"GET {address} failed: {error}") from error
    elapsed = time.monotonic() - started
    if status != expect:
        raise LoadError(f"GET {address} answered {status}, not {expect}")
    ms = elapsed * 1000
    return Run(requests=1, seconds=elapsed, p50_ms=ms, p95_ms=ms, p99_ms=ms, unexpected=0,
               last_unexpected_status=0, socket_errors=0, single=True)


def start_background(base_url: str, paths: list[str], *, headers: dict[str, str],
                     seconds: float, connections: int = 1, expect: int = 200,
                     max_requests: int = 20000) -> subprocess.Popen:
    command = wrk_command(base_url, paths, headers=headers, seconds=seconds,
                          connections=connections, max_requests=max_requests, method="GET",
                          body="", expect=expect)
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def measure(base_url: str, paths: list[str], *, repeats: int, warmup: bool = True,
            **options) -> Summary:
    """Median of `repeats` runs after a short warm-up (fills caches and connection pools)."""
    if warmup:
        run_once(base_url, paths, **{**options, "seconds": WARMUP_SECONDS},
                 time_one_if_none=False)
    return Summary([run_once(base_url, paths, **options) for _ in range(repeats)])
