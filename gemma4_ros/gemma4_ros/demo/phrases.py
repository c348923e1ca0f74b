"""The words the demo corpus is made of: frames per default tool, place synonyms, free-text pools.

Data, not logic, kept apart so that adding a phrasing never touches the generator. A frame is a
command with ``{slot}`` holes that :mod:`gemma4_ros.demo.corpus` fills; frames of a tool that is
not in the registry are ignored, and a registry tool without frames here gets generic frames built
from its name. All text is lower case: the demo tokenizer lower-cases its input.
"""

from __future__ import annotations

# Politeness, urgency and context around a whole command; the first, "", is the bare command.
PREFIXES = (
    "", "please ", "robot, ", "hey robot, ", "could you ", "can you ",
    "i want you to ", "now ", "ok, ", "okay robot, ", "would you ", "i need you to ",
    "go ahead and ", "would you kindly ", "could you please ", "can u ", "pls ", "please could you ",
    "hi robot, ", "robot: ", "ok so ", "alright, ", "right, ", "listen, ",
    "i'd like you to ", "i would like you to ", "you should ", "you need to ", "next, ",
    "do me a favour and ", "do me a favor and ", "when you're ready, ", "if you can, ",
    "ok robot ", "yo, ", "excuse me robot, ", "robot please ", "kindly ", "um, ", "so, ",
)
SUFFIXES = (
    "", " please", " now", " right now", " thanks", " thank you",
    " when you can", " immediately", " asap", " for me", " pls", " plz",
    ", thanks", ", cheers", " right away", " at once", ", if you would", ", if you don't mind",
    " when you get a chance", " please and thank you", "!", "?", ".", " ok?", ", ok",
    " thank u", " ty", ", please", "!!", " please!", ", now", " now please",
)

# Joining the steps of a multi-step command; "{a}", "{b}" and "{c}" are whole step phrasings.
JOIN_TWO = (
    "{a} and {b}", "{a} and then {b}", "{a}, then {b}", "{a} then {b}", "{a}. then {b}",
    "{a}, after that {b}", "first {a}, then {b}", "{a}; then {b}", "{a} and afterwards {b}",
    "{a}, and then {b}", "{a}, and {b}", "{a}; {b}", "{a}. {b}", "{a}, next {b}",
    "{a} and after that {b}", "{a}, afterwards {b}", "first {a} and then {b}", "{a} & {b}",
    "{a}, once done {b}", "{a} followed by {b}", "{a}, {b}", "{a} then {b} after",
)
JOIN_THREE = (
    "{a}, {b} and {c}", "{a}, then {b}, then {c}", "first {a}, then {b} and finally {c}",
    "{a} and {b}, then {c}", "{a}, {b}, and then {c}", "{a}, then {b} and then {c}",
    "{a}. then {b}. after that {c}", "{a}, {b}, {c}", "{a}; {b}; {c}", "{a}. {b}. {c}",
    "{a} then {b} then {c}", "{a} and {b} and {c}", "{a}, then {b}, and finally {c}",
    "first {a}, next {b}, finally {c}", "{a}, after that {b}, then {c}",
    "{a}, next {b}, then {c}", "first {a}; then {b}; finally {c}", "{a}, {b}, then {c}",
    "{a} and then {b} and then {c}", "{a}, and {b}, and {c}",
)

# Extra names an operator may use for the default places (the name itself, with spaces for
# underscores, is always one). A synonym must never name two places. A place without an entry
# here is called by its tools.yaml aliases.
PLACE_SYNONYMS = {
    "dock": ("docking station", "charging station", "charging spot", "charger", "charging dock",
             "charging point", "charging pad", "base station", "home base", "docking bay"),
    "kitchen": ("kitchenette", "break room", "kitchen area", "staff kitchen", "breakroom",
                "office kitchen", "tea kitchen"),
    "hallway": ("corridor", "hall", "main corridor", "main hallway", "central corridor",
                "hallway area", "central hall"),
    "office": ("operators office", "office room", "control room", "operator office",
               "operator's office", "operators' office", "main office"),
    "lab": ("laboratory", "inspection lab", "test lab", "lab room", "testing lab",
            "inspection laboratory"),
    "loading_bay": ("loading area", "delivery area", "receiving area", "shipping bay",
                    "loading zone", "delivery bay", "shipping area"),
}


