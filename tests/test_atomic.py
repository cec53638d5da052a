"""Atomic writes: a failed write never damages the previous file; modes and links kept."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

import frictionkit as fk
from frictionkit._atomic import atomic_path, write_text
from frictionkit.exceptions import FileAccessError
from frictionkit.privacy import write_csv


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert _leftovers(tmp_path) == []


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("good", encoding="utf-8")

    def interrupted() -> None:
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted()
    assert target.read_text(encoding="utf-8") == "good"
    assert _leftovers(tmp_path) == []


def test_a_full_disk_is_a_frictionkit_error_and_keeps_the_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("good", encoding="utf-8")

    def full_disk() -> None:
        with atomic_path(target):
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(FileAccessError, match="previous file") as info:
        full_disk()
    assert isinstance(info.value, OSError)
    assert isinstance(info.value, fk.FrictionkitError)
    assert target.read_text(encoding="utf-8") == "good"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_keeps_the_mode_of_the_target(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_a_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        write_text(tmp_path / "new.txt", "x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_follows_a_symbolic_link(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_missing_folder_and_folder_as_file(tmp_path: Path) -> None:
    with pytest.raises(FileAccessError, match="does not exist") as info:
        write_text(tmp_path / "nope" / "a.txt", "x")
    assert info.value.field == "path"
    with pytest.raises(FileAccessError, match="is a folder"):
        write_text(tmp_path, "x")


def test_write_csv_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.csv"
    write_csv(pd.DataFrame({"a": [1, 2]}), target)
    before = target.read_text(encoding="utf-8")

    def broken(self: pd.DataFrame, path: object, **kwargs: object) -> None:
        Path(str(path)).write_text("a\n1\n", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(FileAccessError):
        write_csv(pd.DataFrame({"a": [3, 4, 5]}), target)
    assert target.read_text(encoding="utf-8") == before
    assert _leftovers(tmp_path) == []
