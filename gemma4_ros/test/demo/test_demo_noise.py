"""Typing noise: one edit per chosen word, never in the words a call copies."""

from __future__ import annotations

import random
import re

from gemma4_ros.demo.noise import MIN_TYPO_LENGTH, add_noise, typo


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance counting a swap of neighbours as one edit."""
    rows = [[i + j if not i * j else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1,
                             rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def test_a_typo_is_one_edit_and_keeps_the_first_letter() -> None:
    rng = random.Random(1)
    for word in ("kitchen", "forward", "degrees", "hallway", "dock"):
        for _ in range(200):
            wrong = typo(word, rng)
            assert wrong[0] == word[0] and edit_distance(word, wrong) <= 1
    assert typo("lab", rng) == "lab"  # shorter than MIN_TYPO_LENGTH: left alone
    assert MIN_TYPO_LENGTH == 4


def test_noise_never_touches_copied_words_or_digits() -> None:
    rng = random.Random(2)
    command = "go forward 2.5 meters and then say the kitchen is ready, please"
    verbatim = frozenset({"the", "kitchen", "is", "ready"})
    for _ in range(500):
        noisy = add_noise(command, verbatim, rng, edits=2)
        assert "2.5" in noisy and "the kitchen is ready," in noisy
        assert len(re.findall(r"[a-z&]+", noisy)) == len(re.findall(r"[a-z]+", command))
