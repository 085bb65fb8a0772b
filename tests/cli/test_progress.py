"""What apply and destroy print as they work: a line per step counted against a total fixed from the first line
(deletes, replaces and recovered interrupted creates included), a line for a step still running, and a summary
by kind of change with the time it all took."""

from __future__ import annotations

import re

from ecsops.engine import kind as kinds
from ecsops.engine.apply import new_token
from ecsops.engine.state import PendingCreate, StateStore, now_iso
from ecsops.engine.validate import validate
from tests.support.cli import ecsops, write_stack

STEP = re.compile(r"^\[(?P<number>\d+)/(?P<total>\d+)\] ", re.MULTILINE)
SUMMARY = re.compile(r"^(?P<verb>Apply|Destroy) (?P<how>complete|incomplete): (?P<counts>.*) in "
                     r"(?P<seconds>\d+(\.\d)?) s\.", re.MULTILINE)


def command(name: str, content: str = "uptime", description: str = "") -> str:
    return (f"  {name}: {{type: ecsops:Command, properties: {{name: {name}, type: RunShellScript, "
            f"content: {content!r}, description: {description!r}}}}}\n")


def interrupted_create(stack_dir, name: str) -> None:
    """Leaves in the state what an apply killed just before its create of command `name` left: the intent."""
    store = StateStore(stack_dir, "demo")
    state = store.load()
    values = validate(kinds.get("ecsops:Command"),
                      {"name": name, "type": "RunShellScript", "content": "uptime"}).declared
    state.set_pending(name, PendingCreate("ecsops:Command", new_token(), values, now_iso()))
    store.save(state)


def steps(out: str) -> list[tuple[int, int]]:
    return [(int(match["number"]), int(match["total"])) for match in STEP.finditer(out)]


def test_the_step_total_is_fixed_from_the_first_line_with_every_kind_of_step(tmp_path, emulator) -> None:
    endpoint = ("--endpoint", emulator.endpoint)
    stack = write_stack(tmp_path, command("gone") + command("kept") + command("swapped"))
    assert ecsops("apply", "--yes", stack, *endpoint).code == 0
    # Then: one resource dropped, one changed in place, one replaced, one new, and two interrupted creates —
    # of a resource still declared (finished), and of one no longer declared (finished, then deleted).
    write_stack(tmp_path, command("kept", description="changed") + command("swapped", content="df -h")
                + command("fresh") + command("resumed"))
    interrupted_create(tmp_path, "resumed")
    interrupted_create(tmp_path, "abandoned")
    applied = ecsops("apply", "--yes", "--parallelism", "1", stack, *endpoint)
    assert applied.code == 0, applied.err
    # 1 delete + 1 update + 2 (replace: create, then delete the old) + 1 create + 1 recovered create
    # + 2 (the abandoned create: finished, then deleted)
    assert steps(applied.out) == [(number, 8) for number in range(1, 9)], applied.out
    [summary] = SUMMARY.finditer(applied.out)
    assert (summary["verb"], summary["how"]) == ("Apply", "complete")
    assert summary["counts"] == "2 created, 1 updated, 1 replaced, 2 deleted"


def test_destroy_counts_its_deletes_and_says_how_long_it_took(tmp_path, emulator) -> None:
    stack = write_stack(tmp_path, command("one") + command("two"))
    assert ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint).code == 0
    destroyed = ecsops("destroy", "--yes", stack, "--endpoint", emulator.endpoint)
    assert destroyed.code == 0, destroyed.err
    assert steps(destroyed.out) == [(1, 2), (2, 2)]
    assert re.search(r"^Destroy complete: 2 deleted in \d+\.\d s\.$", destroyed.out, re.MULTILINE), destroyed.out


def test_a_slow_step_says_it_is_still_running_and_the_summary_gives_the_whole_time(tmp_path, emulator, admin,
                                                                                     monkeypatch) -> None:
    monkeypatch.setenv("ECSOPS_PROGRESS_INTERVAL", "0.25")
    admin.faults(replyDelayMs=1500, actions=["CreateCommand"])  # the emulator answers the create 1.5 s late
    applied = ecsops("apply", "--yes", write_stack(tmp_path, command("slow")), "--endpoint", emulator.endpoint)
    assert applied.code == 0, applied.err
    lines = applied.out.splitlines()
    still = [line for line in lines if line.startswith("... still ")]
    assert len(still) >= 3, applied.out
    reported = [float(re.fullmatch(r"\.\.\. still creating slow \(ecsops:Command\), (\d+\.\d) s", line)[1])
                for line in still]
    assert reported == sorted(reported) and reported[0] >= 0.2, still
    done = next(index for index, line in enumerate(lines) if line.startswith("[1/1] + slow (ecsops:Command): created"))
    assert lines.index(still[-1]) < done  # while it ran, not after
    [summary] = SUMMARY.finditer(applied.out)
    assert summary["counts"] == "1 created, 0 updated, 0 replaced, 0 deleted"
    assert float(summary["seconds"]) >= 1.5


def test_no_still_running_line_for_a_quick_step(tmp_path, emulator) -> None:
    applied = ecsops("apply", "--yes", write_stack(tmp_path, command("quick")), "--endpoint", emulator.endpoint)
    assert applied.code == 0 and "still" not in applied.out


def test_an_incomplete_apply_says_what_failed_and_was_skipped(tmp_path, emulator, admin) -> None:
    admin.world({"quotas": {"max-axt-command-count": 0}})
    task = ("  nightly:\n    type: ecsops:ScheduledInvocation\n    properties: {commandId: '${first.commandId}', "
            "instanceIds: [i-demo-linux-1], frequency: rate(1h)}\n")
    failed = ecsops("apply", "--yes", write_stack(tmp_path, command("first") + task), "--endpoint", emulator.endpoint)
    assert failed.code == 1
    assert steps(failed.out) == [(1, 2), (2, 2)]  # the failure, then what it stopped
    assert re.search(r"^Apply incomplete: 0 created, 0 updated, 0 replaced, 0 deleted, 1 failed, 1 skipped in "
                     r"\d+\.\d s\. Fix the errors and run it again\.$", failed.err, re.MULTILINE), failed.err
