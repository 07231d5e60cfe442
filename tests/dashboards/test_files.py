"""Which files the dashboard's pages may open (`dashboards.files`), without a browser."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import dashboards.files as files
from dashboards import DATA_VARIABLE, SCENARIO_VARIABLE
from dashboards.files import (
    INVALID_SCENARIO,
    LADDER_REFUSED,
    LINK_OUT,
    MAX_RESULT_BYTES,
    MAX_SCENARIO_BYTES,
    NOT_A_FOLDER,
    NOT_A_SCENARIO,
    DataFolders,
    shown,
)
from scenarios import ScenarioError, load_scenario, shipped_ladders

SECRET = "hunter2-secret-value"
SHIPPED = Path(load_scenario("cuban-missile-1962").source)


@pytest.fixture
def outside() -> Iterator[Path]:
    """A folder outside every data folder of these tests (and outside pytest's temporary root)."""
    folder = Path(tempfile.mkdtemp(prefix="brink-outside-"))
    (folder / "secret.yaml").write_text(f"api_key: {SECRET}\n")
    shutil.copy(SHIPPED, folder / "scenario.yaml")
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(SHIPPED, folder / "mine.yaml")
    return folder


def refusal(folders: DataFolders, typed: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        folders.load(typed)
    return str(caught.value)


# --- what opens ----------------------------------------------------------------------------------------------------


def test_shipped_scenarios_open_whatever_the_data_folders(tmp_path):
    folders = DataFolders.of([tmp_path])
    assert folders.load("moscow-strike").name == load_scenario("moscow-strike").name
    assert folders.load("theory/chicken").name == load_scenario("theory/chicken").name


def test_files_inside_a_data_folder_open_by_absolute_or_relative_path(data, tmp_path):
    second = tmp_path / "second"
    (second / "sub").mkdir(parents=True)
    shutil.copy(SHIPPED, second / "sub" / "other.yaml")
    folders = DataFolders.of([data, second])
    expected = load_scenario(SHIPPED).name
    assert folders.load(str(data / "mine.yaml")).name == expected
    assert folders.load("mine.yaml").name == expected  # relative: each data folder in turn
    assert folders.load("sub/other.yaml").name == expected
    assert folders.scenario_file("../data/mine.yaml") == (data / "mine.yaml").resolve()  # out and back in


def test_a_link_inside_that_stays_inside_opens(data):
    (data / "link.yaml").symlink_to(data / "mine.yaml")
    assert DataFolders.of([data]).scenario_file("link.yaml") == (data / "mine.yaml").resolve()


def test_the_starting_scenario_opens_wherever_it_is(data, outside):
    start = outside / "scenario.yaml"
    folders = DataFolders.of([data], start=str(start))
    assert folders.load(str(start)).name == load_scenario(SHIPPED).name
    assert folders.scenario_file(str(start)) == start.resolve()
    assert refusal(folders, str(outside / "secret.yaml")) == f"{outside / 'secret.yaml'}: {NOT_A_SCENARIO}"


# --- what does not, always with the same line ------------------------------------------------------------------------


def test_missing_outside_traversal_and_odd_files_all_read_the_same(data, outside):
    (data / "out-link.yaml").symlink_to(outside / "secret.yaml")
    (data / "dangling.yaml").symlink_to(data / "gone.yaml")
    (data / "folder.yaml").mkdir()
    os.mkfifo(data / "pipe.yaml")  # opening it for reading would block the page for ever
    home_file = Path.home() / "brink-test-home.yaml"
    folders = DataFolders.of([data])
    typed = [
        "missing.yaml",
        str(data / "missing.yaml"),
        str(outside / "secret.yaml"),
        str(outside / "scenario.yaml"),  # a valid scenario: still outside
        f"../../{outside.name}/secret.yaml",
        f"{'../' * 12}etc/passwd",
        "/etc/shadow",
        "/etc/passwd",
        "/etc",
        "/dev/zero",
        "out-link.yaml",
        "dangling.yaml",
        "folder.yaml",
        "pipe.yaml",
        "~/brink-test-home.yaml",
        "~",
        "nul\0byte.yaml",
        "x" * 5000,
        "",
    ]
    try:
        home_file.write_text(f"api_key: {SECRET}\n")
        for text in typed:
            message = refusal(folders, text)
            assert message == f"{shown(text)}: {NOT_A_SCENARIO}", text
            assert SECRET not in message and "root:" not in message
    finally:
        home_file.unlink(missing_ok=True)


def test_an_unreadable_file_reads_like_a_missing_one(data, monkeypatch):
    real_open = os.open

    def refuse(path, *args, **kwargs):  # root reads any file: simulate a permission error
        if str(path).endswith("mine.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", refuse)
    assert refusal(DataFolders.of([data]), "mine.yaml") == f"mine.yaml: {NOT_A_SCENARIO}"


def test_an_invalid_file_inside_is_one_fixed_line_that_quotes_nothing(data):
    (data / "secret.yaml").write_text(f"api_key: {SECRET}\n")
    (data / "broken.yaml").write_text(f"name: [{SECRET}\n")
    (data / "bad.yaml").write_text(SHIPPED.read_text(encoding="utf-8").replace("fear: 0.", "fear: 9."))
    folders = DataFolders.of([data])
    for name in ("secret.yaml", "broken.yaml", "bad.yaml"):
        assert refusal(folders, name) == f"{name}: {INVALID_SCENARIO}"


def test_a_huge_file_is_refused_before_it_is_read(data, monkeypatch):
    huge = data / "huge.yaml"
    with open(huge, "wb") as handle:  # sparse: 512 MiB that take no disk
        handle.truncate(512 * 1024 * 1024)

    def never(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(files, "read_yaml", never)
    monkeypatch.setattr(files, "load_scenario", never)
    message = refusal(DataFolders.of([data]), "huge.yaml")
    assert message == f"huge.yaml: a file larger than the {MAX_SCENARIO_BYTES // 2**20} MiB the dashboard opens"


def test_a_scenario_whose_ladder_file_is_outside_is_refused_before_the_ladder_is_read(data, outside):
    ladder = Path(next(iter(shipped_ladders().values())))
    shutil.copy(ladder, outside / "ladder.yaml")
    shutil.copy(ladder, data / "ladder.yaml")
    document = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    folders = DataFolders.of([data])

    def uses(reference: str) -> None:
        (data / "uses.yaml").write_text(yaml.safe_dump({**document, "ladder": reference}), encoding="utf-8")

    for reference in (str(outside / "ladder.yaml"), f"../../{outside.name}/ladder.yaml", "/etc/passwd", "nope.yaml"):
        uses(reference)
        assert refusal(folders, "uses.yaml") == f"uses.yaml: ladder: {LADDER_REFUSED}", reference
    uses("ladder.yaml")  # beside it, inside: fine
    assert folders.load("uses.yaml").resolved_ladder.name == load_scenario(SHIPPED).resolved_ladder.name


def test_a_long_typed_path_is_cut_in_the_message(data):
    message = refusal(DataFolders.of([data]), "a" * 500)
    assert len(message) < 200 and message.startswith("a" * (files.SHOWN_CHARACTERS - 1) + "…: ")
    assert shown("two\nlines") == "two lines"


# --- the data folders themselves -------------------------------------------------------------------------------------


def test_data_folders_come_from_the_environment_else_the_working_directory(tmp_path, monkeypatch, data):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATA_VARIABLE, raising=False)
    monkeypatch.delenv(SCENARIO_VARIABLE, raising=False)
    assert DataFolders.from_environment().roots == (tmp_path.resolve(),)
    monkeypatch.setenv(DATA_VARIABLE, json.dumps([str(data), str(tmp_path)]))
    monkeypatch.setenv(SCENARIO_VARIABLE, str(data / "mine.yaml"))
    folders = DataFolders.from_environment()
    assert folders.roots == (data.resolve(), tmp_path.resolve())
    assert folders.start == (data / "mine.yaml").resolve()
    monkeypatch.setenv(DATA_VARIABLE, "not json")
    monkeypatch.setenv(SCENARIO_VARIABLE, "moscow-strike")
    assert DataFolders.from_environment() == DataFolders((tmp_path.resolve(),), None)


def test_a_data_folder_reached_through_a_link_is_its_real_path(tmp_path, data):
    (tmp_path / "via").symlink_to(data)
    folders = DataFolders.of([tmp_path / "via"])
    assert folders.roots == (data.resolve(),)
    assert folders.scenario_file(str(tmp_path / "via" / "mine.yaml")) == (data / "mine.yaml").resolve()


# --- result folders --------------------------------------------------------------------------------------------------


def result_refusal(folders: DataFolders, typed: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        folders.result_folder(typed)
    return str(caught.value)


def test_result_folders_open_only_inside_the_data_folders(data, outside):
    (data / "sweep" / "parts").mkdir(parents=True)
    (data / "sweep" / "manifest.json").write_text("{}")
    (data / "out-link").symlink_to(outside)
    (data / "~").mkdir()
    folders = DataFolders.of([data])
    assert folders.result_folder("sweep") == (data / "sweep").resolve()
    assert folders.result_folder("~") == (data / "~").resolve()  # a folder named ~, not the home folder
    for typed in (str(outside), "out-link", "..", "../..", "/", "/etc", "~/../..", "missing", "mine.yaml", "a\0b"):
        assert result_refusal(folders, typed) == f"{shown(typed)}: {NOT_A_FOLDER}", typed


def test_a_result_file_linked_out_is_refused(data, outside):
    (outside / "task-0.parquet").write_bytes(b"PAR1")
    for linked in ("manifest.json", "parts/task-0.parquet", "theory.json", "indices.csv"):
        folder = data / linked.replace("/", "-")
        (folder / "parts").mkdir(parents=True)
        (folder / linked).symlink_to(outside / "task-0.parquet")
        assert result_refusal(DataFolders.of([data]), folder.name) == f"{folder.name}: {LINK_OUT}", linked


def test_result_files_are_capped_together_before_they_are_read(data):
    sweep = data / "sweep"
    (sweep / "parts").mkdir(parents=True)
    (sweep / "manifest.json").write_text("{}")
    half = MAX_RESULT_BYTES // 2 + 1
    for name in ("task-0.parquet", "task-1.parquet"):
        with open(sweep / "parts" / name, "wb") as handle:
            handle.truncate(half)  # sparse
    message = result_refusal(DataFolders.of([data]), "sweep")
    assert message == f"sweep: its result files are larger than the {MAX_RESULT_BYTES // 2**20} MiB the dashboard opens"
    (sweep / "parts" / "task-1.parquet").unlink()
    assert DataFolders.of([data]).result_folder("sweep") == sweep.resolve()
