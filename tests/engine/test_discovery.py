"""Which stacks a run over many covers: files, folders and globs, then a worker's shard of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecsops.engine.discovery import Shard, discover, shard_of
from ecsops.engine.errors import EngineError


def stack(path: Path, name: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"name: {name or path.stem}\nregion: cn-hangzhou\nresources: {{}}\n")
    return path


@pytest.fixture
def tree(tmp_path, monkeypatch) -> Path:
    """stacks/{a,b/c}/*.yaml, with YAML that is not a stack, an environment file, a hidden folder and an ignore
    file in among them; the working folder is tmp_path."""
    monkeypatch.chdir(tmp_path)
    stack(tmp_path / "stacks/a/web.yaml")
    (tmp_path / "stacks/a/web.prod.yaml").write_text("config:\n  size: 3\n")   # an environment file
    stack(tmp_path / "stacks/a/jobs.yml")
    stack(tmp_path / "stacks/b/c/deep.yaml")
    (tmp_path / "stacks/b/notes.yaml").write_text("owner: sre\n")
    (tmp_path / "stacks/b/readme.txt").write_text("name: x\nresources: {}\n")
    stack(tmp_path / "stacks/.ecsops/hidden.yaml")
    (tmp_path / "stacks/b/.ecsopsignore").write_text("ecsops:Command/*/scratch-*\n")
    (tmp_path / "stacks/b/c/empty").mkdir()
    return tmp_path


def names(paths) -> list[str]:
    return [Path(path).as_posix() for path in paths]


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param(["stacks"], ["stacks/a/jobs.yml", "stacks/a/web.yaml", "stacks/b/c/deep.yaml"],
                 id="a-folder-recursively-only-stacks"),
    pytest.param(["stacks/*/web.yaml"], ["stacks/a/web.yaml"], id="a-glob"),
    pytest.param(["stacks/**/*.yaml"], ["stacks/a/web.yaml", "stacks/b/c/deep.yaml"],
                 id="a-globs-matches-filtered-as-a-folders-files"),
    pytest.param(["stacks/b/notes.yaml"], ["stacks/b/notes.yaml"], id="a-file-named-is-taken-as-it-is"),
    pytest.param(["stacks/a", "stacks/a/web.yaml", "stacks"],
                 ["stacks/a/jobs.yml", "stacks/a/web.yaml", "stacks/b/c/deep.yaml"], id="each-stack-once"),
])
def test_paths_name_stacks(tree, given, expected) -> None:
    assert names(discover(given).stacks) == expected


def test_ignore_files_of_the_folders_searched_are_collected(tree) -> None:
    assert names(discover(["stacks"]).ignore_files) == ["stacks/b/.ecsopsignore"]
    assert discover(["stacks/a"]).ignore_files == ()


def test_a_stacks_ignore_files_up_to_the_repository_root_apply_when_it_is_named(tree) -> None:
    (tree / ".git").mkdir()
    (tree / ".ecsopsignore").write_text("ecsops:Command/*/tmp-*\n")
    found = discover(["stacks/b/c/deep.yaml"]).ignore_files
    assert sorted(path.resolve() for path in found) == [(tree / ".ecsopsignore").resolve(),
                                                         (tree / "stacks/b/.ecsopsignore").resolve()]
    assert len(discover(["stacks"]).ignore_files) == 2
    assert len(discover(["stacks/a/web.yaml"]).ignore_files) == 1  # the root's only


def test_a_file_reached_twice_is_taken_once(tree) -> None:
    (tree / "stacks" / "b" / "link").symlink_to(tree / "stacks" / "a")
    found = discover(["stacks", str(tree / "stacks" / "a" / "web.yaml"), "stacks/b/link/web.yaml"]).stacks
    assert names(found) == ["stacks/a/jobs.yml", "stacks/a/web.yaml", "stacks/b/c/deep.yaml"]


def test_a_symlink_loop_is_not_followed(tree) -> None:
    (tree / "stacks" / "a" / "up").symlink_to("..")
    assert names(discover(["stacks/**/*.yaml"]).stacks) == ["stacks/a/web.yaml", "stacks/b/c/deep.yaml"]
    assert len(discover(["stacks"]).stacks) == 3


