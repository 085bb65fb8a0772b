"""The schema, assembled from every package's own tables (ecsops.emulator.schema), is the schema the emulator
has always had: a new file gets exactly it, and a file written by any earlier version is migrated to it."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from ecsops.emulator import schema, store
from ecsops.emulator.store import Database, Migration

#: The schema's objects as the single list of migrations made them (version 9), recorded before the tables
#: moved to their packages.
RECORDED = json.loads((Path(__file__).parent / "data" / "schema.json").read_text())


def objects(path: Path) -> dict:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                  "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").fetchall()
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    return {"version": version, "objects": {f"{type_} {name}": {"table": table, "sql": re.sub(r"\s+", " ", sql or "")
                                                                    .strip()} for type_, name, table, sql in rows}}


def test_a_new_database_gets_the_schema_as_it_always_was(tmp_path) -> None:
    Database(tmp_path / "new.db", schema.MIGRATIONS).close()
    found = objects(tmp_path / "new.db")
    assert found["version"] == RECORDED["version"] == len(schema.MIGRATIONS)
    assert found["objects"] == RECORDED["objects"]


@pytest.mark.parametrize("start", range(1, len(schema.MIGRATIONS)), ids=lambda start: f"from-version-{start}")
def test_a_database_of_any_earlier_version_is_migrated_to_the_same_schema(tmp_path, start) -> None:
    path = tmp_path / "old.db"
    Database(path, schema.MIGRATIONS[:start]).close()
    Database(path, schema.MIGRATIONS).close()
    assert objects(path) == objects_of_new(tmp_path)


def objects_of_new(tmp_path: Path) -> dict:
    Database(tmp_path / "fresh.db", schema.MIGRATIONS).close()
    return objects(tmp_path / "fresh.db")


def test_each_package_declares_only_its_own_tables() -> None:
    """No table is made by two packages' parts: each package owns what it creates."""
    from ecsops.emulator import world
    from ecsops.emulator.cms import tables as cms
    from ecsops.emulator.delivery import tables as delivery
    from ecsops.emulator.ecs import tables as ecs
    from ecsops.emulator.events import tables as events
    from ecsops.emulator.license import tables as license_manager

    owners: dict[str, str] = {}
    for name, parts in (("store", store.TABLES), ("world", world.TABLES), ("ecs", ecs.TABLES), ("cms", cms.TABLES),
                        ("events", events.TABLES), ("delivery", delivery.TABLES), ("license", license_manager.TABLES)):
        for part in parts:
            for table in re.findall(r"CREATE TABLE (\w+)", part.script):
                assert table not in owners, f"{table} is made by {owners[table]} and {name}"
                owners[table] = name
    assert len(owners) == sum(1 for key in RECORDED["objects"] if key.startswith("table "))


def test_a_gap_in_the_versions_is_refused() -> None:
    with pytest.raises(ValueError, match="no part for version"):
        store.versions([Migration(1, "CREATE TABLE a (x);")], [Migration(3, "CREATE TABLE b (x);")])
