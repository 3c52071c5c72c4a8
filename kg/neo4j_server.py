"""A local Neo4j 5 (5.26 LTS, community) server for kg, obtained from Maven Central.

No Neo4j distribution can be downloaded here, so the server is Neo4j's embedded DBMS
(``org.neo4j:neo4j``, which brings the Bolt connector) run by a small Java launcher,
``kg/neo4j_launcher`` (a Maven project). The first :func:`start` resolves the dependencies
with Maven into ``<cache>/m2`` and compiles the launcher into ``<cache>/neo4j-launcher``;
later starts reuse both (the build is skipped while ``pom.xml`` and the Java source are
unchanged). ``<cache>`` is ``$KG_CACHE_DIR`` or ``<repo>/.cache``.

The server listens on 127.0.0.1 only, with auth enabled: user ``neo4j``, a generated password
kept in ``DIR/password`` (mode 0600). The password is never printed or logged; status output
shows the URI, pid, port, dir and user only. Server state lives in DIR (default
``<cache>/neo4j-server``)::

    DIR/password       the neo4j user's password (0600), made on the first start
    DIR/server.json    pid, port, uri, user, state ("starting" / "running"); no password
    DIR/launcher.log   the launcher's stdout and stderr
    DIR/db/            Neo4j's home: data/ (the databases) and logs/ (debug.log, ...)

Environment: ``KG_NEO4J_HEAP`` (JVM max heap, default ``1g``), ``KG_NEO4J_PAGECACHE``
(default ``512m``), ``JAVA_HOME`` (else ``java`` on PATH), ``mvn`` on PATH for the build.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DEFAULT_PORT",
    "NEO4J_VERSION",
    "Neo4jServerError",
    "ServerInfo",
    "connection_from_env",
    "default_dir",
    "java_available",
    "main",
    "start",
    "status",
    "stop",
]

DEFAULT_PORT = 7687
USER = "neo4j"
MIN_JAVA = 17
MAIN_CLASS = "kg.neo4j.Launcher"
BUILD_TIMEOUT = 1800.0  # seconds for the Maven build; not part of start()'s timeout

REPO_ROOT = Path(__file__).resolve().parent.parent
LAUNCHER_SRC = Path(__file__).resolve().parent / "neo4j_launcher"


def _pom_neo4j_version() -> str:
    try:
        m = re.search(
            r"<neo4j\.version>([^<]+)</neo4j\.version>", (LAUNCHER_SRC / "pom.xml").read_text()
        )
    except OSError:
        m = None
    return m.group(1).strip() if m else "unknown"


NEO4J_VERSION = _pom_neo4j_version()  # the version pinned in kg/neo4j_launcher/pom.xml

_PASSWORD_FILE = "password"
_STATE_FILE = "server.json"
_LOG_FILE = "launcher.log"
_LOCK_FILE = ".lock"
_HOME = "db"

# Popen objects of servers started by this process, kept so they are not reaped or warned
# about while running; stop() reaps them.
_CHILDREN: dict[int, subprocess.Popen] = {}


class Neo4jServerError(RuntimeError):
    """A local Neo4j server could not be started, stopped or found (one-line message)."""


@dataclass(frozen=True)
class ServerInfo:
    uri: str
    port: int
    dir: Path
    pid: int
    user: str
    password: str = field(repr=False)

    def describe(self) -> str:
        """One line for people: never includes the password."""
        return f"running: {self.uri} (pid {self.pid}, user {self.user}, dir {self.dir})"


# ---------------------------------------------------------------------------- locations


def cache_dir() -> Path:
    env = os.environ.get("KG_CACHE_DIR")
    return Path(env).expanduser().resolve() if env else REPO_ROOT / ".cache"


def default_dir() -> Path:
    return cache_dir() / "neo4j-server"


def _build_dir() -> Path:
    return cache_dir() / "neo4j-launcher"


def _m2_dir() -> Path:
    return cache_dir() / "m2"


def _resolve_dir(dir: Path | None) -> Path:
    return (Path(dir).expanduser() if dir is not None else default_dir()).resolve()


# ---------------------------------------------------------------------------- java / maven


def _java_cmd() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home:
        cand = Path(home) / "bin" / "java"
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return shutil.which("java")


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def _mvn_cmd() -> str | None:
    return shutil.which("mvn")


def java_available() -> str | None:
    """None if the server can be started here, else the reason why not (for test skips)."""
    java = _java_cmd()
    if java is None:
        return "java not found (install a JDK 17 or 21, or set JAVA_HOME)"
    major = _java_major(java)
    if major is None:
        return f"could not read the version of {java}"
    if major < MIN_JAVA:
        return f"Neo4j {NEO4J_VERSION} needs Java {MIN_JAVA}+, found Java {major} ({java})"
    if not _build_is_current() and _mvn_cmd() is None:
        return "mvn not found (needed once to fetch Neo4j from Maven Central)"
    return None


def _source_digest() -> str:
    h = hashlib.sha256()
    files = [LAUNCHER_SRC / "pom.xml", *sorted((LAUNCHER_SRC / "src").rglob("*.java"))]
    for f in files:
        h.update(str(f.relative_to(LAUNCHER_SRC)).encode() + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()


def _classpath_file() -> Path:
    return _build_dir() / "classpath.txt"


def _stamp_file() -> Path:
    return _build_dir() / "build.stamp"


def _build_is_current() -> bool:
    try:
        if _stamp_file().read_text().strip() != _source_digest():
            return False
        entries = _classpath_file().read_text().strip().split(os.pathsep)
    except OSError:
        return False
    main_class = _build_dir() / "classes" / Path(*MAIN_CLASS.split(".")).with_suffix(".class")
    return main_class.is_file() and all(Path(e).is_file() for e in entries if e)


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _log(msg: str) -> None:
    print(f"kg neo4j: {msg}", file=sys.stderr, flush=True)


def _ensure_built() -> str:
    """Builds the launcher if needed; returns the classpath (launcher classes + Neo4j jars)."""
    build = _build_dir()
    with _flock(cache_dir() / "neo4j-launcher.lock"):
        if not _build_is_current():
            _run_maven(build)
        entries = _classpath_file().read_text().strip().split(os.pathsep)
    return os.pathsep.join([str(build / "classes"), *[e for e in entries if e]])


def _run_maven(build: Path) -> None:
    mvn = _mvn_cmd()
    if mvn is None:
        raise Neo4jServerError("mvn not found: it is needed once to fetch Neo4j from Maven Central")
    digest = _source_digest()
    _stamp_file().unlink(missing_ok=True)
    cmd = [
        mvn,
        "-B",
        "-Dstyle.color=never",
        "-f",
        str(LAUNCHER_SRC / "pom.xml"),
        f"-Dmaven.repo.local={_m2_dir()}",
        f"-Dkg.buildDir={build}",
        "compile",
    ]
    fresh = not (_m2_dir() / "org" / "neo4j" / "neo4j" / NEO4J_VERSION).is_dir()
    _log(
        f"building the Neo4j {NEO4J_VERSION} launcher with Maven"
        + (" (first run: downloading about 110 MB into " + str(_m2_dir()) + ")" if fresh else "")
    )
    t0 = time.monotonic()
    tail: deque[str] = deque(maxlen=15)
    downloads = 0
    last_report = t0
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            cwd=str(LAUNCHER_SRC),
        )
    except OSError as e:
        raise Neo4jServerError(f"could not run Maven ({mvn}): {e}") from e
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            line = _ANSI.sub("", line).rstrip()
            bare = line.removeprefix("[INFO] ")
            if bare.startswith("Downloaded from"):
                downloads += 1
                if time.monotonic() - last_report >= 10:
                    last_report = time.monotonic()
                    _log(f"maven: {downloads} files downloaded ({last_report - t0:.0f}s)")
                continue
            if bare.startswith("Downloading from") or _maven_noise(line):
                continue
            tail.append(line)
            if line.startswith("[ERROR]"):
                print(f"kg neo4j: maven: {line}", file=sys.stderr, flush=True)
        rc = proc.wait(timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise Neo4jServerError(f"Maven build timed out after {BUILD_TIMEOUT:.0f}s") from None
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if rc != 0 or not _classpath_file().is_file():
        last = " | ".join(tail)[-1500:]
        raise Neo4jServerError(f"Maven failed to build the Neo4j launcher (exit {rc}): {last}")
    _stamp_file().write_text(digest + "\n")
    _log(f"launcher built in {time.monotonic() - t0:.0f}s ({downloads} files downloaded)")


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MAVEN_NOISE = (
    "---",
    "Total time:",
    "Finished at:",
    "Re-run Maven",
    "To see the full",
    "For more information",
    "[Help ",
    "Scanning for",
    "Building kg-neo4j-launcher",
)


def _maven_noise(line: str) -> bool:
    """Maven's banners and boilerplate, left out of progress and error messages."""
    bare = re.sub(r"^\[(INFO|ERROR|WARNING)\]\s*", "", line).strip()
    return not bare or bare.startswith(_MAVEN_NOISE)


