"""The emulator's database schema: every package's tables, assembled into one sequence of versions.

Each package keeps its own tables beside its models (store.TABLES, world.TABLES, events/tables.py,
delivery/tables.py, ecs/tables.py, cms/tables.py, license/tables.py); this module, above them all, puts each
version's parts together (store.versions) for store.Database to migrate a file through. A database written by
any earlier release records its version and is migrated from there: the versions are the same as when all the
tables were one list.
"""

from __future__ import annotations

from ecsops.emulator import store, world
from ecsops.emulator.cms import tables as cms
from ecsops.emulator.delivery import tables as delivery
from ecsops.emulator.ecs import tables as ecs
from ecsops.emulator.events import tables as events
from ecsops.emulator.license import tables as license_manager

#: The schema's versions, 1 to N (the database's `user_version` is how many of them it has).
MIGRATIONS: tuple[str, ...] = store.versions(store.TABLES, world.TABLES, ecs.TABLES, events.TABLES, cms.TABLES,
                                             delivery.TABLES, license_manager.TABLES)
