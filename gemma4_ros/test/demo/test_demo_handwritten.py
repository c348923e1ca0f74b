"""The hand-written evaluation and development sets: large and varied enough, valid for the tools,
apart from each other, and never seen by training — the corpus code reads neither, and no command
of either is generated text."""

from __future__ import annotations

import ast
import builtins
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from gemma4_ros.demo import handwritten
from gemma4_ros.demo.corpus import build_corpus
from gemma4_ros.demo.handwritten import (
    EvalCommand,
    default_dev_file,
    default_eval_file,
    load_eval_set,
)
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.paths import demo_model_dir
from gemma4_ros.tools import ToolRegistry

DEMO = Path(handwritten.__file__).parent
TRAINING_ENTRY = "train"  # demo/train.py: whatever it imports is what training can read
REFUSAL_TAGS = ("chore", "unsafe", "unknown_place", "out_of_range", "partly_impossible")
SETS = {"eval": default_eval_file, "dev": default_dev_file}
LEAK_SAMPLE = 30000  # the first commands of the shipped model's training stream (all: -m slow)


@pytest.fixture(scope="module")
def eval_set(registry: ToolRegistry) -> tuple[EvalCommand, ...]:
    return load_eval_set(registry=registry)


@pytest.fixture(scope="module")
def dev_set(registry: ToolRegistry) -> tuple[EvalCommand, ...]:
    return load_eval_set(default_dev_file(), registry)


def words(text: str) -> str:
    """A command as the demo tokenizer sees it, less punctuation: the strictest comparison."""
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def test_the_set_is_large_varied_and_written_for_these_tools(eval_set) -> None:
    assert len(eval_set) >= 150
    assert len({words(c.command) for c in eval_set}) == len(eval_set)  # no duplicates
    steps = Counter(len(c.calls) for c in eval_set)
    assert steps[0] >= 30 and steps[1] >= 80 and steps[2] >= 10 and steps[3] >= 5
    tags = Counter(c.tag for c in eval_set)
    for tag in ("typo", "units", "fraction", "number_word", "polite", "terse", *REFUSAL_TAGS):
        assert tags[tag] >= 2, tag
    assert all(c.is_refusal for c in eval_set if c.tag in REFUSAL_TAGS)
    assert {call.name for c in eval_set for call in c.calls} == {
        "navigate_to", "move", "rotate", "stop", "dock", "capture_image", "inspect", "speak",
        "wait", "report"}


def test_the_dev_set_is_its_own_and_covers_the_same_ground(dev_set, eval_set) -> None:
    assert 80 <= len(dev_set) <= 150
    assert len({words(c.command) for c in dev_set}) == len(dev_set)
    assert not {words(c.command) for c in dev_set} & {words(c.command) for c in eval_set}
    steps = Counter(len(c.calls) for c in dev_set)
    assert steps[0] >= 20 and steps[2] >= 5 and steps[3] >= 3
    tags = Counter(c.tag for c in dev_set)
    for tag in ("typo", "units", "fraction", "number_word", "synonym", *REFUSAL_TAGS):
        assert tags[tag] >= 2, tag
    assert all(c.is_refusal for c in dev_set if c.tag in REFUSAL_TAGS)


def _demo_imports(module: str) -> set[str]:
    """The demo modules ``module`` imports: ``from gemma4_ros.demo.x import ...`` and
    ``from gemma4_ros.demo import x, y``."""
    tree = ast.parse((DEMO / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if (node.module or "").startswith("gemma4_ros.demo."):
            found.add(node.module.rsplit(".", 1)[1])
        elif node.module == "gemma4_ros.demo":
            found.update(alias.name for alias in node.names)
    return found


def test_the_training_code_neither_imports_nor_names_the_set() -> None:
    reached, todo = set(), [TRAINING_ENTRY]
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo.extend(_demo_imports(module))
    assert {"corpus", "steps", "phrases", "refusals", "quantities", "impossible",
            "noise"} <= reached  # the walk does follow the corpus code
    assert not reached & {"handwritten", "faithfulness"}
    for module in reached:
        source = (DEMO / f"{module}.py").read_text(encoding="utf-8")
        assert "handwritten" not in source and "eval/" not in source, module


def test_building_the_corpus_opens_no_evaluation_file(registry, monkeypatch) -> None:
    opened: list[str] = []
    real_open = io.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(io, "open", spy)
    build_corpus(ToolRegistry.load(), seed=0, n_train=500, n_heldout=20)
    assert opened  # the spy sees reads (tools.yaml) ...
    assert not [path for path in opened if "eval" in Path(path).parts]  # ... none of either set


def _leaked(registry: ToolRegistry, n_train: int | None) -> dict[str, list[str]]:
    """Hand-written commands that occur in the shipped model's training stream (its first
    ``n_train`` commands; None: all it was trained on) or its held-out split, ignoring case and
    punctuation."""
    options = json.loads((demo_model_dir() / "demo.json").read_text(encoding="utf-8"))["options"]
    corpus = build_corpus(registry, options["seed"], n_train or options["n_train"],
                          options["n_heldout"], options["noise"])
    generated = {words(e.command) for e in corpus.train + corpus.heldout}
    return {name: [c.command for c in load_eval_set(file(), registry)
                   if words(c.command) in generated] for name, file in SETS.items()}


def test_no_command_of_either_set_is_generated_text(registry) -> None:
    assert _leaked(registry, LEAK_SAMPLE) == {"eval": [], "dev": []}


@pytest.mark.slow
def test_no_command_of_either_set_is_in_the_shipped_training_set(registry) -> None:
    assert _leaked(registry, None) == {"eval": [], "dev": []}


def test_the_default_files_are_the_packaged_ones() -> None:
    assert default_eval_file().is_file()
    assert default_eval_file().name == "handwritten_commands.jsonl"
    assert default_dev_file().is_file() and default_dev_file().parent == default_eval_file().parent


@pytest.mark.parametrize("line, problem", [
    ('{"command": "fly", "calls": [{"name": "fly"}], "tag": "x"}', "fly"),
    ('{"command": "go", "calls": [{"name": "move", "arguments": {"distance": 9}}], "tag": "x"}',
     "move"),
    ('{"command": "go", "calls": [], "tag": "x", "extra": 1}', "extra"),
    ('{"command": "go", "calls": [], "also": [[{"name": "dock"}]], "tag": "x"}',
     "refusal cannot have alternatives"),
    ("not json", "not a {command, calls, tag} object"),
])
def test_a_bad_line_is_an_error_naming_it(tmp_path, registry, line, problem) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"command": "dock", "calls": [{"name": "dock"}], "tag": "dock"}\n' + line,
                    encoding="utf-8")
    with pytest.raises(Gemma4RosError) as raised:
        load_eval_set(path, registry)
    assert f"{path}:2" in str(raised.value) and problem in str(raised.value)


def test_alternatives_are_answers_too(tmp_path, registry) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"command": "park at the charger", "calls": [{"name": "dock"}],
                                "also": [[{"name": "navigate_to",
                                           "arguments": {"place": "dock"}}]],
                                "tag": "dock"}) + "\n", encoding="utf-8")
    (command,) = load_eval_set(path, registry)
    assert [[c.name for c in answer] for answer in command.answers] == [["dock"],
                                                                         ["navigate_to"]]
    assert command.calls == command.answers[0] and not command.is_refusal
