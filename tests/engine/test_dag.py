"""Jobs in dependency order on threads: never before their dependencies, side by side otherwise."""

from __future__ import annotations

import threading
import time

import pytest

from ecsops.engine.dag import run_in_order


def test_one_worker_keeps_the_given_order() -> None:
    seen: list[str] = []
    run_in_order(["a", "b", "c", "d"], {"b": ["a"], "d": ["c"]}, seen.append, workers=1)
    assert seen == ["a", "b", "c", "d"]


def test_no_job_starts_before_its_dependencies_finish() -> None:
    finished: set[str] = set()
    lock = threading.Lock()
    dependencies = {f"n{i}": [f"n{i // 2}"] if i else [] for i in range(40)}

    def job(node: str) -> None:
        assert all(dependency in finished for dependency in dependencies[node])
        time.sleep(0.002)
        with lock:
            finished.add(node)

    run_in_order(list(dependencies), dependencies, job, workers=8)
    assert len(finished) == 40


def test_independent_jobs_run_side_by_side() -> None:
    barrier = threading.Barrier(4, timeout=5)
    run_in_order(["a", "b", "c", "d"], {}, lambda node: barrier.wait(), workers=4)


def test_a_failing_job_stops_nothing_else_and_is_raised_at_the_end() -> None:
    seen: list[str] = []

    def job(node: str) -> None:
        seen.append(node)
        if node == "b":
            raise RuntimeError("b broke")

    with pytest.raises(RuntimeError, match="b broke"):
        run_in_order(["a", "b", "c"], {}, job, workers=1)
    assert seen == ["a", "b", "c"]
