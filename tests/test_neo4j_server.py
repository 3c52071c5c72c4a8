"""The local Neo4j server: start, status, queries over Bolt, read-only sessions, stop.

Runs against a real Neo4j 5.26 started from Maven Central's artifacts (see
kg/neo4j_server.py); needs the ``tests.conftest_neo4j`` plugin.
"""

from __future__ import annotations

import os
import stat

import neo4j
import pytest

from kg import neo4j_server as ns
from tests.conftest_neo4j import require_neo4j

pytestmark = pytest.mark.neo4j


def _driver(info: ns.ServerInfo) -> neo4j.Driver:
    return neo4j.GraphDatabase.driver(info.uri, auth=(info.user, info.password))


def test_status_shows_the_running_server(neo4j_server):
    info = neo4j_server
    assert info.uri == f"bolt://127.0.0.1:{info.port}"
    assert info.user == "neo4j"
    assert ns.status(dir=info.dir) == info
    assert ns._is_our_launcher(info.pid, info.dir)


def test_return_1_and_write_then_read_a_node(neo4j_driver):
    records, _, _ = neo4j_driver.execute_query("RETURN 1 AS x")
    assert records[0]["x"] == 1
    with neo4j_driver.session() as session:
        session.execute_write(
            lambda tx: tx.run(
                "CREATE (:Agency {name: $name, level: $level})", name="北京市司法局", level=2
            ).consume()
        )
        rec = session.execute_read(
            lambda tx: tx.run("MATCH (a:Agency) RETURN a.name AS name, a.level AS level").single()
        )
    assert (rec["name"], rec["level"]) == ("北京市司法局", 2)


def test_read_access_session_refuses_create(neo4j_driver):
    with neo4j_driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
        assert session.run("RETURN 2 AS x").single()["x"] == 2
        with pytest.raises(neo4j.exceptions.ClientError) as err:
            session.run("CREATE (:ShouldNotExist)").consume()
    assert err.value.code == "Neo.ClientError.Statement.AccessMode"
    records, _, _ = neo4j_driver.execute_query("MATCH (n:ShouldNotExist) RETURN count(n) AS c")
    assert records[0]["c"] == 0


def test_wrong_password_and_no_auth_are_refused(neo4j_server):
    for auth in [(neo4j_server.user, "neo4j"), (neo4j_server.user, "wrong-password"), None]:
        with (
            neo4j.GraphDatabase.driver(neo4j_server.uri, auth=auth) as driver,
            pytest.raises(neo4j.exceptions.AuthError),
        ):
            driver.verify_connectivity()


def test_password_file_is_private_and_never_shown(neo4j_server, capsys):
    pw_file = neo4j_server.dir / "password"
    assert stat.S_IMODE(pw_file.stat().st_mode) == 0o600
    assert pw_file.read_text().strip() == neo4j_server.password
    assert len(neo4j_server.password) >= 20
    assert stat.S_IMODE(neo4j_server.dir.stat().st_mode) == 0o700

    assert neo4j_server.password not in repr(neo4j_server)
    assert neo4j_server.password not in str(neo4j_server)
    assert neo4j_server.password not in neo4j_server.describe()

    rc = ns.main(["status", "--dir", str(neo4j_server.dir)])
    out, err = capsys.readouterr()
    assert rc == 0
    assert neo4j_server.uri in out
    assert neo4j_server.password not in out + err
    for name in ("server.json", "launcher.log"):
        assert neo4j_server.password not in (neo4j_server.dir / name).read_text()
    # The initial-user seed (a salted hash) is removed once the system database holds the user.
    assert not (neo4j_server.dir / "db" / "data" / "dbms" / "auth.ini").exists()
    db_logs = neo4j_server.dir / "db" / "logs"
    for log in db_logs.glob("*.log"):
        assert neo4j_server.password not in log.read_text(errors="replace"), log


def test_connection_from_env(neo4j_server, monkeypatch):
    monkeypatch.setenv("NEO4J_USER", "alice")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pass")
    assert ns.connection_from_env("bolt://example:7687") == (
        "bolt://example:7687",
        ("alice", "s3cret-pass"),
    )
    monkeypatch.delenv("NEO4J_USER")
    assert ns.connection_from_env("neo4j://h") == ("neo4j://h", ("neo4j", "s3cret-pass"))
    monkeypatch.delenv("NEO4J_PASSWORD")
    assert ns.connection_from_env("neo4j://h") == ("neo4j://h", None)

    # uri None: the local server in the default dir (here: the session server's dir).
    monkeypatch.setattr(ns, "default_dir", lambda: neo4j_server.dir)
    assert ns.connection_from_env(None) == (
        neo4j_server.uri,
        (neo4j_server.user, neo4j_server.password),
    )


def test_start_port_in_use_is_a_clear_error(tmp_path, neo4j_server):
    with pytest.raises(ns.Neo4jServerError, match=f"port {neo4j_server.port} .*in use"):
        ns.start(port=neo4j_server.port, dir=tmp_path / "other")


def test_lifecycle_start_idempotent_stop_restart(tmp_path, capsys):
    require_neo4j()
    d = tmp_path / "server"
    port = ns.free_port()
    assert ns.status(dir=d) is None
    assert ns.stop(dir=d) is False

    rc = ns.main(["start", "--port", str(port), "--dir", str(d)])
    out, err = capsys.readouterr()
    assert rc == 0
    assert out.strip() == f"bolt://127.0.0.1:{port}"
    info = ns.status(dir=d)
    assert info is not None
    assert info.password not in out + err

    again = ns.start(port=port, dir=d)  # idempotent: same process
    assert again == info
    elsewhere = ns.start(port=ns.free_port(), dir=d)  # already running: its info
    assert elsewhere.pid == info.pid and elsewhere.port == port

    with _driver(info) as driver:
        driver.execute_query("CREATE (:Kept {v: 42})")

    assert ns.stop(dir=d) is True
    assert ns.status(dir=d) is None
    assert not _pid_exists(info.pid)
    assert ns.stop(dir=d) is False
    assert ns.main(["status", "--dir", str(d)]) == 1
    assert "not running" in capsys.readouterr().out

    # Restart on the same dir: same password, data kept.
    restarted = ns.start(port=port, dir=d)
    try:
        assert restarted.pid != info.pid
        assert restarted.password == info.password
        with _driver(restarted) as driver:
            records, _, _ = driver.execute_query("MATCH (k:Kept) RETURN k.v AS v")
        assert [r["v"] for r in records] == [42]
    finally:
        ns.stop(dir=d)


def test_stale_state_is_ignored(tmp_path):
    d = tmp_path / "stale"
    d.mkdir()
    (d / "password").write_text("x" * 32)
    (d / "server.json").write_text(
        '{"pid": 999999999, "port": 1, "uri": "bolt://127.0.0.1:1", "user": "neo4j",'
        ' "state": "running"}'
    )
    assert ns.status(dir=d) is None
    assert ns.stop(dir=d) is False
    assert not (d / "server.json").exists()


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
