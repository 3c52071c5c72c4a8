"""The summary's whole-store figures, kept by difference: an update costs what it changed,
not what the store holds.

Deriving the Overview's figures again from all the summary's rows took 16-25 s at 100,000
reports after every update, most of the wait for a one-file upload to a store that size.
Each figure now has a table of its own, small next to the rows (one row per instrument,
agency and program, pair of instruments, or report region and year):

- recomputed for the keys an update touched, from the rows: `runs` and `agency_programs`
  per agency, `cells` per report region and year, `outcome_sums` per agency,
  `report_kinds` per report;
- counted by difference, from what the touched rows were before the update and are after
  it: `tallies` (entities per type, distinct facts per relation), `cited` per instrument,
  `co_cited` per pair of instruments, `program_reach` per program, `options` per outcome
  filter value, and the entities' degrees.

What the rows were is known from two things: what the removed reports held, copied aside
by `note_removal` before their rows are deleted, and which reports were added
(`note_added`); everything else is unchanged. A summary computed from nothing is the same
update with every report added. `kg.summarize.update` calls these around its deletes and
inserts, then `derive`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations

from kg import queries
from kg.mapping import entity_ref
from kg.summary import OUTCOME_SUMS, VALUES_OF, entities_where, put_part

CO_CITED_KEPT = 100  # instrument pairs kept; the app asks for fewer
TOP_CITED_KEPT = 200
PROGRAM_AGENCIES_KEPT = 500  # rows of the programs-by-agency table, those with most programs

# A report's cell in the region and year table (`reports_cell` indexes it).
CELL_REGION = "coalesce(nullif(region, ''), '(unknown)')"

# What an update touches, for the length of one update.
_CHANGES = """
CREATE TEMP TABLE IF NOT EXISTS touched (id INTEGER PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS gone (report TEXT PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS added (report TEXT PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS gone_facts (
  s INTEGER, p TEXT, o INTEGER, agency INTEGER, PRIMARY KEY (s, p, o)
);
CREATE TEMP TABLE IF NOT EXISTS gone_cells (region TEXT, year INTEGER);
CREATE TEMP TABLE IF NOT EXISTS gone_agencies (agency TEXT PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS gone_types (type TEXT, n INTEGER);
CREATE TEMP TABLE IF NOT EXISTS gone_options (field TEXT, value, n INTEGER);
CREATE TEMP TABLE IF NOT EXISTS kind_changes (id INTEGER PRIMARY KEY, old TEXT);
CREATE TEMP TABLE IF NOT EXISTS kind_reports (report TEXT PRIMARY KEY);
CREATE TEMP TRIGGER IF NOT EXISTS kind_change AFTER UPDATE OF kind ON main.entities
  WHEN OLD.kind IS NOT NEW.kind
  BEGIN INSERT OR IGNORE INTO kind_changes VALUES (OLD.id, OLD.kind); END;
CREATE TEMP TABLE IF NOT EXISTS keys (k INTEGER PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS agency_keys (agency TEXT PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS triples (
  s INTEGER, p TEXT, o INTEGER, was INTEGER, is_now INTEGER, PRIMARY KEY (s, p, o)
);
CREATE TEMP TABLE IF NOT EXISTS gone_cited (o INTEGER PRIMARY KEY, reports INTEGER);
"""
_CHANGE_TABLES = re.findall(r"CREATE TEMP TABLE IF NOT EXISTS (\w+)", _CHANGES)
_ADDED = "(SELECT report FROM added)"
_GONE = "(SELECT report FROM gone)"
# The outcome filters' values and how many outcomes have each, of the outcomes {where} keeps.
_OPTION_COUNTS = """
SELECT 'agencies', agency, COUNT(*) FROM outcomes WHERE {where} AND agency != '' GROUP BY 2
UNION ALL SELECT 'years', year, COUNT(*) FROM outcomes WHERE {where} AND year NOT NULL GROUP BY 2
UNION ALL SELECT 'regions', region, COUNT(*) FROM outcomes WHERE {where} AND region != '' GROUP BY 2
UNION ALL SELECT 'units', unit, COUNT(*) FROM outcomes WHERE {where} AND unit != '' GROUP BY 2
"""


def begin(db: sqlite3.Connection) -> int:
    """Start recording an update; the entity number above which entities are new."""
    db.executescript(_CHANGES + "".join(f"DELETE FROM {t};" for t in _CHANGE_TABLES))
    return db.execute("SELECT coalesce(max(id), 0) FROM entities").fetchone()[0]


def note_removal(db: sqlite3.Connection) -> None:
    """Copy aside what the reports in `gone` hold, before their rows are deleted."""
    db.executescript(
        f"""
        INSERT OR IGNORE INTO gone_facts
          SELECT f.s, f.p, f.o, e.type = 'Agency' FROM facts f
          JOIN entities e ON e.id = f.s WHERE f.report IN (SELECT report FROM gone);
        INSERT INTO gone_cells
          SELECT DISTINCT {CELL_REGION}, year FROM reports
          WHERE id IN (SELECT report FROM gone);
        INSERT OR IGNORE INTO gone_agencies
          SELECT coalesce(agency, '(unknown)') FROM outcomes
          WHERE report_id IN (SELECT report FROM gone);
        INSERT INTO gone_cited SELECT o, COUNT(DISTINCT report) FROM facts
          WHERE p = 'cites' AND report IN {_GONE} GROUP BY o;
        INSERT INTO gone_options {_OPTION_COUNTS.format(where=f"report_id IN {_GONE}")};
        """
    )


def note_leaving_entities(db: sqlite3.Connection, condition: str) -> None:
    """Count by type the entities that `DELETE FROM entities WHERE {condition}` will delete."""
    sql = f"SELECT type, COUNT(*) FROM entities WHERE {condition} GROUP BY type"
    db.execute(f"INSERT INTO gone_types {sql}")


def note_added(db: sqlite3.Connection, report_ids: Iterable[str]) -> None:
    db.executemany("INSERT OR IGNORE INTO added VALUES (?)", ((r,) for r in report_ids))


def derive(db: sqlite3.Connection, first_new: int) -> None:
    """Bring every figure's table to the rows as they are now, then the parts kept as JSON
    (the overview's figures, the outcome filters' options). `first_new` is `begin`'s."""
    _tally_entities(db, first_new)
    _tally_relations(db)
    _count_co_cited(db)
    _count_cited(db)
    _recompute_runs(db)
    _recompute_cells(db)
    _recompute_outcome_sums(db)
    _count_options(db)
    _recompute_report_kinds(db, first_new)
    _count_degrees(db)
    db.executescript("".join(f"DELETE FROM {t};" for t in _CHANGE_TABLES))
    put_part(db, "overview", overview(db))
    put_part(db, "outcomes", outcome_options(db))


# -- counted by difference -------------------------------------------------------------------


def _add_counts(
    db: sqlite3.Connection,
    table: str,
    keys: tuple[str, ...],
    counts: tuple[str, ...],
    rows: Iterable[tuple],
) -> None:
    """Add each row's changes (`counts`, after the `keys`) to `table`'s row of those keys,
    and delete the rows whose first count comes to zero."""
    rows = [r for r in rows if any(r[len(keys) :])]
    marks = ", ".join("?" * (len(keys) + len(counts)))
    added = ", ".join(f"{c} = {c} + excluded.{c}" for c in counts)
    upsert = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"
    db.executemany(f"INSERT INTO {table} VALUES ({marks}) {upsert}", rows)
    key = " AND ".join(f"{k} = ?" for k in keys)
    db.executemany(
        f"DELETE FROM {table} WHERE {key} AND {counts[0]} = 0", (r[: len(keys)] for r in rows)
    )


def _tally(db: sqlite3.Connection, prefix: str, changes: Iterable[tuple[str, int]]) -> None:
    rows = ((f"{prefix}:{name}", n) for name, n in changes)
    _add_counts(db, "tallies", ("key",), ("n",), rows)


def _tally_entities(db: sqlite3.Connection, first_new: int) -> None:
    """New entities have numbers above `first_new` (AUTOINCREMENT never reuses one)."""
    sql = "SELECT type, COUNT(*) FROM entities WHERE id > ? GROUP BY type"
    _tally(db, "entities", db.execute(sql, (first_new,)).fetchall())
    gone = db.execute("SELECT type, -SUM(n) FROM gone_types GROUP BY type").fetchall()
    _tally(db, "entities", gone)


def _tally_relations(db: sqlite3.Connection) -> None:
    """Distinct facts per relation. Each fact (s, p, o) of a removed or added report is
    noted with whether it was stated before the update and is now: it counts -1 or +1
    where the two differ."""
    same = "f.s = t.s AND f.p = t.p AND f.o = t.o"
    db.executescript(
        f"""
        INSERT OR IGNORE INTO triples (s, p, o) SELECT s, p, o FROM gone_facts;
        INSERT OR IGNORE INTO triples (s, p, o) SELECT s, p, o FROM facts WHERE report IN {_ADDED};
        UPDATE triples AS t SET
          is_now = EXISTS (SELECT 1 FROM facts f WHERE {same}),
          was = EXISTS (SELECT 1 FROM gone_facts f WHERE {same})
                OR EXISTS (SELECT 1 FROM facts f WHERE {same} AND f.report NOT IN {_ADDED});
        """
    )
    sql = "SELECT p, SUM(is_now - was) FROM triples GROUP BY p"
    _tally(db, "relations", db.execute(sql).fetchall())


def _count_degrees(db: sqlite3.Connection) -> None:
    """An entity's degree is its number of neighbours, linked by a fact either way. `links`
    counts the distinct facts between each pair of entities, by difference from `triples`;
    where a pair's count goes from zero or to zero, its two ends gain or lose a neighbour."""
    sql = """
    SELECT c.a, c.b, coalesce(l.n, 0), c.d FROM (
      SELECT min(s, o) AS a, max(s, o) AS b, SUM(is_now - was) AS d FROM triples GROUP BY 1, 2
    ) c LEFT JOIN links l ON l.a = c.a AND l.b = c.b WHERE c.d != 0"""
    links, degrees = [], Counter()
    for a, b, before, d in db.execute(sql).fetchall():
        links.append((a, b, d))
        if (before > 0) != (before + d > 0):
            step = 1 if before == 0 else -1
            degrees[a] += step
            if b != a:
                degrees[b] += step
    _add_counts(db, "links", ("a", "b"), ("n",), links)
    sql = "UPDATE entities SET degree = degree + ? WHERE id = ?"
    db.executemany(sql, ((d, n) for n, d in degrees.items() if d))


def _count_co_cited(db: sqlite3.Connection) -> None:
    """Agencies per pair of instruments they cite, for the agencies whose citations changed:
    their pairs before the update are taken off, their pairs now are added."""
    before: dict[int, set[int]] = defaultdict(set)
    now: dict[int, set[int]] = defaultdict(set)
    for s, o in db.execute("SELECT s, o FROM gone_facts WHERE p = 'cites' AND agency"):
        before[s].add(o)
    db.execute(
        f"""INSERT OR IGNORE INTO keys SELECT s FROM gone_facts WHERE p = 'cites' AND agency
            UNION SELECT s FROM facts WHERE p = 'cites' AND report IN {_ADDED}"""
    )
    rows = db.execute(
        f"""SELECT f.s, f.o, f.report IN {_ADDED} FROM facts f JOIN entities e ON e.id = f.s
            WHERE f.p = 'cites' AND e.type = 'Agency' AND f.s IN (SELECT k FROM keys)"""
    )
    for s, o, is_new in rows:
        now[s].add(o)
        if not is_new:
            before[s].add(o)
    change: Counter[tuple[int, int]] = Counter()
    for agency in before.keys() | now.keys():
        old, new = before.get(agency, set()), now.get(agency, set())
        if old != new:
            change.subtract(_pairs(old))
            change.update(_pairs(new))
    _add_counts(db, "co_cited", ("a", "b"), ("agencies",), ((*k, n) for k, n in change.items()))
    db.execute("DELETE FROM keys")


def _pairs(instruments: set[int]) -> Iterable[tuple[int, int]]:
    return combinations(sorted(instruments), 2)


def _count_options(db: sqlite3.Connection) -> None:
    """Outcomes per value of each outcome filter: the values offered are those with any."""
    added = db.execute(_OPTION_COUNTS.format(where=f"report_id IN {_ADDED}")).fetchall()
    gone = db.execute("SELECT field, value, -n FROM gone_options").fetchall()
    _add_counts(db, "options", ("field", "value"), ("n",), added + gone)


def _count_cited(db: sqlite3.Connection) -> None:
    """Per instrument, the reports and the agencies citing it, by difference: reports come
    and go whole, and an agency's citation counts where `triples` says it came or went."""
    change: Counter[int] = Counter()
    agencies: Counter[int] = Counter()
    for o, n in db.execute("SELECT o, reports FROM gone_cited"):
        change[o] -= n
    added = f"""SELECT o, COUNT(DISTINCT report) FROM facts
                WHERE p = 'cites' AND report IN {_ADDED} GROUP BY o"""
    change.update(dict(db.execute(added)))
    by_triples = "SELECT o, SUM(is_now - was) FROM triples WHERE p = 'cites' GROUP BY o"
    agencies.update(dict(db.execute(by_triples)))
    rows = ((o, change[o], agencies[o]) for o in change.keys() | agencies.keys())
    _add_counts(db, "cited", ("o",), ("reports", "agencies"), rows)


# -- recomputed for the touched keys ---------------------------------------------------------


def _recompute_runs(db: sqlite3.Connection) -> None:
    """The programs each agency runs, for the agencies whose `runs` facts changed; the
    agencies per program follow by difference."""
    db.execute(
        f"""INSERT OR IGNORE INTO keys SELECT s FROM gone_facts WHERE p = 'runs'
            UNION SELECT s FROM facts WHERE p = 'runs' AND report IN {_ADDED}"""
    )
    per_program = "SELECT o, COUNT(*) FROM runs WHERE s IN (SELECT k FROM keys) GROUP BY o"
    reach: Counter[int] = Counter()
    reach.subtract(dict(db.execute(per_program)))
    db.executescript(
        """
        DELETE FROM runs WHERE s IN (SELECT k FROM keys);
        INSERT INTO runs
          SELECT s, o, COUNT(DISTINCT report) FROM facts
          WHERE p = 'runs' AND s IN (SELECT k FROM keys) GROUP BY s, o;
        DELETE FROM agency_programs WHERE s IN (SELECT k FROM keys);
        INSERT INTO agency_programs
          SELECT s, COUNT(*) FROM runs WHERE s IN (SELECT k FROM keys) GROUP BY s;
        """
    )
    reach.update(dict(db.execute(per_program)))
    _add_counts(db, "program_reach", ("o",), ("agencies",), reach.items())
    db.execute("DELETE FROM keys")


def _recompute_report_kinds(db: sqlite3.Connection, first_new: int) -> None:
    """The kinds of instrument each report holds, for the added reports and for those that
    hold an instrument whose kind changed (a removed report may have given the kind)."""
    db.executescript(
        f"""
        INSERT OR IGNORE INTO kind_reports SELECT report FROM added;
        INSERT OR IGNORE INTO kind_reports
          SELECT o.report FROM kind_changes c CROSS JOIN entities e ON e.id = c.id
          CROSS JOIN occurs o ON o.entity = c.id
          WHERE c.id <= {int(first_new)} AND c.old IS NOT e.kind;
        DELETE FROM report_kinds WHERE report IN {_GONE};
        DELETE FROM report_kinds WHERE report IN (SELECT report FROM kind_reports);
        INSERT INTO report_kinds
          SELECT DISTINCT o.report, e.kind FROM kind_reports k
          CROSS JOIN occurs o ON o.report = k.report CROSS JOIN entities e ON e.id = o.entity
          WHERE e.type = 'LegalInstrument' AND e.kind IS NOT NULL;
        """
    )


def _recompute_cells(db: sqlite3.Connection) -> None:
    """The region and year table's rows for the cells of the removed and added reports, one
    cell at a time (SQLite uses the `reports_cell` index for a value, not in a join)."""
    keys = db.execute(
        f"""SELECT region, year FROM gone_cells
            UNION SELECT {CELL_REGION}, year FROM reports WHERE id IN {_ADDED}"""
    ).fetchall()
    in_cell = f"reports r WHERE {CELL_REGION.replace('region', 'r.region')} = ? AND r.year IS ?"
    mentioned = f"""SELECT COUNT(DISTINCT o.entity) FROM occurs o
                    JOIN entities e ON e.id = o.entity AND e.type = 'Agency'
                    WHERE o.report IN (SELECT r.id FROM {in_cell})"""
    for key in keys:
        db.execute("DELETE FROM cells WHERE region = ? AND year IS ?", key)
        publishers = [p for (p,) in db.execute(f"SELECT r.publisher FROM {in_cell}", key)]
        if not publishers:
            continue
        named = sorted(set(filter(None, publishers)))
        agencies = db.execute(mentioned, key).fetchone()[0]
        row = (*key, len(publishers), "、".join(named), len(named), agencies)
        db.execute("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?)", row)


def _recompute_outcome_sums(db: sqlite3.Connection) -> None:
    """The outcome sums of the agencies whose outcomes were removed or added."""
    db.execute(
        f"""INSERT OR IGNORE INTO agency_keys SELECT agency FROM gone_agencies
            UNION SELECT coalesce(agency, '(unknown)') FROM outcomes WHERE report_id IN {_ADDED}"""
    )
    db.execute("DELETE FROM outcome_sums WHERE agency IN (SELECT agency FROM agency_keys)")
    where = """WHERE value IS NOT NULL AND (agency IN (SELECT agency FROM agency_keys)
               OR agency IS NULL AND '(unknown)' IN (SELECT agency FROM agency_keys))"""
    db.execute(f"INSERT INTO outcome_sums {OUTCOME_SUMS.format(where=where)}")
    db.execute("DELETE FROM agency_keys")


# -- the figures, from their tables ------------------------------------------------------------


def overview(db: sqlite3.Connection) -> dict:
    """The Overview page's figures."""
    programs, running = _programs_by_agency(db)
    return {
        "stats": _stats(db),
        "top_cited": _top_cited(db),
        "kinds": _kinds(db),
        "co_cited": _co_cited(db),
        "region_year": _region_year(db),
        "programs_by_agency": programs,
        "program_agencies": running,
        "program_reach": _program_reach(db),
        "default_center": _default_center(db),
        "instrument_kinds": _column(db, "SELECT DISTINCT kind FROM entities WHERE kind NOT NULL"),
        "regions": _column(db, "SELECT DISTINCT region FROM reports WHERE region != ''"),
        "years": _column(db, "SELECT DISTINCT year FROM reports WHERE year NOT NULL"),
    }


def outcome_options(db: sqlite3.Connection) -> dict:
    """The values the outcome filters offer (units by how often they occur) and the number
    of outcomes."""
    values: dict[str, list] = defaultdict(list)
    for field, value in db.execute("SELECT field, value FROM options ORDER BY field, value"):
        values[field].append(value)
    units = "SELECT value FROM options WHERE field = 'units' ORDER BY n DESC, value"
    return {
        "options": {
            "agencies": values["agencies"],
            "years": values["years"],
            "regions": values["regions"],
            "units": [u for (u,) in db.execute(units)],
        },
        "count": db.execute("SELECT COUNT(*) FROM outcomes").fetchone()[0],
    }


def _column(db: sqlite3.Connection, sql: str) -> list:
    return sorted(v for (v,) in db.execute(sql))


def _labels(db: sqlite3.Connection, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(IRI, label) of the entities numbered `ids`."""
    return {n: (iri, label) for n, iri, label in entities_where(db, "id", ids, "id, iri, label")}


def _stats(db: sqlite3.Connection) -> dict:
    """`Store.stats()` from the summary: reports, mentions, entities per type, distinct
    facts per relation."""
    tallies = dict(db.execute("SELECT key, n FROM tallies"))
    reports, mentions = db.execute("SELECT COUNT(*), SUM(mentions) FROM reports").fetchone()
    return {
        "reports": reports,
        "mentions": mentions or 0,
        "entities": {c: tallies.get(f"entities:{c}", 0) for c in queries.ENTITY_CLASSES},
        "relations": {r: tallies.get(f"relations:{r}", 0) for r in queries.RELATIONS},
    }


def _kinds(db: sqlite3.Connection) -> list[dict]:
    """Per kind of instrument: the instruments of that kind, and the reports holding one."""
    sql = """
    SELECT kind, (SELECT COUNT(*) FROM entities e
                  WHERE e.kind = k.kind AND e.type = 'LegalInstrument'), COUNT(*)
    FROM report_kinds k GROUP BY kind ORDER BY 2 DESC, 1"""
    return [{"kind": k, "instruments": i, "reports": r} for k, i, r in db.execute(sql)]


def _top_cited(db: sqlite3.Connection) -> list[dict]:
    sql = f"""
    SELECT e.iri, e.label, e.kind, c.reports, c.agencies
    FROM cited c JOIN entities e ON e.id = c.o
    ORDER BY c.reports DESC, c.agencies DESC, e.label, e.iri LIMIT {TOP_CITED_KEPT}"""
    keys = ("law", "label", "kind", "reports", "agencies")
    return [dict(zip(keys, row, strict=True)) for row in db.execute(sql)]


def _nth_largest(db: sqlite3.Connection, table: str, column: str, n: int) -> int:
    """The `n`-th largest `column` of `table` (0 if it has fewer rows): a top `n` with ties
    broken outside SQL reads the rows at or above it (an index on `column` finds them)."""
    sql = f"SELECT {column} FROM {table} ORDER BY {column} DESC LIMIT 1 OFFSET ?"
    row = db.execute(sql, (n - 1,)).fetchone()
    return row[0] if row else 0


def _co_cited(db: sqlite3.Connection) -> list[list]:
    """The pairs cited together by most agencies, ties by the instruments' IRIs: the rows at
    or above the `CO_CITED_KEPT`-th count are read, then ordered here."""
    sql = "SELECT a, b, agencies FROM co_cited WHERE agencies >= ?"
    rows = db.execute(sql, (_nth_largest(db, "co_cited", "agencies", CO_CITED_KEPT),)).fetchall()
    names = _labels(db, {n for a, b, _ in rows for n in (a, b)})
    pairs = sorted((*sorted((names[a], names[b])), n) for a, b, n in rows)
    pairs.sort(key=lambda p: -p[2])
    return [[a[1], b[1], n] for a, b, n in pairs[:CO_CITED_KEPT]]


def _region_year(db: sqlite3.Connection) -> list[dict]:
    """Per report region and year: reports, publishing agencies, agencies mentioned."""
    rows = db.execute("SELECT region, year, reports, publishing, agencies, publishers FROM cells")
    return [
        {
            "region": region,
            "year": year,
            "reports": reports,
            "publishing agencies": publishing,
            "agencies mentioned": agencies,
            "publishers": publishers,
        }
        for region, year, reports, publishing, agencies, publishers in sorted(
            rows, key=lambda r: (r[0], r[1] or 0)
        )
    ]


def _programs_by_agency(db: sqlite3.Connection) -> tuple[list[dict], int]:
    """The agencies that run most programs (at most `PROGRAM_AGENCIES_KEPT`, ties by name),
    with the names of their programs, and how many agencies run any."""
    running = db.execute("SELECT COUNT(*) FROM agency_programs").fetchone()[0]
    least = _nth_largest(db, "agency_programs", "programs", PROGRAM_AGENCIES_KEPT)
    sql = """SELECT e.id, e.iri, e.label, a.programs FROM agency_programs a
             JOIN entities e ON e.id = a.s WHERE a.programs >= ?"""
    top = db.execute(sql, (least,)).fetchall()
    top.sort(key=lambda r: (-r[3], r[2], r[1]))
    kept = top[:PROGRAM_AGENCIES_KEPT]
    names: dict[int, list[str]] = defaultdict(list)
    sql = f"""SELECT r.s, e.label FROM runs r JOIN entities e ON e.id = r.o
              WHERE r.s IN {VALUES_OF} ORDER BY e.label"""
    for s, label in db.execute(sql, (json.dumps([row[0] for row in kept]),)):
        names[s].append(label)
    rows = [
        {
            "agency": label,
            "programs": n,
            "program names": "、".join(names[id_]),
            "ref": entity_ref(iri),
        }
        for id_, iri, label, n in kept
    ]
    return rows, running


def _program_reach(db: sqlite3.Connection) -> list[dict]:
    sql = "SELECT e.label, p.agencies FROM program_reach p JOIN entities e ON e.id = p.o"
    rows = [{"program": p, "agencies": n} for p, n in db.execute(sql)]
    return sorted(rows, key=lambda r: (-r["agencies"], r["program"]))


def _default_center(db: sqlite3.Connection) -> str | None:
    """The best-connected publisher (else entity): where the Explore page starts."""
    best = "SELECT iri FROM entities e {where} ORDER BY degree DESC, iri DESC LIMIT 1"
    publishes = "WHERE EXISTS (SELECT 1 FROM reports r WHERE r.publisher_iri = e.iri)"
    for where in (publishes, ""):
        row = db.execute(best.format(where=where)).fetchone()
        if row:
            return row[0]
    return None
