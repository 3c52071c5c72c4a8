"""pytest plugin: a real local Neo4j 5 server for tests marked ``neo4j``.

Register with ``-p tests.conftest_neo4j`` (or ``pytest_plugins``). The session fixture
``neo4j_server`` starts a fresh server through ``kg.neo4j_server.start`` in a temporary dir
on a free port, yields its ``ServerInfo`` and stops it at the end. Where Java/Maven are
missing the tests skip, unless ``KG_REQUIRE_NEO4J=1`` (CI), where they fail instead.
The first run on a machine downloads Neo4j from Maven Central into the project's cache.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kg import neo4j_server as ns


def require_neo4j() -> None:
    """Skips the calling test (or fails it, with KG_REQUIRE_NEO4J=1) if no server can run."""
    reason = ns.java_available()
    if reason is None:
        return
    if os.environ.get("KG_REQUIRE_NEO4J") == "1":
        pytest.fail(f"KG_REQUIRE_NEO4J=1 but Neo4j cannot run here: {reason}", pytrace=False)
    pytest.skip(f"Neo4j cannot run here: {reason}")


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ns.ServerInfo]:
    require_neo4j()
    state_dir = tmp_path_factory.mktemp("neo4j-server")
    info = ns.start(port=ns.free_port(), dir=state_dir, timeout=300)
    try:
        yield info
    finally:
        ns.stop(dir=state_dir)


@pytest.fixture
def neo4j_driver(neo4j_server: ns.ServerInfo):
    """A driver on the session server, on a wiped database."""
    import neo4j

    with neo4j.GraphDatabase.driver(
        neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)
    ) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
        yield driver