def _combine(verbs: tuple[str, ...], templates: tuple[str, ...]) -> tuple[str, ...]:
    """Every template with every verb: "{verb} forward {distance}" × ("move", "drive", ...)."""
    return tuple(t.replace("{verb}", v) for v in verbs for t in templates)


GO_VERBS = (
    "go to", "head to", "head over to", "head down to", "head on over to", "drive to",
    "drive over to", "navigate to", "move to", "move over to", "proceed to", "make your way to",
    "make your way over to", "get over to", "get yourself to", "get to", "travel to",
    "roll to", "roll over to", "go over to", "return to", "go back to", "head back to",
    "come to", "come over to", "find your way to", "take yourself to", "go into", "head into",
    "drive into", "walk to", "walk over to", "pop over to", "pop into", "pop by", "swing by",
    "stop by", "drop by", "visit", "pay a visit to", "make for", "head for", "set off for",
    "scoot over to", "zip over to", "hurry to", "hurry over to", "rush to", "dash over to",
    "cruise over to", "wander over to", "relocate to", "reposition to", "go straight to",
    "drive straight to", "carry on to", "continue to", "go down to", "go up to", "move on to",
    "run to", "nip over to", "trundle over to",
    "take me to", "lead me to", "guide me to", "show me the way to", "go on over to",
    "get back to", "go and visit", "head straight for", "make a trip to",
)
NAVIGATE_EXTRA = (
    "i need you in {place}", "i need you at {place}", "meet me in {place}", "meet me at {place}",
    "you're needed in {place}", "your next stop is {place}", "next stop: {place}",
    "destination: {place}", "{place}", "to {place}", "go {place}", "goto {place}",
    "{place}, go", "{place} please", "off to {place}", "be at {place}", "get yourself over to {place}",
    "i want you in {place}", "please be in {place}", "report to {place}",
)
FORWARD_VERBS = ("move", "go", "drive", "roll", "travel", "head", "creep", "inch", "edge",
                 "scoot", "nudge", "step", "shuffle", "proceed", "slide", "glide", "trundle",
                 "crawl", "ease", "come", "walk")
BACKWARD_VERBS = ("move", "go", "drive", "roll", "travel", "head", "creep", "inch", "edge",
                  "scoot", "nudge", "step", "shuffle", "slide", "ease", "come", "walk", "pull")
FORWARD_WORDS = ("forward", "forwards", "ahead", "straight", "straight ahead", "straight forward")
BACKWARD_WORDS = ("back", "backward", "backwards", "in reverse")
MOVE_TEMPLATES = ("{verb} {dir} {distance}", "{verb} {distance} {dir}", "{verb} {dir} by {distance}",
                  "{verb} {dir} for {distance}", "{verb} {dir} about {distance}")
TURN_VERBS = ("turn", "rotate", "spin", "pivot", "swivel", "twist", "veer", "yaw", "swing",
              "turn yourself", "rotate yourself", "spin yourself", "swing around",
              "rotate in place", "turn on the spot", "spin in place")
LEFT_WORDS = ("left", "left", "to the left", "to your left", "counterclockwise",
              "counter-clockwise", "counter clockwise", "anticlockwise", "anti-clockwise", "ccw")
RIGHT_WORDS = ("right", "right", "to the right", "to your right", "clockwise", "cw")
ROTATE_TEMPLATES = ("{verb} {dir} {angle}", "{verb} {angle} {dir}", "{verb} {dir} by {angle}",
                    "{verb} {dir} through {angle}")

