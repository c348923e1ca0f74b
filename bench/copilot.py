#!/usr/bin/env python3
"""The copilot's retrieval: does the index find the passage that answers, and what it costs.

* ``retrieval_recall_at_3`` (and at 1, and the mean reciprocal rank): the share of hand-written
  questions (``gemma4_ros/eval/copilot_questions.jsonl``, 41 questions over the shipped manual,
  never used to tune the index) for which a passage of the expected document and section is among
  the first three the search returns;
* ``index_build_s`` for 1,000 pages of generated text (100 Markdown files of 10 sections, each a
  page of about 300 words), ``index_noop_update_s`` for the same folder unchanged, and
  ``search_p50_ms`` / ``search_p99_ms`` on that index with the questions above.

* ``citation_correct``: the share of those questions for which ``gemma4-ros ask --docs`` on the
  embedded demo planner cites the answering passage (what it cites is what was fitted into the
  model's 1,024-token context, so this can be below recall at 3), ``citation_first_correct`` for
  its first citation, and ``answer_latency_p50_ms`` / ``_p99_ms`` of those answers (search, fit
  and generation; the demo model was not taught to answer from passages, so its text is not
  scored, and ``answers_failed`` counts the answers it rambled past ``ask_max_tokens``).

``answered_from_record`` needs the robot's live record as copilot tools (issue #17, items 2-3);
it is printed with that reason until they exist.

    python bench/copilot.py [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from gemma4_ros.copilot.answers import consult
from gemma4_ros.copilot.config import load_copilot_config
from gemma4_ros.copilot.index import DocumentIndex
from gemma4_ros.planning.errors import PlanningError
from gemma4_ros.planning.loading import load_planner
from gemma4_ros.paths import share_dir

QUESTIONS = Path("eval") / "copilot_questions.jsonl"
PAGES, SECTIONS_PER_FILE, WORDS_PER_PAGE = 1000, 10, 300
NOT_YET = ("answered_from_record needs the live record as copilot tools (issue #17 items "
           "2-3), not built yet")


def load_questions() -> list[dict[str, str]]:
    lines = (share_dir() / QUESTIONS).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def retrieval(questions: list[dict[str, str]], work: Path) -> dict[str, Any]:
    """Recall at 1 and 3 and MRR over the shipped manual, with the misses named."""
    config = load_copilot_config()
    ranks: list[int | None] = []
    misses = []
    with DocumentIndex(work / "manual.sqlite3") as index:
        config.refresh_index(index)
        for question in questions:
            hits = index.search(question["question"], limit=10)
            rank = next((i for i, hit in enumerate(hits, 1) if hit.document
                         == question["document"] and hit.locator == question["section"]), None)
            ranks.append(rank)
            if rank is None or rank > 3:
                misses.append({"question": question["question"], "rank": rank,
                               "top": f"{hits[0].document} > {hits[0].locator}" if hits else None})
    count = len(ranks)
    return {"questions": count,
            "retrieval_recall_at_1": round(sum(r == 1 for r in ranks) / count, 3),
            "retrieval_recall_at_3": round(sum(r is not None and r <= 3 for r in ranks) / count, 3),
            "mrr_at_10": round(sum(1 / r for r in ranks if r is not None) / count, 3),
            "misses": misses}


def answers(questions: list[dict[str, str]], work: Path) -> dict[str, Any]:
    """Citations and latency of answers from the shipped manual on the embedded demo planner."""
    config = load_copilot_config()
    planner = load_planner()
    planner.warm_up()
    correct = first = failed = 0
    times = []
    with DocumentIndex(work / "answers.sqlite3") as index:
        config.refresh_index(index)
        for question in questions:
            began = time.perf_counter()
            consulted, citations = consult(planner, index, question["question"])
            try:
                planner.ask(question["question"], consulted=[consulted])
            except PlanningError:
                failed += 1  # rambled past ask_max_tokens: its sources were found regardless
            times.append((time.perf_counter() - began) * 1000)
            right = [cited.source == question["document"]
                     and cited.locator.split(", line ")[0] == question["section"]
                     for cited in citations]
            correct += any(right)
            first += bool(right and right[0])
    times.sort()
    return {"citation_correct": round(correct / len(questions), 3),
            "citation_first_correct": round(first / len(questions), 3),
            "answer_latency_p50_ms": round(statistics.median(times), 1),
            "answer_latency_p99_ms": round(times[max(int(len(times) * 0.99) - 1, 0)], 1),
            "answers_failed": failed}


def generated_pages(folder: Path, seed: int = 0) -> None:
    """1,000 pages of Markdown in 100 files, words drawn from a fixed vocabulary."""
    rng = random.Random(seed)
    vocabulary = [f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}"
                  f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{rng.choice('nrst')}"
                  for _ in range(5000)]
    for file in range(PAGES // SECTIONS_PER_FILE):
        parts = [f"# Manual {file}\n"]
        for section in range(SECTIONS_PER_FILE):
            words = rng.choices(vocabulary, k=WORDS_PER_PAGE)
            lines = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
            parts.append(f"## Section {section}\n" + "\n".join(lines) + "\n")
        (folder / f"manual_{file:03d}.md").write_text("\n".join(parts), encoding="utf-8")


def scale(questions: list[dict[str, str]], work: Path) -> dict[str, Any]:
    folder = work / "pages"
    folder.mkdir()
    generated_pages(folder)
    config = load_copilot_config()
    with DocumentIndex(work / "pages.sqlite3") as index:
        began = time.perf_counter()
        report = config.refresh_index(index, [folder])
        build = time.perf_counter() - began
        began = time.perf_counter()
        config.refresh_index(index, [folder])
        noop = time.perf_counter() - began
        times = []
        for _ in range(5):
            for question in questions:
                began = time.perf_counter()
                index.search(question["question"])
                times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {"pages": PAGES, "passages": report.passages, "index_build_s": round(build, 2),
            "index_noop_update_s": round(noop, 3),
            "search_p50_ms": round(statistics.median(times), 3),
            "search_p99_ms": round(times[int(len(times) * 0.99) - 1], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    questions = load_questions()
    with tempfile.TemporaryDirectory() as tmp:
        result = {**retrieval(questions, Path(tmp)), **answers(questions, Path(tmp)),
                  **scale(questions, Path(tmp)), "answered_from_record": None,
                  "not_measured_why": NOT_YET}
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        if key != "misses":
            print(f"{key:>24}: {value}")
    for miss in result["misses"]:
        print(f"  missed (rank {miss['rank']}): {miss['question']!r} -> top {miss['top']}")


if __name__ == "__main__":
    main()
