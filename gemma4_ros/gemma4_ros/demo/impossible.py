"""Steps no tool can do, each with the reason the refusal gives.

Five kinds, so that "no" is learned as broadly as "yes": chores and errands (a verb and an object
no tool handles, now and then in a declared place: "clean the floor in the kitchen"), requests
said whole ("tell me a joke"), unsafe requests (motion aimed at people or things, switching
safety off, or a doable motion with an unsafe rider), places that are not declared (a navigation
phrasing with an unknown or made-up place), and values a tool cannot take ("go forward 12
meters": beyond the schema, no call can say it).

Values beyond the *safety* bounds but inside the schema are not refusals: the planner writes them
faithfully ("rotate 270 degrees" → ``angle:270``) and the gate rejects them with its reason, in
front of the operator. A planner that shrank or refused them would hide the limit from the one
place that enforces and explains it.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from gemma4_ros.demo import phrases, quantities, refusals
from gemma4_ros.demo.steps import Call, Step, StepMakers, number_value, with_speed
from gemma4_ros.tools import ToolRegistry

# How often each kind is drawn: (kind, weight).
KINDS = (("chore", 0.34), ("ask", 0.1), ("unsafe", 0.18), ("unknown_place", 0.22),
         ("out_of_range", 0.16))


class ImpossibleSteps:
    """Draws impossible steps for one registry; kinds the registry cannot phrase are skipped."""

    def __init__(self, registry: ToolRegistry, steps: StepMakers) -> None:
        self.registry = registry
        self.steps = steps
        self.navigator = next((t for t in registry.tools if t.effect.kind == "goto_place"
                               and t.effect.argument), None)
        self.known = {t.name: t for t in registry.tools if steps.knows(t)}
        named = {w for words in steps.place_words.values() for w in words}
        self.unknown_places = tuple(p for p in refusals.UNKNOWN_PLACES if p not in named)
        kinds: dict[str, Callable[[random.Random], Step]] = {
            "chore": self.chore, "ask": self.ask, "unsafe": self.unsafe}
        if self.navigator is not None and registry.places:
            kinds["unknown_place"] = self.unknown_place
        if {"move", "rotate", "wait"} & set(self.known):
            kinds["out_of_range"] = self.out_of_range
        self.kinds = {name: weight for name, weight in KINDS if name in kinds}
        self.makers = kinds

    def draw(self, rng: random.Random) -> Step:
        kind = rng.choices(list(self.kinds), weights=list(self.kinds.values()))[0]
        return self.makers[kind](rng)

    def chore(self, rng: random.Random) -> Step:
        verb = rng.choice(list(refusals.CHORES))
        thing = rng.choice(refusals.CHORES[verb])
        if not thing.startswith(refusals.LEADING_WORDS):
            thing = refusals.OBJECT_ARTICLE + thing
        text = f"{verb} {thing}"
        if rng.random() < 0.2:
            text += f" {rng.choice(('in', 'from', 'at', 'over in'))} {self._somewhere(rng)}"
        return Step(text, None, (f"refuse:{verb}:{thing}",), f"refuse:{verb}", reason="no_tool")

    def _somewhere(self, rng: random.Random) -> str:
        """A declared place (in words) or an undeclared one: a chore is no more doable there."""
        if self.steps.place_words and (rng.random() < 0.6 or not self.unknown_places):
            return self.steps.place_phrase(rng)[0]
        return "the " + rng.choice(self.unknown_places or ("moon",))

    def ask(self, rng: random.Random) -> Step:
        text = rng.choice(refusals.ASKS)
        return Step(text, None, (f"ask:{text}",), "ask", reason="no_tool")

    def unsafe(self, rng: random.Random) -> Step:
        roll = rng.random()
        if roll < 0.45:
            verb = rng.choice(refusals.UNSAFE_VERBS)
            target = rng.choice(refusals.UNSAFE_TARGETS)
            text = f"{verb} {target}"
            if rng.random() < 0.2:
                text = with_speed(text, quantities.speed(rng), rng)
            keys: tuple[str, ...] = (f"unsafe:{verb}:{target}",)
        elif roll < 0.8 or not self.navigator:
            text = rng.choice(refusals.UNSAFE_WHOLE)
            keys = (f"unsafe:{text}",)
        else:
            doable = self.steps.for_tool(self.navigator)(rng)
            tail = rng.choice(refusals.UNSAFE_TAILS)
            text, keys = f"{doable.text} {tail}", (*doable.keys, f"unsafe:{tail}")
        return Step(text, None, keys, "unsafe", reason="unsafe")

    def unknown_place(self, rng: random.Random) -> Step:
        assert self.navigator is not None
        index = rng.randrange(len(phrases.FRAMES["navigate_to"]))
        place = self._unknown_place(rng)
        words = rng.choice(("the ", "the ", "")) + place
        text = phrases.FRAMES["navigate_to"][index].format(place=words)
        return Step(text, None, (f"unknown:{place}", f"unknown:{index}:{place}"), "unknown",
                    reason="unknown_place")

    def _unknown_place(self, rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.6 or not self.unknown_places:
            return rng.choice(self.unknown_places) if self.unknown_places else "moon"
        if roll < 0.8:
            return f"{rng.choice(refusals.PLACE_ADJECTIVES)} {rng.choice(refusals.PLACE_NOUNS)}"
        label = rng.choice((str(rng.randint(1, 400)), rng.choice("abcdefgh"),
                            f"{rng.randint(1, 9)}{rng.choice('abc')}"))
        return f"{rng.choice(refusals.PLACE_CODES)} {label}"

    def out_of_range(self, rng: random.Random) -> Step:
        """A move, turn, wait or speed beyond the schema; where the registry's schema takes the
        value after all (a custom tools.yaml), it is a doable step with its call."""
        tool = rng.choice([name for name in ("move", "rotate", "wait", "move") if name in self.known])
        if tool == "move" and rng.random() < 0.25:
            spoken = quantities.distance(rng)
            text, sign, group, index = self.steps.move_text(rng, spoken)
            speed = quantities.too_fast(rng)
            text = with_speed(text, speed, rng)
            arguments = {"distance": number_value(sign * spoken.value),
                         "speed": number_value(speed.value)}
        elif tool == "move":
            spoken = quantities.far_distance(rng)
            text, sign, group, index = self.steps.move_text(rng, spoken)
            arguments = {"distance": number_value(sign * spoken.value)}
        elif tool == "rotate":
            spoken = quantities.wide_angle(rng)
            text, sign, group, index = self.steps.rotate_text(rng, spoken)
            arguments = {"angle": number_value(sign * spoken.value)}
        else:
            spoken = quantities.long_duration(rng)
            text, index = self.steps.wait_text(rng, spoken)
            group, arguments = "wait", {"seconds": number_value(spoken.value)}
        keys = (f"frame:{group}:{index}", f"range:{tool}:{spoken.words}")
        if not self.registry.problems(tool, arguments):
            return Step(text, Call(tool, arguments), keys, f"{group}:{index}")
        return Step(text, None, keys, "out_of_range", reason="out_of_range")