FRAMES = {
    "navigate_to": _combine(GO_VERBS, ("{verb} {place}",)) + NAVIGATE_EXTRA,
    "move_forward": _combine(FORWARD_VERBS, MOVE_TEMPLATES) + (
        "advance {distance}", "advance by {distance}",
        "go {distance} further", "move up {distance}", "pull forward {distance}",
        "pull ahead {distance}", "get {distance} closer", "close in {distance}"),
    "move_backward": _combine(BACKWARD_VERBS, MOVE_TEMPLATES) + (
        "back up {distance}", "back up by {distance}", "reverse {distance}", "reverse by {distance}",
        "back off {distance}", "back away {distance}", "retreat {distance}", "retreat by {distance}",
        "pull back {distance}", "back out {distance}", "reverse for {distance}",
        "back yourself up {distance}", "go in reverse for {distance}", "back up about {distance}",
        "pull back by {distance}", "drop back {distance}", "fall back {distance}"),
    "move_unsigned": ("move {distance}", "drive {distance}", "go {distance}", "travel {distance}",
                      "roll {distance}", "move by {distance}", "drive for {distance}",
                      "go for {distance}"),
    "rotate": _combine(TURN_VERBS, ROTATE_TEMPLATES),
    "rotate_unsigned": ("turn {angle}", "rotate {angle}", "spin {angle}", "rotate by {angle}",
                        "turn by {angle}", "turn through {angle}", "rotate through {angle}",
                        "spin by {angle}", "pivot {angle}", "do {angle}", "make {angle}",
                        "rotate yourself {angle}", "turn in place {angle}"),
    "stop": (
        "stop", "halt", "stop moving", "stop right there", "freeze", "hold still",
        "stay where you are", "stop the robot", "stop all motion", "come to a stop",
        "stop driving", "do not move", "hold it right there", "cease moving",
        "halt right there", "freeze right there", "stop where you are", "halt all motion",
        "stand still", "stop right now", "stop immediately", "hold it", "stay still",
        "don't move", "dont move", "cease all movement", "emergency stop", "stop everything",
        "stop what you're doing", "abort", "whoa", "whoa there",
        "brake", "hit the brakes", "stop stop stop", "enough stop", "quit moving",
        "hold up", "stop now", "halt now", "freeze now", "stop in your tracks", "all stop",
        "full stop", "stop the motors", "stop your motion", "cease motion", "pull up",
        "stay right there", "halt immediately", "e-stop", "stop stop",
        "stop at once", "stop that",
    ),
    "dock": (
        "dock", "go dock", "dock yourself", "go and dock", "return to your charger",
        "go recharge", "go charge your battery", "recharge your battery", "go back and dock",
        "park on your charger", "plug yourself in", "head back and dock", "go charge",
        "return to base and dock", "go back to your charger", "dock and charge",
        "go charge yourself", "head back and charge", "charge yourself", "go dock yourself",
        "head back to your charger", "return and charge", "dock now", "return to base",
        "go home", "head home", "go back to base", "go back home", "time to charge",
        "time to dock", "charge up", "top up your battery", "recharge", "go top up your battery",
        "park at your dock", "park on the charger", "get on your charger", "go get charged",
        "head to your dock", "return to your dock", "go park on the dock", "dock please",
        "get some charge", "go and charge up", "recharge yourself", "go plug in",
        "go to sleep on your charger", "call it a day and dock", "back to the dock with you",
        "charge your batteries", "go refuel", "go juice up", "park yourself on the charger",
    ),
    "capture_image": (
        "take a picture", "take a photo", "snap a picture", "capture an image", "grab a photo",
        "take a snapshot", "photograph what you see", "get a photo", "shoot a picture",
        "capture a photo", "take an image", "snap a photo", "take a camera picture",
        "capture a picture of what is in front of you", "take a quick picture", "snap a quick photo",
        "take one photo", "grab an image", "capture a snapshot", "take a camera photo",
        "take a pic", "grab a pic", "take a shot", "snap a shot", "grab a shot",
        "capture a frame", "grab a frame", "get a picture",
        "get a shot of this", "take a picture of this", "picture please",
        "take a picture of the area", "take a photo of the room", "snap a photo of what you see",
        "take a picture with your camera", "use your camera to take a photo", "photograph this",
        "photograph the area", "capture what you see", "take a pic of that",
        "take a picture of what is ahead", "get an image", "snap an image",
        "record an image", "shoot a photo", "take a quick snapshot", "click a picture",
        "get me a photo", "get me a picture of what you see", "show me what you see",
        "let me see what you see", "camera: take a picture",
    ),
    "inspect": (
        "look at the {target} and tell me {question}", "inspect the {target}: {question}",
        "check the {target}, {question}", "take a look at the {target}. {question}",
        "examine the {target} - {question}", "about the {target}: {question}",
        "inspect the {target} and answer {question}", "look at the {target}: {question}",
        "have a look at the {target}, {question}", "check out the {target}: {question}",
        "look at the {target}. {question}", "examine the {target}: {question}",
        "check the {target} and tell me {question}", "inspect the {target}, {question}",
        "have a look at the {target} and tell me {question}", "eyeball the {target}: {question}",
        "look over the {target}: {question}", "take a look at the {target}: {question}",
        "check on the {target}: {question}", "study the {target}, {question}",
    ),
    "inspect_state": (
        "check whether the {target} is {state}", "find out if the {target} is {state}",
        "see if the {target} is {state}", "check if the {target} is {state}",
        "look whether the {target} is {state}", "verify that the {target} is {state}",
        "inspect whether the {target} is {state}", "is the {target} {state}?",
        "check that the {target} is {state}", "find out whether the {target} is {state}",
        "look and see if the {target} is {state}", "can you see if the {target} is {state}",
        "confirm the {target} is {state}", "make sure the {target} is {state}",
        "tell me if the {target} is {state}", "check the {target} is {state}",
    ),
    "speak": (
        "say {text}", "announce {text}", "say out loud {text}", "tell everyone {text}",
        "speak the words {text}", "use your speaker to say {text}", "announce out loud {text}",
        "say this: {text}", "shout {text}", "please say {text}", "broadcast {text}",
        "say the words {text}", "announce that {text}", "announce this: {text}",
        "announce to everyone {text}", "say aloud {text}", "speak out loud {text}",
        "tell the people here {text}", "say to everyone {text}", "make an announcement: {text}",
        "tell everybody {text}", "tell everybody that {text}", "let everyone know {text}",
        "let everyone know that {text}", "yell {text}", "call out {text}", "say: {text}",
        "announce: {text}", "say \"{text}\"", "announce \"{text}\"", "say '{text}'",
        "speak: {text}", "over the speaker say {text}", "inform everyone that {text}",
        "tell the room {text}", "say the following: {text}", "announce the following: {text}",
        "repeat after me: {text}", "declare {text}", "say out loud: {text}",
        "broadcast the message {text}", "make an announcement that {text}", "voice {text}",
        "tell people {text}", "shout out {text}", "holler {text}", "say aloud: {text}",
    ),
    "wait": (
        "wait {seconds}", "wait for {seconds}", "pause for {seconds}", "hold on for {seconds}",
        "stay put for {seconds}", "sit tight for {seconds}", "wait here for {seconds}",
        "pause {seconds}", "stand by for {seconds}", "hold position for {seconds}",
        "give it {seconds}", "idle for {seconds}", "hold on {seconds}", "wait around for {seconds}",
        "hang on for {seconds}", "stay here for {seconds}", "wait there for {seconds}",
        "remain here for {seconds}", "do nothing for {seconds}", "hold for {seconds}",
        "hang on {seconds}", "hang tight for {seconds}", "hang tight {seconds}",
        "stay put {seconds}", "sit tight {seconds}", "stand by {seconds}", "rest for {seconds}",
        "take a break for {seconds}", "wait about {seconds}", "pause about {seconds}",
        "stay still for {seconds}", "remain still for {seconds}", "sit still for {seconds}",
        "hold still for {seconds}", "chill for {seconds}",
        "wait for about {seconds}", "give me {seconds}", "hold your position for {seconds}",
        "stay where you are for {seconds}", "stay there for {seconds}", "linger for {seconds}",
        "pause here for {seconds}", "wait in place for {seconds}", "count {seconds}",
    ),
    "report": (
        "report {text}", "report that {text}", "send a report saying {text}",
        "write a report: {text}", "tell the operator in writing that {text}",
        "send the operator a note: {text}", "log that {text}", "file a report that {text}",
        "write to the operator that {text}", "send a written report: {text}",
        "note in your report that {text}", "put in the report that {text}",
        "report this: {text}", "send a report that {text}", "write in the report that {text}",
        "log this: {text}", "write a note that {text}", "tell the operator in a report {text}",
        "log: {text}", "report: {text}", "note that {text}", "make a note that {text}",
        "record that {text}", "write down that {text}", "add to the report that {text}",
        "add to your report: {text}", "put in your log that {text}", "log the fact that {text}",
        "write in your report: {text}", "send a report: {text}", "report back that {text}",
        "message the operator: {text}", "send the operator a message: {text}",
        "let the operator know in writing that {text}", "file a note: {text}",
        "write up that {text}", "make a written note: {text}", "report in writing: {text}",
        "log the following: {text}", "jot down that {text}", "note down: {text}",
    ),
}

