"""A private ClamAV daemon for the scanning tests: its own unix socket and signature database in
a temporary folder, so it needs no downloaded signatures and never touches a system clamd.

The database holds one signature, for the EICAR test string (the anti-virus industry's
harmless test file), as a body signature (.ndb) so it is found anywhere in a file, e.g. inside
a PDF that passes the type check.
"""

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

# Split so that no file of ours is itself the EICAR test file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Portal.Test.EICAR"
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
START_TIMEOUT_SECONDS = 30


def clamd_installed() -> bool:
    return Path(CLAMD).exists()


def _answers(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(2)
            conn.connect(str(path))
            conn.sendall(b"nPING\n")
            return conn.recv(16).strip() == b"PONG"
    except OSError:
        return False


@contextlib.contextmanager
def private_clamd(folder: Path):
    """Start clamd in `folder`, wait (bounded) until it answers PING, yield its socket path,
    and stop it (by its own pid) afterwards."""
    database = folder / "db"
    database.mkdir(parents=True)
    (database / "portal-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    sock = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text("\n".join([
        f"LocalSocket {sock}",
        f"DatabaseDirectory {database}",
        f"TemporaryDirectory {folder}",
        f"LogFile {folder / 'clamd.log'}",
        "Foreground true",
        "StreamMaxLength 25M",
        "",
    ]))
    process = subprocess.Popen([CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _answers(sock):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() \
                    else ""
                raise RuntimeError(f"clamd did not start: exit {process.poll()}\n{log[-2000:]}")
            time.sleep(0.1)
        yield sock
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
