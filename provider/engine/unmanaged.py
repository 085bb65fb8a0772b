"""Objects in the cloud that no stack manages (`ecsops drift --unmanaged`), and the `.ecsopsignore` rules that
leave some of them out of the report.

Every kind with an inventory (engine/kind.py, `Inventory`) is listed in every region asked, in parallel and
bounded; the objects the stacks' states record are dropped, then those the rules ignore. Reads only.

Each object is known to the rules as `KIND/REGION/ID` and, when it has a name, `KIND/REGION/NAME`:
`ecsops:Command/cn-hangzhou/c-hz01...`, `ecsops:Command/cn-hangzhou/scratch-1`. Objects of a kind whose objects
belong to the account rather than a region (event rules) are listed once, with the region `global`.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from ecsops.cloud.errors import CloudError
from ecsops.engine import kind as kinds
from ecsops.engine.errors import Diagnostic, EngineError

if TYPE_CHECKING:
    from ecsops.cloud.client import Cloud
    from ecsops.engine.listing import ListingCache

#: The region reported for objects of account-wide kinds (CloudMonitor's event rules).
ACCOUNT_WIDE = "global"
LIST_WORKERS = 8
#: Every object path has at least these segments (KIND/REGION/ID): a rule of fewer, without `**`, matches nothing.
SEGMENTS = 3


@dataclass(frozen=True)
class UnmanagedObject:
    type: str
    region: str
    id: str
    name: str | None

    @property
    def paths(self) -> tuple[str, ...]:
        """What the ignore rules are matched against: `KIND/REGION/ID`, and `KIND/REGION/NAME` when named."""
        base = f"{self.type}/{self.region}/"
        return (base + self.id,) if self.name is None else (base + self.id, base + self.name)


@dataclass(frozen=True)
class IgnoreRule:
    """One line of an ignore file: its glob (compiled), whether it un-ignores (`!`), and where it is written."""

    pattern: re.Pattern[str]
    negated: bool
    text: str
    source: str
    line: int

    def matches(self, item: UnmanagedObject) -> bool:
        return any(self.pattern.fullmatch(path) for path in item.paths)


class IgnoreRules:
    """Rules from `.ecsopsignore` files: one glob a line, matched against `KIND/REGION/ID` and `KIND/REGION/NAME`
    (e.g. `ecsops:Command/*/scratch-*`); `!` negates (the last matching rule wins, as in .gitignore); `#` starts a
    comment; blank lines ignored. `*` matches within one segment, `**` across segments.

    Also: `?` is one character of a segment; a `#` at the start of a line, or after a blank, starts a comment
    (`\\#` is a literal `#`); blanks around a rule are dropped; matching is case-sensitive. A rule of fewer
    than three segments without `**` could match nothing: it is refused, as is a rule that is only `!`."""

    def __init__(self, rules: Sequence[IgnoreRule] = ()):
        self.rules = tuple(rules)

    @classmethod
    def parse(cls, text: str, source: str) -> "IgnoreRules":
        rules = [_rule(line, source, number) for number, line in enumerate(text.splitlines(), start=1)]
        return cls([rule for rule in rules if rule is not None])

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> "IgnoreRules":
        """The rules of every file, in order (a later file's rules win over an earlier one's)."""
        rules: list[IgnoreRule] = []
        for path in paths:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise EngineError([Diagnostic(f"cannot read the ignore file: {error}", file=str(path))]) from None
            rules.extend(cls.parse(text, str(path)).rules)
        return cls(rules)

    def ignores(self, item: UnmanagedObject) -> bool:
        for rule in reversed(self.rules):
            if rule.matches(item):
                return not rule.negated
        return False


def _rule(line: str, source: str, number: int) -> IgnoreRule | None:
    """The rule of one line; None for a blank or comment line; EngineError (file:line) for an unusable one."""
    text = re.sub(r"(^|\s)#.*$", "", line).strip()
    if not text:
        return None
    negated = text.startswith("!")
    body = text[1:].strip() if negated else text
    body = body.replace("\\#", "#")

    def refused(why: str) -> EngineError:
        return EngineError([Diagnostic(f"ignore rule {text!r}: {why}", file=source, line=number)])

    if not body:
        raise refused("a rule needs a pattern after '!'")
    if "**" not in body and body.count("/") + 1 < SEGMENTS:
        raise refused("it matches KIND/REGION/ID or KIND/REGION/NAME (e.g. ecsops:Command/*/scratch-*): "
                      f"{body.count('/') + 1} segment(s) can match nothing (use ** to span segments)")
    return IgnoreRule(_compiled(body), negated, text, source, number)


def _compiled(glob: str) -> re.Pattern[str]:
    """`*` within a segment, `**` across segments (`a/**/b` also matches `a/b`), `?` one character of a segment."""
    parts: list[str] = []
    index = 0
    while index < len(glob):
        if glob.startswith("/**/", index):
            parts.append("/(?:.*/)?")
            index += 4
        elif glob.startswith("**", index):
            parts.append(".*")
            index += 2
        else:
            char = glob[index]
            parts.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char)))
            index += 1
    return re.compile("".join(parts))


def find_unmanaged(cloud: "Cloud", regions: Iterable[str], managed: Iterable[tuple[str, str, str]],
                   rules: IgnoreRules, *, cache: "ListingCache | None" = None) -> tuple[list[UnmanagedObject], int]:
    """Lists every kind with an inventory in every region (in parallel, bounded; reads only), drops the objects
    `managed` ((type, region, id) triples from the stacks' states, mapped through `parts` where a kind has it) and
    those the rules ignore; returns them sorted by (type, region, name or id, id) with the count ignored. A failed
    listing raises EngineError naming the kind and region.

    The kinds are those registered (import `ecsops.resources` first). An account-wide kind is listed once, its
    objects reported in the region `global` and matched against managed objects of any region."""
    inventories = _inventories()
    jobs = _jobs(inventories, sorted(set(regions)))
    if not jobs:
        return [], 0
    known = _managed_keys(inventories, managed)
    found: list[UnmanagedObject] = []
    problems: list[Diagnostic] = []
    with ThreadPoolExecutor(max_workers=min(LIST_WORKERS, len(jobs)), thread_name_prefix="ecsops-list") as pool:
        listed = pool.map(lambda job: _listed(cloud, job, cache), jobs)
        for result in listed:
            if isinstance(result, Diagnostic):
                problems.append(result)
            else:
                found.extend(item for item in result if (item.type, item.region, item.id) not in known)
    if problems:
        raise EngineError(problems)
    kept = [item for item in found if not rules.ignores(item)]
    kept.sort(key=lambda item: (item.type, item.region, item.name or item.id, item.id))
    return kept, len(found) - len(kept)


Job = tuple[str, kinds.Inventory, str]  # (type, inventory, region or ACCOUNT_WIDE)


def _account_wide(inventory: kinds.Inventory) -> bool:
    return bool(getattr(inventory, "account_wide", False))


def _jobs(inventories: dict[str, kinds.Inventory], regions: list[str]) -> list[Job]:
    """(type, inventory, region) to list: each regional kind in each region; each account-wide kind once."""
    jobs: list[Job] = []
    for type_, inventory in sorted(inventories.items()):
        if _account_wide(inventory):
            jobs.extend([(type_, inventory, ACCOUNT_WIDE)] if regions else [])
        else:
            jobs.extend((type_, inventory, region) for region in regions)
    return jobs


def inventory_keys(managed: Iterable[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Managed objects ((type, region, id) as states record them) in the inventory's terms, as unmanaged objects
    are reported: a managed set mapped to the ids it covers, an account-wide kind's region `global`. `ecsops report
    merge` subtracts these, so what one shard's stacks manage is not unmanaged in another shard's report."""
    return _managed_keys(_inventories(), managed)


def _inventories() -> dict[str, kinds.Inventory]:
    return {kind.type_name: kind.inventory for kind in kinds.registered() if kind.inventory is not None}


def _managed_keys(inventories: dict[str, kinds.Inventory],
                  managed: Iterable[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """(type, region, inventory id) of every managed object, a managed id mapped to the ids it covers."""
    keys: set[tuple[str, str, str]] = set()
    for type_, region, id_ in managed:
        inventory = inventories.get(type_)
        if inventory is None:
            continue
        split: Callable[[str], Iterable[str]] | None = getattr(inventory, "parts", None)
        where = ACCOUNT_WIDE if _account_wide(inventory) else region
        keys.update((type_, where, part) for part in (split(id_) if split is not None else (id_,)))
    return keys


def _listed(cloud: "Cloud", job: Job, cache: "ListingCache | None") -> list[UnmanagedObject] | Diagnostic:
    type_, inventory, region = job
    regional = cloud if region == ACCOUNT_WIDE else cloud.in_region(region)
    try:
        objects = inventory.list_all(regional, cache=cache)
    except CloudError as error:
        where = "the account" if region == ACCOUNT_WIDE else region
        return Diagnostic(f"listing the objects of {type_} in {where} failed: {error}", type=type_)
    return [UnmanagedObject(type_, region, found.id, found.name) for found in objects]
