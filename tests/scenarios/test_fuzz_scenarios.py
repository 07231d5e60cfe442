"""The scenario fuzzer: a few hundred hostile mutants give no traceback, hang or accepted nonsense.

``python tests/scenarios/fuzz_scenarios.py --mutants 2000`` runs thousands on demand.
"""

from __future__ import annotations

import fuzz_scenarios as fuzz

MUTANTS = 300
SEED = 20_261_202


def test_a_few_hundred_hostile_mutants_give_only_clean_errors_or_valid_scenarios():
    report = fuzz.run_fuzz(MUTANTS, SEED, timeout=30.0)
    assert report.mutants == MUTANTS
    assert report.defects == 0, report.as_dict()["examples"]
    assert report.outcomes["clean error"] >= MUTANTS // 2
    assert len(report.by_operator) >= 25, sorted(report.by_operator)  # nearly every operator was drawn


def test_the_same_seed_gives_the_same_mutants():
    first, again, other = fuzz.mutants(60, 5), fuzz.mutants(60, 5), fuzz.mutants(60, 6)
    assert [(m.operator, m.text, m.overrides) for m in first] == [(m.operator, m.text, m.overrides) for m in again]
    assert [m.text for m in first] != [m.text for m in other]


def test_must_refuse_mutations_really_are_wrong():
    made = fuzz.mutants(400, 1)
    duplicates = [m for m in made if m.operator == "duplicate key"]
    assert duplicates and all(fuzz.has_duplicate_key(m.text) is not False for m in duplicates)
    assert all(m.must_refuse for m in made if m.operator.startswith(("boolean", "NaN", "too many", "deep")))
    assert not any(m.must_refuse for m in made if m.operator in ("delete a key", "truncate", "markup in a name"))


def test_the_classifier_counts_each_defect():
    refuse = fuzz.Mutant("x", "base", "", must_refuse=True)
    may = fuzz.Mutant("y", "base", "", must_refuse=False, marker="[/bold]")
    answer = {"code": 2, "stdout": "", "stderr": "error: f: problem\n", "traceback": None}
    assert fuzz.classify(refuse, answer)[0] == "clean error"
    assert fuzz.classify(refuse, {**answer, "code": 0})[0] == "accepted nonsense"
    assert fuzz.classify(may, {**answer, "code": 0, "stdout": "ok: x ([/bold]x)"})[0] == "accepted"
    assert fuzz.classify(may, {**answer, "code": 0, "stdout": "ok: x (x)"})[0] == "mangled"
    assert fuzz.classify(refuse, {**answer, "traceback": "Traceback ..."})[0] == "traceback"
    assert fuzz.classify(refuse, {**answer, "stderr": "error: a\nb\n"})[0] == "messy error"
    assert fuzz.classify(refuse, {**answer, "stderr": "error: " + "x" * 600 + "\n"})[0] == "messy error"
    assert fuzz.classify(refuse, None)[0] == "hang"
    assert fuzz.classify(refuse, {"crashed": -11})[0] == "crash"


def test_a_worker_that_does_not_answer_in_time_is_replaced():
    worker = fuzz.Worker()
    try:
        worker.start()
        first = worker.process.pid
        assert worker.ask(["validate", "moscow-strike"], timeout=0.0) is None  # no time to answer: a hang
        assert worker.process is None
        answer = worker.ask(["validate", "moscow-strike"], timeout=60.0)
        assert answer is not None and answer["code"] == 0 and answer["stdout"].startswith("ok: moscow-strike")
        assert worker.process.pid != first
    finally:
        worker.stop()