# ---------------------------------------------------------------------------- state


def _read_state(d: Path) -> dict | None:
    try:
        return json.loads((d / _STATE_FILE).read_text())
    except (OSError, ValueError):
        return None


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _write_state(d: Path, **state) -> None:
    _write_private(d / _STATE_FILE, json.dumps(state, indent=1) + "\n")


def _clear_state(d: Path) -> None:
    (d / _STATE_FILE).unlink(missing_ok=True)


def _read_password(d: Path) -> str:
    return (d / _PASSWORD_FILE).read_text().strip()


def _ensure_password(d: Path) -> None:
    pw = d / _PASSWORD_FILE
    if pw.exists():
        os.chmod(pw, 0o600)
        return
    if (d / _HOME / "data" / "databases" / "system").exists():
        raise Neo4jServerError(
            f"{pw} is missing but {d / _HOME} already has a database with a password; "
            f"restore the file, or delete {d} to start over"
        )
    _write_private(pw, secrets.token_urlsafe(24))


def _pid_alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is not None:
            _CHILDREN.pop(pid, None)
            return False
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    except (OSError, IndexError):
        pass
    return True


def _is_our_launcher(pid: int, d: Path) -> bool:
    """Guards against a recycled pid: the process must be our launcher for this dir."""
    if not _pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return not Path("/proc/self").exists()  # no /proc: trust the pid
    args = [a.decode(errors="replace") for a in cmdline]
    return MAIN_CLASS in args and str(d / _HOME) in args


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, for a server of one's own."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _info(d: Path, state: dict) -> ServerInfo:
    return ServerInfo(
        uri=state["uri"],
        port=int(state["port"]),
        dir=d,
        pid=int(state["pid"]),
        user=state.get("user", USER),
        password=_read_password(d),
    )