# Why the robot should dock, said before a docking phrasing ("your battery is low, go charge").
DOCK_CONTEXTS = (
    "your battery is low, ", "battery is low, ", "you're running low on battery, ",
    "low battery, ", "your battery is almost empty, ", "power is low, ", "you are low on power, ",
    "you're nearly out of charge, ", "your charge is low, ", "battery's getting low, ",
    "you've been running all day, ", "we're done for today, ", "shift is over, ",
    "that's all for now, ", "nothing more to do, ", "your battery is nearly flat, ",
)

# Fixed phrasings whose angle is implied, with the angle they mean (left is positive).
ROTATE_FIXED = (
    ("turn around", 180), ("turn left", 90), ("turn right", -90), ("make a u-turn", 180),
    ("do a full circle", 360), ("spin around once", 360), ("face the other way", 180),
    ("turn to your left", 90), ("turn to your right", -90), ("rotate left", 90),
    ("rotate right", -90), ("do a full turn", 360), ("spin around", 360),
    ("turn to the left", 90), ("turn to the right", -90), ("about face", 180),
    ("about turn", 180), ("do a u-turn", 180), ("u-turn", 180), ("turn round", 180),
    ("spin round", 360), ("face the opposite way", 180), ("face the opposite direction", 180),
    ("turn the other way", 180), ("do a 180", 180), ("do a 360", 360), ("spin left", 90),
    ("spin right", -90), ("pivot left", 90), ("pivot right", -90), ("hang a left", 90),
    ("hang a right", -90), ("take a left", 90), ("take a right", -90), ("make a left turn", 90), ("make a right turn", -90),
    ("turn left once", 90), ("swivel left", 90), ("swivel right", -90), ("veer left", 90),
    ("veer right", -90), ("rotate to the left", 90), ("rotate to the right", -90),
    ("turn left 90", 90), ("turn right 90", -90), ("do a quarter turn left", 90),
    ("do a quarter turn right", -90),
)

