"""Camera and voice into a real model: the planner node on the tiny multimodal Gemma 4 fixture
(ONNX, random weights, vision and audio encoders). The spoken command goes VAD → utterance →
``audio_encoder`` → features merged at the prompt's audio placeholders; an Ask with an image goes
through ``vision_encoder``. The weights are random, so what is checked is the path (the encoded
media reach the generation, the request succeeds, a voice plan is marked as such), not the plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gemma4_ros.bus import Bus
from gemma4_ros.interfaces import AskRequest, AskResponse
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.planning import Planner, PlannerConfig
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.loader import engine_from_config
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.testing.fixture_models import (
    MULTIMODAL_FIXTURES,
    FixtureUnavailable,
    fixture_model,
)
from gemma4_ros.testing.fixture_tokenizer import build_fixture_tokenizer
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import PlanSource
from node_rig import NS
from planner_rig import image_data, solid_frame, speak, start_planner_rig

SHORT = {"max_steps": 2, "max_tokens": 200,
         "grammar": {"max_text_chars": 40, "max_thought_chars": 40, "string_chars_cap": 12}}


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> Planner:
    try:
        model = fixture_model("tiny_multimodal")
    except FixtureUnavailable as error:
        pytest.skip(str(error))
    tokenizer = Gemma4Tokenizer.from_file(
        build_fixture_tokenizer(tmp_path_factory.mktemp("media-tok"), vocab_size=512).path)
    budget = MULTIMODAL_FIXTURES["tiny_multimodal"].get("image_soft_tokens")  # if it fixes one
    engine = engine_from_config(RuntimeConfig(
        model_dir=str(model.onnx_dir), providers=["cpu"], intra_op_threads=1,
        **({"image_soft_tokens": budget} if budget else {})))
    return Planner(engine, tokenizer, ToolRegistry.load(),
                   PlannerConfig(system_prompt="You plan robot tasks.", **SHORT))


@pytest.fixture
def media_seen(planner: Planner, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The kinds of encoded media each generation received."""
    seen: list[tuple[str, ...]] = []
    generate = planner.engine.generate

    def recording(ids: Any, options: Any = None) -> Any:
        seen.append(tuple(item.kind for item in getattr(options, "media", ()) or ()))
        return generate(ids, options)

    monkeypatch.setattr(planner.engine, "generate", recording)
    return seen


@pytest.fixture
def bus() -> Iterator[Bus]:
    with Bus() as made:
        yield made


def test_spoken_command_goes_through_the_audio_encoder(
        bus: Bus, planner: Planner, media_seen: list[tuple[str, ...]]) -> None:
    rig = start_planner_rig(bus, planner, PlannerNodeConfig(listen=True))
    try:
        speak(bus)
        assert rig.wait(lambda: rig.logic.stats.requests == 1, timeout=60.0)
        assert rig.logic.stats.failures == 0, rig.logic.stats.last_error
        assert media_seen == [("audio",)]
        assert all(plan.source is PlanSource.VOICE for plan in rig.plans)
    finally:
        rig.close()


def test_ask_with_an_image_goes_through_the_vision_encoder(
        bus: Bus, planner: Planner, media_seen: list[tuple[str, ...]]) -> None:
    rig = start_planner_rig(bus, planner, PlannerNodeConfig(listen=False))
    try:
        client = bus.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        given = image_data(solid_frame(0.0))
        reply = client.call_async(AskRequest(question="what is this?", image=given)).result(60.0)
        assert reply.success, reply.error
        assert media_seen == [("image",)]
    finally:
        rig.close()