def _tail(path: Path, n: int = 8) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    lines = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("\tat ")]
    return " | ".join(lines[-n:])[-1500:]


def _terminate(pid: int, timeout: float = 60.0) -> None:
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _pid_alive(pid):
            time.sleep(0.1)
        if not _pid_alive(pid):
            break
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(Exception):
            child.wait(timeout=5)


# ---------------------------------------------------------------------------- public API


def status(*, dir: Path | None = None) -> ServerInfo | None:
    """The running server in DIR, or None (stale state is ignored)."""
    d = _resolve_dir(dir)
    state = _read_state(d)
    if not state or state.get("state") != "running":
        return None
    try:
        pid = int(state["pid"])
    except (KeyError, TypeError, ValueError):
        return None
    if not _is_our_launcher(pid, d):
        return None
    try:
        return _info(d, state)
    except (OSError, KeyError, ValueError):
        return None


def start(*, port: int = DEFAULT_PORT, dir: Path | None = None, timeout: float = 180) -> ServerInfo:
    """Starts the server in DIR on 127.0.0.1:PORT and waits until Bolt answers.

    Idempotent: if a server already runs in DIR, returns its info (whatever its port).
    The Maven build (first run, or after the launcher changed) is not counted in timeout.
    """
    d = _resolve_dir(dir)
    d.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(d, 0o700)
    with _flock(d / _LOCK_FILE):
        state = _read_state(d)
        if state:
            pid = int(state.get("pid", 0) or 0)
            if pid and _is_our_launcher(pid, d):
                if state.get("state") == "running":
                    return _info(d, state)
                # "starting" under our lock: whoever started it died; start over.
                _terminate(pid)
            _clear_state(d)

        reason = java_available()
        if reason:
            raise Neo4jServerError(reason)
        if not _port_free(port):
            raise Neo4jServerError(f"port {port} on 127.0.0.1 is already in use")
        classpath = _ensure_built()
        _ensure_password(d)
        return _launch(d, port, classpath, timeout)


def _launch(d: Path, port: int, classpath: str, timeout: float) -> ServerInfo:
    java = _java_cmd()
    assert java is not None
    home = d / _HOME
    heap = os.environ.get("KG_NEO4J_HEAP", "1g")
    pagecache = os.environ.get("KG_NEO4J_PAGECACHE", "512m")
    cmd = [
        java,
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:-OmitStackTraceInFastThrow",
        "-Djdk.nio.maxCachedBufferSize=1024",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dlog4j2.shutdownHookEnabled=false",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        MAIN_CLASS,
        "--home",
        str(home),
        "--port",
        str(port),
        "--password-file",
        str(d / _PASSWORD_FILE),
        "--pagecache",
        pagecache,
    ]
    env = dict(os.environ, CLASSPATH=classpath)  # keeps the long classpath out of `ps`
    log_path = d / _LOG_FILE
    with open(log_path, "w") as log:
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=str(d),
                start_new_session=True,  # survives the CLI and its terminal's Ctrl-C
                close_fds=True,
            )
        except OSError as e:
            raise Neo4jServerError(f"could not run {java}: {e}") from e
    _CHILDREN[proc.pid] = proc
    uri = f"bolt://127.0.0.1:{port}"
    _write_state(d, pid=proc.pid, port=port, uri=uri, user=USER, state="starting")
    try:
        _wait_ready(proc, log_path, timeout)
        _verify_bolt(uri, (USER, _read_password(d)), timeout=30)
    except BaseException:
        _terminate(proc.pid, timeout=30)
        _clear_state(d)
        raise
    _write_state(
        d, pid=proc.pid, port=port, uri=uri, user=USER, state="running", started=time.time()
    )
    return _info(d, _read_state(d) or {})