INSPECT_TARGETS = (
    "door", "front door", "window", "shelf", "red box", "blue box", "fire extinguisher",
    "gauge", "meter", "pump", "boiler", "tank", "hatch", "fuse box", "thermostat", "socket",
    "lamp", "crate", "container", "drum", "barrel", "tap", "faucet", "vent", "filter", "motor",
    "belt", "bin", "recycling bin", "first aid kit", "toolbox", "whiteboard", "monitor",
    "keyboard", "projector", "router", "oven", "microwave", "kettle", "dishwasher",
    "table", "pallet", "machine", "pipe", "valve", "pressure gauge", "sign", "plant", "printer",
    "cable", "light", "screen", "control panel", "fridge", "sink", "floor", "wall", "ceiling",
    "trash can", "conveyor belt", "forklift", "ladder", "cabinet", "desk", "chair", "robot arm",
    "emergency exit", "coffee machine", "server rack", "water tank", "package", "gate",
)
INSPECT_QUESTIONS = (
    "is it damaged?", "is it open?", "what color is it?", "how many boxes are there?",
    "is anything missing?", "is it leaking?", "does it look clean?", "is the light on?",
    "what does the sign say?", "is anyone there?", "is it working?", "is it blocked?",
    "what is the reading?", "is it closed?", "is there any smoke?", "is it full?",
    "is it empty?", "is it in the right place?", "does anything look wrong?",
    "what is written on it?", "is it safe?", "are there any cracks?", "is the door locked?",
    "how many people are there?", "is there water on the floor?", "is it plugged in?",
    "what is on top of it?", "is it turned off?", "is it tidy?", "what do you see?",
    "what does it read?", "what is the temperature?", "is it hot?", "is it running?",
    "what number does it show?", "is the lid closed?", "is it wrapped?", "is it labelled?",
    "is it still there?", "is it overflowing?", "how full is it?", "is the seal intact?",
    "is it rusty?", "is anything on the floor near it?", "is the display on?",
    "what does the label say?", "is it switched on?", "are the lights green?",
    "is it in one piece?", "does it need cleaning?", "is it stable?", "who is next to it?",
)
INSPECT_STATES = (
    "open", "closed", "damaged", "clean", "dirty", "on", "off", "empty", "full", "locked",
    "blocked", "wet", "broken", "working", "unlocked", "tidy", "plugged in", "leaking",
    "running", "switched on", "switched off", "cracked", "rusty", "hot", "cold", "upright",
    "tipped over", "overflowing", "ajar", "shut", "lit", "dark", "labelled", "sealed", "frozen",
)

