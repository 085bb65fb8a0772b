"""docs/emulator-coverage.md is what provider/emulator/coverage.py generates, and coverage.py's tables are true
to the registries and to the official SDK's request models (issue 17, point 8).

The answers' side of the tables (their differences from the response models, the parameters handlers read) is
checked by tests/emulator/test_shapes.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from alibabacloud_cms20190101 import models as cms_models
from alibabacloud_ecs20140526 import models as ecs_models

from ecsops.emulator import coverage
from ecsops.emulator.app import PRODUCTS
from tests.conftest import ROOT
from tests.support.verify import model_schema

DOCUMENT = ROOT / "docs" / "emulator-coverage.md"
SDK_MODELS = {"ecs": ecs_models, "cms": cms_models}
DESCRIBED = [(product, action) for product, table in coverage.COVERAGE.items() for action in sorted(table)]
WITH_SDK = [(product, action) for product, action in DESCRIBED if product in SDK_MODELS]


def test_the_committed_document_is_current() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == coverage.render(), (
        "docs/emulator-coverage.md is stale: run `python -m ecsops.emulator.coverage` and commit the result")


def test_the_generator_writes_and_checks_the_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    written = tmp_path / "coverage.md"
    assert coverage.main(["--check", "--output", str(written)]) == 1
    assert coverage.main(["--output", str(written)]) == 0
    assert written.read_text(encoding="utf-8") == coverage.render()
    assert coverage.main(["--check", "--output", str(written)]) == 0
    capsys.readouterr()


def test_the_document_names_every_registered_operation() -> None:
    text = coverage.render()
    for operation in coverage.registered():
        assert operation.action in text
    assert DOCUMENT.resolve() == coverage.DOCUMENT.resolve()


@pytest.mark.parametrize("product", [product for product in PRODUCTS.values()], ids=lambda product: product.name)
def test_every_operation_of_a_product_is_described_and_only_those(product) -> None:
    described = set(coverage.COVERAGE.get(product.name, {}))
    assert described == set(product.operations), (
        f"coverage.py describes {sorted(described - set(product.operations))} that {product.name} does not "
        f"register, and not {sorted(set(product.operations) - described)}")


@pytest.mark.parametrize(("product", "action"), DESCRIBED, ids=[f"{p}.{a}" for p, a in DESCRIBED])
def test_each_entry_is_well_formed(product: str, action: str) -> None:
    entry = coverage.COVERAGE[product][action]
    groups = [set(entry.honoured), set(entry.ignored), set(entry.refused), set(entry.unmodelled)]
    assert len(entry.honoured) == len(groups[0]), "a parameter is listed twice as honoured"
    assert sum(map(len, groups)) == len(set().union(*groups)), "a parameter is in two of the groups"
    assert all(reason for group in (entry.ignored, entry.refused, entry.unmodelled) for reason in group.values())
    paths = [(path, difference.kind) for difference in entry.differences for path in difference.paths]
    assert len(paths) == len(set(paths)), "a difference is listed twice"
    for difference in entry.differences:
        assert difference.kind in coverage.KINDS and difference.reason and difference.paths


@pytest.mark.parametrize(("product", "action"), WITH_SDK, ids=[f"{p}.{a}" for p, a in WITH_SDK])
def test_every_request_field_of_the_sdk_is_honoured_ignored_or_refused(product: str, action: str) -> None:
    """The SDK's request model `<Action>Request` (its fields as its own to_map names them) against the entry."""
    fields = set(model_schema(getattr(SDK_MODELS[product], f"{action}Request")))
    entry = coverage.COVERAGE[product][action]
    described = {*entry.honoured, *entry.ignored, *entry.refused}
    account = set(coverage.OWNER_PARAMETERS) if product == "ecs" else set()
    assert not fields - described - account, (
        f"{action}: the SDK request has {sorted(fields - described - account)}: list each as honoured, ignored "
        "(with the reason) or refused in provider/emulator/coverage.py")
    assert not described - fields, (
        f"{action}: {sorted(described - fields)} are not fields of the SDK's {action}Request: remove them, or list "
        "them as `unmodelled` when the emulator really takes them")
    assert not set(entry.unmodelled) & fields, f"{action}: an `unmodelled` parameter is a field of the SDK request"
