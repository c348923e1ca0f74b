"""Proof: our ONNX runtime's logits equal transformers' at every step of greedy generation.

The tiny fixture has a sliding window of 8, KV sharing over its last two layers and per-layer
embeddings; the prompts are longer than the window, so every mechanism is exercised. The
reference is transformers' own forward pass over the whole sequence at each step (no cache),
the strictest comparison: any cache, position or mask mistake in the runtime shows up.
"""

from __future__ import annotations

import numpy as np
import pytest

from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.generation import GenerationOptions, StopReason
from gemma4_ros.runtime.loader import engine_from_config
from gemma4_ros.testing.fixture_models import FixtureModel, load_reference

torch = pytest.importorskip("torch")

TOLERANCE = 1e-3
STEPS = 20


@pytest.fixture(scope="module")
def reference(tiny_fixture: FixtureModel):  # type: ignore[no-untyped-def]
    return load_reference(tiny_fixture)


def engine_for(fixture: FixtureModel):  # type: ignore[no-untyped-def]
    config = RuntimeConfig(
        model_dir=str(fixture.onnx_dir), providers=["cpu"], intra_op_threads=1, max_new_tokens=STEPS
    )
    return engine_from_config(config)


def prompt(length: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    return [2, *rng.integers(3, 512, size=length - 1).tolist()]


def generate_recording_logits(engine, ids: list[int]):  # type: ignore[no-untyped-def]
    """Greedy generation through the real loop; the logits hook records each step's logits."""
    steps: list[np.ndarray] = []
    options = GenerationOptions(logits_processor=lambda logits: steps.append(logits.copy()))
    generation = engine.generate(ids, options)
    return generation.run(), steps, generation


def reference_greedy(model, ids: list[int], count: int) -> tuple[list[int], list[np.ndarray]]:  # type: ignore[no-untyped-def]
    sequence, tokens, logits = list(ids), [], []
    with torch.no_grad():
        for _ in range(count):
            step = model(torch.tensor([sequence])).logits[0, -1].numpy()
            logits.append(step)
            tokens.append(int(np.argmax(step)))
            sequence.append(tokens[-1])
    return tokens, logits


def assert_parity(ours: list[np.ndarray], theirs: list[np.ndarray]) -> None:
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        diff = float(np.abs(a - b).max())
        assert diff <= TOLERANCE, f"step {step}: max |Δlogits| = {diff:.3g}"


def test_greedy_text_generation_matches_transformers(tiny_fixture: FixtureModel, reference) -> None:  # type: ignore[no-untyped-def]
    ids = prompt(24, seed=0)  # window is 8
    tokens, logits, generation = generate_recording_logits(engine_for(tiny_fixture), ids)
    ref_tokens, ref_logits = reference_greedy(reference, ids, len(tokens))
    assert tokens == ref_tokens
    assert_parity(logits, ref_logits)
    assert generation.stop_reason in (StopReason.MAX_TOKENS, StopReason.EOS, StopReason.STOP_TOKEN)
    if generation.stop_reason is StopReason.MAX_TOKENS:
        assert len(tokens) == STEPS


def test_request_served_from_reused_prefix_matches_transformers(
    tiny_fixture: FixtureModel, reference
) -> None:  # type: ignore[no-untyped-def]
    system, user = prompt(18, seed=1), prompt(7, seed=2)[1:]
    engine = engine_for(tiny_fixture)
    engine.prefix_cache.add(system)
    tokens, logits, generation = generate_recording_logits(engine, system + user)
    assert generation.reused_prefix_tokens == len(system)
    ref_tokens, ref_logits = reference_greedy(reference, system + user, len(tokens))
    assert tokens == ref_tokens
    assert_parity(logits, ref_logits)
    second_user = prompt(5, seed=3)[1:]
    tokens2, logits2, generation2 = generate_recording_logits(engine, system + second_user)
    assert generation2.reused_prefix_tokens == len(system)
    assert_parity(logits2, reference_greedy(reference, system + second_user, len(tokens2))[1])


def test_prefill_logits_match_at_every_prompt_position(
    tiny_fixture: FixtureModel, reference
) -> None:  # type: ignore[no-untyped-def]
    ids = prompt(30, seed=4)
    model = engine_for(tiny_fixture).model
    ours = model.decode(model.embed(np.asarray(ids)), model.new_cache(), all_positions=True)
    with torch.no_grad():
        theirs = reference(torch.tensor([ids])).logits[0].numpy()
    assert ours.shape == theirs.shape
    assert float(np.abs(ours - theirs).max()) <= TOLERANCE


def test_fixture_exercises_the_sliding_window(reference) -> None:  # type: ignore[no-untyped-def]
    """Guard against a vacuous parity: without the window the logits would differ clearly."""
    ids = torch.tensor([prompt(24, seed=0)])
    with torch.no_grad():
        windowed = reference(ids).logits[0, -1].numpy()
        window = reference.config.sliding_window
        reference.config.sliding_window = 10_000
        try:
            unwindowed = reference(ids).logits[0, -1].numpy()
        finally:
            reference.config.sliding_window = window
    assert float(np.abs(windowed - unwindowed).max()) > 100 * TOLERANCE