def _wait_ready(proc: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        text = log_path.read_text(errors="replace")
        for line in text.splitlines():
            if line.startswith("READY "):
                return
            if line.startswith("FAILED "):
                raise Neo4jServerError(f"Neo4j failed to start: {line[7:].strip()[:1500]}")
        if proc.poll() is not None:
            raise Neo4jServerError(
                f"Neo4j launcher exited with code {proc.returncode}: {_tail(log_path)}"
                f" (see {log_path})"
            )
        if time.monotonic() > deadline:
            raise Neo4jServerError(
                f"Neo4j did not start within {timeout:.0f}s: {_tail(log_path)} (see {log_path})"
            )
        time.sleep(0.1)


def _verify_bolt(uri: str, auth: tuple[str, str], timeout: float) -> None:
    import neo4j

    deadline = time.monotonic() + timeout
    while True:
        try:
            with neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
                driver.verify_connectivity()
            return
        except neo4j.exceptions.AuthError as e:
            raise Neo4jServerError(
                "Neo4j rejected the password in the state dir's password file"
            ) from e
        except Exception as e:
            if time.monotonic() > deadline:
                raise Neo4jServerError(f"Bolt at {uri} did not answer: {e}") from e
            time.sleep(0.25)


def stop(*, dir: Path | None = None) -> bool:
    """Stops the server in DIR; True if one was running."""
    d = _resolve_dir(dir)
    if not d.is_dir():
        return False
    with _flock(d / _LOCK_FILE):
        state = _read_state(d)
        if not state:
            return False
        try:
            pid = int(state["pid"])
        except (KeyError, TypeError, ValueError):
            pid = 0
        was_running = bool(pid) and _is_our_launcher(pid, d)
        if was_running:
            _terminate(pid)
            if _pid_alive(pid):
                raise Neo4jServerError(f"Neo4j (pid {pid}) did not stop")
        _clear_state(d)
        return was_running


def connection_from_env(uri: str | None) -> tuple[str, tuple[str, str] | None]:
    """(uri, auth) for the driver.

    uri None: the server started by ``kg neo4j start`` in the default dir (error if none runs).
    Otherwise: the given uri, auth from NEO4J_USER (default ``neo4j``) and NEO4J_PASSWORD,
    or no auth when NEO4J_PASSWORD is unset.
    """
    if uri is None:
        info = status()
        if info is None:
            raise Neo4jServerError(
                "no local Neo4j server is running: run `kg neo4j start`, or pass --neo4j URI"
            )
        return info.uri, (info.user, info.password)
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        return uri, None
    return uri, (os.environ.get("NEO4J_USER") or USER, password)


# ---------------------------------------------------------------------------- CLI helper


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds `start [--port P] [--dir DIR] | stop [--dir DIR] | status [--dir DIR]`."""
    sub = parser.add_subparsers(dest="neo4j_command", required=True)
    p = sub.add_parser("start", help="start the local Neo4j server, print its bolt URI")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--dir", type=Path, default=None, help=f"state dir (default {default_dir()})")
    p.add_argument("--timeout", type=float, default=180.0)
    for name, text in (("stop", "stop the local Neo4j server"), ("status", "is it running?")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--dir", type=Path, default=None)


def run(args: argparse.Namespace) -> int:
    """Runs a parsed `kg neo4j ...` command. Prints only URIs and status, never the password."""
    try:
        if args.neo4j_command == "start":
            info = start(port=args.port, dir=args.dir, timeout=args.timeout)
            if info.port != args.port:
                _log(f"already running in {info.dir} on port {info.port}")
            print(info.uri)
            return 0
        if args.neo4j_command == "stop":
            print("stopped" if stop(dir=args.dir) else "not running")
            return 0
        info = status(dir=args.dir)
        print(info.describe() if info else "not running")
        return 0 if info else 1
    except Neo4jServerError as e:
        print(f"kg neo4j: error: {e}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kg neo4j", description="a local Neo4j 5 server")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