# Free text for speak and report, built as subject + predicate and a few whole sentences.
TEXT_SUBJECTS = (
    "the kitchen", "the hallway", "the office", "the lab", "the floor", "the door",
    "the meeting", "lunch", "dinner", "the coffee", "the delivery", "the package", "the printer",
    "the battery", "the shelf", "the window", "the area", "the room", "the path", "the table",
    "the visitor", "the truck", "the robot", "the alarm", "the machine", "the inspection",
    "the test", "everything", "the power", "the light",
)
TEXT_PREDICATES = (
    "is ready", "is clean", "is clear", "is blocked", "is done", "is open", "is closed",
    "is broken", "is empty", "is full", "has arrived", "starts at {time}", "ends at {time}",
    "is at {time}", "is running late", "looks fine", "needs attention", "is working again",
    "is low", "is on", "is off", "was moved", "was delivered", "is waiting outside",
    "is finished", "needs cleaning", "is wet", "is safe", "is leaking", "is not working",
)
TEXT_WHOLE = (
    "hello", "hello everyone", "hi there", "good morning", "good afternoon", "good evening",
    "welcome", "welcome to the lab", "thank you", "thanks for waiting", "excuse me",
    "excuse me, coming through", "please make way", "watch your step", "have a nice day",
    "i am on my way", "i am here", "i will be right back", "follow me", "please wait here",
    "mission complete", "all clear", "task finished", "nothing to report", "i need help",
    "please stand back", "caution, robot moving", "goodbye", "see you later", "attention please",
    "please clear the hallway", "the building closes at {time}", "i found {count} boxes",
    "there are {count} people here", "i counted {count} pallets", "it is {time} now",
    "the bus leaves in {count} minutes", "we start in {count} minutes", "{count} boxes are missing",
    "shelf {count} is empty", "the meeting moved to room {count}", "break ends in {count} minutes",
    "good night everyone", "happy birthday", "congratulations", "lunch is served",
    "the fire drill starts at {time}", "please leave the building", "the doors are closing",
    "stand clear of the door", "the floor is slippery", "mind the step", "dinner is ready",
    "your package is here", "the visitor has arrived", "the lab is closed today",
    "no smoking here", "quiet please", "hold the door", "the printer is out of paper",
    "the coffee is ready", "coming through", "sorry for the noise", "the test passed",
    "all systems normal", "the area is secure", "no problems found", "the gate is open",
    "i am charging", "i am done", "it is raining outside", "the truck is late",
)
# Words for free text that is no sentence of the pools above: random runs of them (and of the
# pools' own words, see steps.text_words) make the model copy the operator's words instead of
# recalling a sentence it was trained on.
TEXT_WORDS = (
    "alarm", "apple", "area", "arrived", "battery", "bell", "blue", "board", "boxes", "break",
    "bright", "broken", "busy", "cable", "calm", "camera", "careful", "cart", "chair", "check",
    "clean", "clear", "closed", "cold", "coffee", "corner", "crate", "customer", "danger", "dark",
    "delivery", "desk", "dinner", "dirty", "dock", "door", "down", "dry", "early", "empty",
    "engine", "entrance", "exit", "fan", "fine", "fire", "floor", "full", "gate", "glass", "good",
    "green", "guest", "hallway", "heavy", "help", "here", "hot", "inside", "kitchen", "lab",
    "ladder", "lamp", "late", "left", "light", "loud", "low", "lunch", "machine", "mail",
    "meeting", "metal", "morning", "motor", "moving", "noise", "office", "oil", "open", "orange",
    "outside", "paper", "parcel", "party", "path", "pipe", "plant", "power", "printer", "pump",
    "quiet", "rain", "red", "room", "safe", "screen", "sensor", "shelf", "shift", "signal",
    "slippery", "small", "smoke", "soon", "spare", "staff", "start", "steam", "storm", "sunny",
    "supplies", "table", "tank", "team", "today", "tomorrow", "tool", "tools", "train", "truck",
    "tuesday", "friday", "up", "valve", "visitor", "visitors", "wall", "warm", "warning", "water",
    "welcome", "wet", "white", "window", "yellow", "zone", "ready", "done", "hello",
    "coming", "through", "watch", "step", "mind", "gap", "closing", "opening", "fixed", "needed",
    "checked", "loaded", "charged", "finished", "started", "waiting", "blocked", "leaking",
    "anna", "ben", "carlos", "dana", "emma", "frank", "grace", "hugo", "ivan", "julia", "kim",
    "lena", "maria", "nina", "oscar", "paul", "rosa", "sam", "tom", "yuki", "zoe", "smith",
    "bus", "taxi", "shuttle", "coat", "jacket", "umbrella", "keys", "badge", "phone", "laptop",
    "cup", "mug", "tea", "water", "juice", "cake", "pizza", "sandwich", "breakfast", "snack",
    "north", "south", "east", "west", "upstairs", "downstairs", "outside", "behind", "under",
    "over", "near", "far", "inside", "front", "back", "side", "top", "bottom", "middle", "corner",
    "monday", "wednesday", "thursday", "saturday", "sunday", "week", "month", "year", "night",
    "evening", "afternoon", "noon", "midnight", "hour", "minute", "second", "seconds", "minutes",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty",
    "hundred", "first", "second", "third", "last", "next", "new", "old", "big", "small",
    "fast", "slow", "hot", "cold", "happy", "sad", "tired", "hungry", "thirsty", "sorry",
    "ready", "late", "early", "busy", "free", "closed", "open", "locked", "missing", "lost",
    "found", "broken", "fixed", "delivered", "shipped", "packed", "sealed", "damaged", "spilled",
    "arrived", "leaving", "coming", "going", "staying", "stopping", "running", "walking",
    "sleeping", "working", "testing", "cleaning", "cooking", "printing", "loading", "charging",
    "visitors", "guests", "students", "workers", "drivers", "engineers", "managers", "team",
    "everyone", "nobody", "somebody", "manager", "driver", "engineer", "nurse", "doctor",
    "pallet", "forklift", "conveyor", "robot", "drone", "sensor", "camera", "speaker", "alarm",
    "siren", "buzzer", "bell", "clock", "timer", "schedule", "plan", "report", "note", "message",
    "attention", "caution", "warning", "danger", "notice", "emergency", "evacuate", "drill",
    "test", "exercise", "inspection", "audit", "maintenance", "repair", "cleanup", "delivery",
    "pickup", "dropoff", "meeting", "training", "lunchtime", "teatime", "coffee", "welcome",
    "goodbye", "hello", "hi", "hey", "yes", "no", "maybe", "okay", "sure", "great", "good",
    "bad", "fine", "perfect", "terrible", "quiet", "loud", "bright", "dim", "clean", "dirty",
)
TIMES = (
    "{h} pm", "{h} am", "{h}:30", "{h}:15", "{h}:45", "{h} o'clock", "noon", "midnight",
)
