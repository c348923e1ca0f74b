"""Voice commands on the in-process bus: audio chunks → the real Silero VAD → one utterance →
the planner with ``source=voice`` → the executor and the simulated robot.

To get a meaningful plan, the planner here is the real one on a scripted model behind a thin
stand-in for the audio encoder (it records the utterance's samples and plans its known
transcript); ``test_planner_media.py`` sends the same recording through a real audio encoder.
The second test shows what a deaf model gives: a clear error on the log and on diagnostics, and
a node that keeps serving text commands.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from gemma4_ros.bus import Bus
from gemma4_ros.interfaces import DiagnosticLevel
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.planning import Planner
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.testing.fixture_tokenizer import build_fixture_tokenizer
from gemma4_ros.testing.scripted_model import ScriptedModel
from gemma4_ros.types import AudioChunk, AudioEncoding, PlanSource, ResultStatus
from node_rig import NS
from planner_rig import (
    TRANSCRIPT,
    WAIT,
    HearingPlanner,
    PlannerRig,
    call,
    scripted,
    speak,
    start_planner_rig,
)


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Gemma4Tokenizer:
    built = build_fixture_tokenizer(tmp_path_factory.mktemp("voice-tok"), vocab_size=512)
    return Gemma4Tokenizer.from_file(built.path)


@pytest.fixture
def bus() -> Iterator[Bus]:
    with Bus() as made:
        yield made


def voice_rig(bus: Bus, planner: Planner) -> PlannerRig:
    return start_planner_rig(bus, planner, PlannerNodeConfig(listen=True))


def test_spoken_command_becomes_a_voice_plan_that_runs(bus: Bus, tokenizer: Gemma4Tokenizer
                                                        ) -> None:
    model = ScriptedModel(tokenizer, call("navigate_to", place="dock") + WAIT)
    planner = scripted(tokenizer, model, planner_class=HearingPlanner)
    planner.heard = []
    rig = voice_rig(bus, planner)
    try:
        speak(bus)
        assert rig.wait(lambda: len(rig.plans) == 1, timeout=30.0)
        plan = rig.plans[0]
        assert plan.source is PlanSource.VOICE and TRANSCRIPT in plan.instruction
        assert [(s.call.name, s.call.arguments) for s in plan.steps] == [
            ("navigate_to", {"place": "dock"})]
        (samples,) = planner.heard
        assert samples.dtype == np.float32 and 0.5 < samples.size / 16_000 < 2.5
        rig.executor.approve(plan, 0)  # no transcript to ground it in: the operator confirms
        results = rig.executor.wait_results(plan)
        assert [r.status for r in results] == [ResultStatus.SUCCEEDED]
        assert dict(rig.logic.diagnostics().values)["utterances"] == "1"
    finally:
        rig.close()


def test_a_deaf_model_reports_a_clear_error_and_keeps_serving(
        bus: Bus, tokenizer: Gemma4Tokenizer, caplog: pytest.LogCaptureFixture) -> None:
    rig = voice_rig(bus, scripted(tokenizer, ScriptedModel(tokenizer, call("dock") + WAIT)))
    try:
        with caplog.at_level("ERROR"):
            speak(bus)
            assert rig.wait(lambda: rig.logic.stats.failures == 1, timeout=30.0)
        status = rig.logic.diagnostics()
        assert status.level is DiagnosticLevel.WARN and "audio_encoder" in status.message
        assert any("voice plan failed" in r.getMessage() and "audio_encoder" in r.getMessage()
                   for r in caplog.records)
        rig.commands.publish("dock")
        assert rig.wait(lambda: len(rig.plans) == 1)
        assert rig.plans[0].source is PlanSource.TEXT
        assert rig.logic.diagnostics().level is DiagnosticLevel.OK
        results = rig.executor.wait_results(rig.plans[0])
        assert [r.status for r in results] == [ResultStatus.SUCCEEDED]
    finally:
        rig.close()


def test_a_refused_audio_chunk_is_dropped_with_a_warning_and_listening_goes_on(
        bus: Bus, tokenizer: Gemma4Tokenizer, caplog: pytest.LogCaptureFixture) -> None:
    planner = scripted(tokenizer, ScriptedModel(tokenizer, call("dock") + WAIT),
                       planner_class=HearingPlanner)
    planner.heard = []
    rig = voice_rig(bus, planner)
    try:
        noise = AudioChunk(sample_rate=16_000, channels=1, encoding=AudioEncoding.PCM_F32LE,
                           data=np.full(320, np.nan, dtype="<f4").tobytes())
        with caplog.at_level("WARNING"):
            bus.publisher(f"{NS}/audio", AudioChunk).publish(noise)
            assert rig.wait(lambda: any("dropped an audio chunk" in r.getMessage()
                                        for r in caplog.records))
        assert any("NaN" in r.getMessage() for r in caplog.records)
        speak(bus)
        assert rig.wait(lambda: len(rig.plans) == 1, timeout=30.0)
        assert rig.plans[0].source is PlanSource.VOICE and len(planner.heard) == 1
    finally:
        rig.close()
