"""The generation loop on a numpy fake model: stop reasons, hooks, forced tokens, prefix reuse."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from runtime_fakes import VOCAB, FakeModel

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime.generation import Engine, GenerationOptions, StopReason
from gemma4_ros.runtime.sampler import SamplingParams

EOS, TURN_END = 1, 40


def make_engine(model: FakeModel, **kwargs: object) -> Engine:
    settings = dict(eos_token_id=EOS, stop_token_ids=[EOS, TURN_END], max_new_tokens=8)
    settings.update(kwargs)
    return Engine(model, **settings)  # type: ignore[arg-type]


def test_greedy_follows_argmax_and_stops_at_max_tokens(fake_model: FakeModel) -> None:
    generation = make_engine(fake_model).generate([2, 10])
    assert generation.run() == list(range(11, 19))
    assert generation.stop_reason is StopReason.MAX_TOKENS
    assert generation.prompt_tokens == 2
    assert fake_model.calls[0] == [2, 10] and all(len(c) == 1 for c in fake_model.calls[1:])


def test_request_max_tokens_overrides_default(fake_model: FakeModel) -> None:
    generation = make_engine(fake_model).generate([5], GenerationOptions(max_new_tokens=3))
    assert generation.run() == [6, 7, 8]


def test_eos_stops_and_is_yielded() -> None:
    model = FakeModel(successor=lambda t: EOS if t == 12 else t + 1)
    generation = make_engine(model).generate([10])
    assert generation.run() == [11, 12, EOS]
    assert generation.stop_reason is StopReason.EOS


def test_stop_token_from_generation_config() -> None:
    generation = make_engine(FakeModel()).generate([37])
    assert generation.run() == [38, 39, TURN_END]
    assert generation.stop_reason is StopReason.STOP_TOKEN


def test_request_stop_ids_replace_defaults_but_keep_eos() -> None:
    engine = make_engine(FakeModel())
    generation = engine.generate([37], GenerationOptions(stop_token_ids=[39]))
    assert generation.run() == [38, 39]
    assert generation.stop_reason is StopReason.STOP_TOKEN
    no_stops = engine.generate([62], GenerationOptions(stop_token_ids=[]))
    assert no_stops.run() == [63, 0, EOS]
    assert no_stops.stop_reason is StopReason.EOS


def test_cancel_from_another_thread_stops_at_next_step(fake_model: FakeModel) -> None:
    cancel = threading.Event()
    generation = make_engine(fake_model, max_new_tokens=50).generate(
        [2], GenerationOptions(cancel=cancel)
    )
    seen = []
    for event in generation:
        seen.append(event.token_id)
        if len(seen) == 3:
            canceller = threading.Thread(target=cancel.set)
            canceller.start()
            canceller.join()
    assert seen == [3, 4, 5]
    assert generation.stop_reason is StopReason.CANCELLED


def test_deadline_measured_on_the_engine_clock() -> None:
    now = [0.0]
    model = FakeModel(on_forward=lambda: now.__setitem__(0, now[0] + 1.0))
    engine = make_engine(model, max_new_tokens=50, clock=lambda: now[0])
    generation = engine.generate([2], GenerationOptions(timeout_s=3.5))
    assert generation.run() == [3, 4, 5]  # prefill at t=1, decodes at t=2 and 3, stop at 4
    assert generation.stop_reason is StopReason.DEADLINE


def test_logits_processor_masks_in_place(fake_model: FakeModel) -> None:
    def ban_successor(logits: np.ndarray) -> None:
        logits[int(np.argmax(logits))] = -np.inf

    generation = make_engine(fake_model).generate(
        [2], GenerationOptions(max_new_tokens=2, logits_processor=ban_successor)
    )
    # With the argmax banned, the linear ramp makes the last vocabulary entry the best left.
    assert generation.run() == [VOCAB - 1, VOCAB - 1]


def test_mask_that_allows_nothing_is_a_grammar_error(fake_model: FakeModel) -> None:
    generation = make_engine(fake_model).generate(
        [2], GenerationOptions(logits_processor=lambda logits: logits.fill(-np.inf))
    )
    assert generation.run() == []
    assert generation.stop_reason is StopReason.GRAMMAR_ERROR


def test_commit_hook_sees_each_token_and_can_reject(fake_model: FakeModel) -> None:
    committed: list[int] = []

    def commit(token: int) -> bool:
        committed.append(token)
        return token != 5

    generation = make_engine(fake_model).generate([2], GenerationOptions(on_commit=commit))
    assert generation.run() == [3, 4, 5]
    assert committed == [3, 4, 5]
    assert generation.stop_reason is StopReason.GRAMMAR_ERROR


def test_forced_tokens_skip_sampling_and_share_one_forward_pass(fake_model: FakeModel) -> None:
    queue = [[20, 21, 22]]
    options = GenerationOptions(
        max_new_tokens=5, forced_tokens=lambda: queue.pop() if queue else []
    )
    generation = make_engine(fake_model).generate([2], options)
    events = list(generation)
    assert [(e.token_id, e.forced) for e in events] == [
        (20, True),
        (21, True),
        (22, True),
        (23, False),
        (24, False),
    ]
    assert [e.index for e in events] == [0, 1, 2, 3, 4]
    assert fake_model.calls[1] == [20, 21, 22]


def test_forced_tokens_are_cut_at_max_tokens_and_stop_tokens(fake_model: FakeModel) -> None:
    capped = make_engine(fake_model).generate(
        [2], GenerationOptions(max_new_tokens=2, forced_tokens=lambda: [30, 31, 32])
    )
    assert capped.run() == [30, 31]
    assert capped.stop_reason is StopReason.MAX_TOKENS
    stopped = make_engine(fake_model).generate(
        [2], GenerationOptions(forced_tokens=lambda: [30, TURN_END, 32])
    )
    assert stopped.run() == [30, TURN_END]
    assert stopped.stop_reason is StopReason.STOP_TOKEN


def test_prefix_reuse_feeds_only_the_new_tokens_and_matches() -> None:
    system, user = [2, 7, 9, 11, 13], [20, 21]
    plain_model, reused_model = FakeModel(), FakeModel()
    plain = make_engine(plain_model).generate(system + user).run()
    engine = make_engine(reused_model)
    engine.prefix_cache.add(system)
    generation = engine.generate(system + user)
    assert generation.run() == plain
    assert generation.reused_prefix_tokens == len(system)
    assert reused_model.calls[:2] == [system, user]
    again = engine.generate(system + [30])
    assert again.run()[0] == 31 and reused_model.calls[len(plain) + 1] == [30]


def test_prompt_equal_to_prefix_uses_stored_logits(fake_model: FakeModel) -> None:
    engine = make_engine(fake_model)
    engine.prefix_cache.add([2, 3])
    calls_before = len(fake_model.calls)
    generation = engine.generate([2, 3], GenerationOptions(max_new_tokens=1))
    assert generation.run() == [4]
    assert len(fake_model.calls) == calls_before  # one token, no forward needed after it
    assert generation.reused_prefix_tokens == 2


def test_prefix_cache_evicts_least_recently_used(fake_model: FakeModel) -> None:
    engine = make_engine(fake_model, prefix_cache_entries=2)
    for prefix in ([2, 3], [4, 5], [6, 7]):
        engine.prefix_cache.add(prefix)
    assert len(engine.prefix_cache) == 2
    assert engine.prefix_cache.lookup([2, 3, 9]) is None
    hit = engine.prefix_cache.lookup([6, 7, 9])
    assert hit is not None and hit.length == 2 and hit.cache.tokens == [6, 7]


def test_reused_prefix_cache_is_not_changed_by_requests(fake_model: FakeModel) -> None:
    engine = make_engine(fake_model)
    engine.prefix_cache.add([2, 3])
    engine.generate([2, 3, 4]).run()
    hit = engine.prefix_cache.lookup([2, 3])
    assert hit is not None and hit.cache.tokens == [2, 3]


def test_sampling_with_seed_is_reproducible(fake_model: FakeModel) -> None:
    flat = FakeModel(successor=lambda t: t)  # every step prefers the same token weakly
    params = SamplingParams(temperature=50.0, seed=7)
    engine = make_engine(flat, max_new_tokens=12)
    first = engine.generate([2], GenerationOptions(sampling=params)).run()
    second = engine.generate([2], GenerationOptions(sampling=params)).run()
    other = engine.generate([2], GenerationOptions(sampling=SamplingParams(50.0, seed=8))).run()
    assert first == second
    assert first != other


@pytest.mark.parametrize("prompt", [[], list(range(30))])
def test_prompt_outside_the_context_is_rejected(fake_model: FakeModel, prompt: list[int]) -> None:
    engine = make_engine(fake_model, max_context_tokens=30)
    with pytest.raises(Gemma4RosError, match="prompt"):
        engine.generate(prompt)
    assert fake_model.calls == []


def test_zero_new_tokens_is_rejected(fake_model: FakeModel) -> None:
    with pytest.raises(Gemma4RosError, match="max_new_tokens is 0"):
        make_engine(fake_model).generate([2], GenerationOptions(max_new_tokens=0))


def test_generation_is_capped_by_the_context(fake_model: FakeModel) -> None:
    engine = make_engine(fake_model, max_context_tokens=12, max_new_tokens=50)
    assert len(engine.generate(list(range(2, 12))).run()) == 2


def test_scored_tokens_carry_their_masked_probability_and_forced_ones_none() -> None:
    queue = [[20]]
    seen: list[np.ndarray] = []

    def mask_two(logits: np.ndarray) -> np.ndarray:
        allowed = np.array([int(np.argmax(logits)), 0])
        kept = logits[allowed]
        logits.fill(-np.inf)
        logits[allowed] = kept
        seen.append(kept)
        return allowed

    options = GenerationOptions(max_new_tokens=3, logits_processor=mask_two, score_tokens=True,
                                forced_tokens=lambda: queue.pop() if queue else [])
    generation = make_engine(FakeModel()).generate([2], options)
    events = list(generation)
    assert [(e.token_id, e.forced) for e in events] == [(20, True), (21, False), (22, False)]
    assert events[0].probability is None
    for event, kept in zip(events[1:], seen):
        expected = 1.0 / (1.0 + np.exp(float(kept[1] - kept[0])))  # two allowed: a logistic
        assert event.probability == pytest.approx(expected, rel=1e-5)
    assert generation.probabilities == [e.probability for e in events]


def test_tokens_are_not_scored_unless_asked(fake_model: FakeModel) -> None:
    generation = make_engine(fake_model).generate([2], GenerationOptions(max_new_tokens=3))
    assert [e.probability for e in generation] == [None, None, None]