def test_a_stack_that_cannot_be_scanned_is_taken_for_the_loader_to_report(tree) -> None:
    (tree / "stacks" / "b" / "bom.yaml").write_text("\ufeffname: bom\nregion: cn-hangzhou\nresources: {}\n")
    (tree / "stacks" / "b" / "latin.yaml").write_bytes(b"# caf\xe9\nname: latin\nresources: {}\n")
    assert {"stacks/b/bom.yaml", "stacks/b/latin.yaml"} <= set(names(discover(["stacks"]).stacks))


def test_a_file_whose_name_looks_like_a_glob_is_a_file(tree) -> None:
    named = stack(tree / "stacks" / "web[prod].yaml")
    assert discover([str(named.relative_to(tree))]).stacks == (Path("stacks/web[prod].yaml"),)


@pytest.mark.parametrize(("given", "message"), [
    pytest.param("stack/", "stack/: no such file or folder", id="a-typo-in-a-folder"),
    pytest.param("stacks/*/nothing*.yaml", "stacks/*/nothing*.yaml: matches no stack file",
                 id="a-glob-matching-nothing"),
    pytest.param("stacks/b/*.yaml", "stacks/b/*.yaml: matches no stack file", id="a-glob-matching-no-stack"),
    pytest.param("stacks/b/c/empty", "stacks/b/c/empty: no stack files found (a stack is a .yaml or .yml file with a "
                 "top-level name: and resources:)", id="a-folder-without-stacks"),
])
def test_a_path_naming_nothing_is_an_error(tree, given, message) -> None:
    with pytest.raises(EngineError) as raised:
        discover(["stacks", given])
    assert [str(problem) for problem in raised.value.diagnostics] == [message]


# -- shards ------------------------------------------------------------------------------------------------


def test_every_stack_lands_in_exactly_one_shard(tmp_path) -> None:
    paths = [stack(tmp_path / f"team-{index % 7}" / f"stack-{index:03d}.yaml") for index in range(200)]
    found = discover([tmp_path])
    shares = [found.sharded(Shard(index, 4)).stacks for index in (1, 2, 3, 4)]
    assert sorted(path for share in shares for path in share) == sorted(paths)
    assert all(25 <= len(share) <= 75 for share in shares)  # spread, not all in one


def test_out_of_a_repository_a_shard_depends_on_the_path_from_the_working_folder(tmp_path, monkeypatch) -> None:
    shares = []
    for clone in ("runner-1", "runner-2"):
        for index in range(30):
            stack(tmp_path / clone / "stacks" / f"s{index}.yaml")
        monkeypatch.chdir(tmp_path / clone)
        shares.append([path.name for path in discover(["stacks"]).sharded(Shard(1, 3)).stacks])
    assert shares[0] == shares[1] and shares[0]


def test_a_shard_depends_only_on_the_path_from_the_repository_root(tmp_path) -> None:
    for clone in ("runner-1", "runner-2"):
        (tmp_path / clone / ".git").mkdir(parents=True)
        for index in range(30):
            stack(tmp_path / clone / "stacks" / f"s{index}.yaml")
    first = [path.name for path in discover([tmp_path / "runner-1"]).sharded(Shard(2, 3)).stacks]
    second = [path.name for path in discover([tmp_path / "runner-2"]).sharded(Shard(2, 3)).stacks]
    assert first == second and first
    assert shard_of("stacks/s1.yaml", 3) == shard_of("stacks/s1.yaml", 3)


@pytest.mark.parametrize(("text", "problem"), [
    pytest.param("0/4", "I must be from 1 to N", id="zero-based"),
    pytest.param("5/4", "I must be from 1 to N", id="past-the-count"),
    pytest.param("1/0", "I must be from 1 to N", id="no-shards"),
    pytest.param("two/4", "expected I/N", id="not-a-number"),
    pytest.param("1-4", "expected I/N", id="wrong-separator"),
])
def test_a_bad_shard_is_refused(text, problem) -> None:
    with pytest.raises(ValueError, match=problem):
        Shard.parse(text)


def test_a_shard_is_read_as_written() -> None:
    assert Shard.parse(" 3 / 8 ") == Shard(3, 8) and Shard.parse("1/1").document() == {"index": 1, "count": 1}
