"""The words the demo corpus is made of: frames per default tool, place synonyms, free-text pools.

Data, not logic, kept apart so that adding a phrasing never touches the generator. A frame is a
command with ``{slot}`` holes that :mod:`gemma4_ros.demo.corpus` fills; frames of a tool that is
not in the registry are ignored, and a registry tool without frames here gets generic frames built
from its name. All text is lower case: the demo tokenizer lower-cases its input.
"""

from __future__ import annotations

# Politeness and urgency around a whole command; "" is the bare command.
PREFIXES = (
    "", "", "", "please ", "robot, ", "hey robot, ", "could you ", "can you ", "i want you to ",
    "now ", "ok, ", "okay robot, ", "would you ", "i need you to ", "go ahead and ", "quickly, ",
)
SUFFIXES = (
    "", "", "", " please", " now", " right now", " thanks", " thank you", " when you can",
    " immediately", " asap", " for me",
)

# Joining the steps of a multi-step command; "{a}" and "{b}" are whole step phrasings.
JOIN_TWO = (
    "{a} and {b}", "{a} and then {b}", "{a}, then {b}", "{a} then {b}", "{a}. then {b}",
    "{a}, after that {b}", "first {a}, then {b}", "{a}; then {b}", "{a} and afterwards {b}",
    "{a}, and then {b}",
)
JOIN_THREE = (
    "{a}, {b} and {c}", "{a}, then {b}, then {c}", "first {a}, then {b} and finally {c}",
    "{a} and {b}, then {c}", "{a}, {b}, and then {c}", "{a}, then {b} and then {c}",
    "{a}. then {b}. after that {c}",
)

# Extra names an operator may use for the default places (the name itself, with spaces for
# underscores, is always one). A synonym must never name two places.
PLACE_SYNONYMS = {
    "dock": ("docking station", "charging station", "charging spot"),
    "kitchen": ("kitchenette", "break room", "kitchen area"),
    "hallway": ("corridor", "hall", "main corridor", "main hallway"),
    "office": ("operators office", "office room", "control room", "operator office"),
    "lab": ("laboratory", "inspection lab", "test lab", "lab room"),
    "loading_bay": ("loading area", "delivery area", "receiving area", "shipping bay"),
}

FRAMES = {
    "navigate_to": (
        "go to {place}", "head to {place}", "drive to {place}", "navigate to {place}",
        "move to {place}", "proceed to {place}", "make your way to {place}", "get over to {place}",
        "travel to {place}", "roll over to {place}", "go over to {place}", "head over to {place}",
        "drive over to {place}", "return to {place}", "go back to {place}", "come to {place}",
        "meet me in {place}", "i need you in {place}", "find your way to {place}",
        "take yourself to {place}", "go into {place}", "head into {place}",
        "walk over to {place}", "get yourself to {place}", "drive into {place}",
        "move over to {place}", "head back to {place}", "go straight to {place}",
    ),
    "move_forward": (
        "move forward {distance}", "drive forward {distance}", "go forward {distance}",
        "go straight {distance}", "move ahead {distance}", "roll forward {distance}",
        "drive {distance} forward", "advance {distance}", "move {distance} ahead",
        "go ahead {distance}", "drive straight ahead {distance}", "move {distance} forward",
        "creep forward {distance}", "step forward {distance}",
        "go forward by {distance}", "move forward by {distance}", "drive ahead {distance}",
        "roll ahead {distance}", "move straight ahead {distance}", "inch forward {distance}",
    ),
    "move_backward": (
        "move back {distance}", "back up {distance}", "reverse {distance}",
        "drive backwards {distance}", "go backwards {distance}", "move {distance} backwards",
        "back off {distance}", "drive back {distance}", "move backward {distance}",
        "reverse by {distance}", "roll back {distance}", "step back {distance}",
        "back up by {distance}", "go back {distance}", "move backwards {distance}",
        "roll backwards {distance}", "drive backward {distance}", "step backwards {distance}",
    ),
    "rotate_left": (
        "turn left {angle}", "rotate left {angle}", "turn {angle} to the left",
        "spin left {angle}", "rotate {angle} counterclockwise", "turn {angle} counterclockwise",
        "rotate left by {angle}", "turn left by {angle}", "rotate {angle} to the left",
        "spin {angle} to the left",
        "spin left by {angle}", "turn to the left by {angle}", "rotate to the left {angle}",
        "turn counterclockwise by {angle}", "rotate counterclockwise by {angle}",
    ),
    "rotate_right": (
        "turn right {angle}", "rotate right {angle}", "turn {angle} to the right",
        "spin right {angle}", "rotate {angle} clockwise", "turn {angle} clockwise",
        "rotate right by {angle}", "turn right by {angle}", "rotate {angle} to the right",
        "spin {angle} to the right",
        "spin right by {angle}", "turn to the right by {angle}", "rotate to the right {angle}",
        "turn clockwise by {angle}", "rotate clockwise by {angle}",
    ),
    "stop": (
        "stop", "halt", "stop moving", "stop right there", "freeze", "hold still",
        "stay where you are", "stop the robot", "stop all motion", "come to a stop",
        "stop driving", "do not move", "hold it right there", "cease moving",
        "halt right there", "freeze right there", "stop where you are", "halt all motion",
        "stand still",
    ),
    "dock": (
        "dock", "go dock", "dock yourself", "go and dock", "return to your charger",
        "go recharge", "go charge your battery", "recharge your battery", "go back and dock",
        "park on your charger", "plug yourself in", "head back and dock", "go charge",
        "return to base and dock", "go back to your charger", "dock and charge",
        "go charge yourself", "head back and charge", "charge yourself", "go dock yourself",
        "head back to your charger", "return and charge",
    ),
    "capture_image": (
        "take a picture", "take a photo", "snap a picture", "capture an image", "grab a photo",
        "take a snapshot", "photograph what you see", "get a photo", "shoot a picture",
        "capture a photo", "take an image", "snap a photo", "take a camera picture",
        "capture a picture of what is in front of you",
        "take a quick picture", "snap a quick photo", "take one photo", "grab an image",
        "capture a snapshot", "take a camera photo",
    ),
    "inspect": (
        "look at the {target} and tell me {question}", "inspect the {target}: {question}",
        "check the {target}, {question}", "take a look at the {target}. {question}",
        "examine the {target} - {question}", "about the {target}: {question}",
        "inspect the {target} and answer {question}", "look at the {target}: {question}",
        "have a look at the {target}, {question}", "check out the {target}: {question}",
    ),
    "inspect_state": (
        "check whether the {target} is {state}", "find out if the {target} is {state}",
        "see if the {target} is {state}", "check if the {target} is {state}",
        "look whether the {target} is {state}", "verify that the {target} is {state}",
        "inspect whether the {target} is {state}",
    ),
    "speak": (
        "say {text}", "announce {text}", "say out loud {text}", "tell everyone {text}",
        "speak the words {text}", "use your speaker to say {text}", "announce out loud {text}",
        "say this: {text}", "shout {text}", "please say {text}", "broadcast {text}",
        "say the words {text}",
        "announce that {text}", "announce this: {text}", "announce to everyone {text}",
        "say aloud {text}", "speak out loud {text}", "tell the people here {text}",
        "say to everyone {text}", "make an announcement: {text}",
    ),
    "wait": (
        "wait {seconds}", "wait for {seconds}", "pause for {seconds}", "hold on for {seconds}",
        "stay put for {seconds}", "sit tight for {seconds}", "wait here for {seconds}",
        "pause {seconds}", "stand by for {seconds}", "hold position for {seconds}",
        "give it {seconds}", "idle for {seconds}",
        "hold on {seconds}", "wait around for {seconds}", "hang on for {seconds}",
        "stay here for {seconds}", "wait there for {seconds}", "remain here for {seconds}",
        "do nothing for {seconds}", "hold for {seconds}",
    ),
    "report": (
        "report {text}", "report that {text}", "send a report saying {text}",
        "write a report: {text}", "tell the operator in writing that {text}",
        "send the operator a note: {text}", "log that {text}", "file a report that {text}",
        "write to the operator that {text}", "send a written report: {text}",
        "note in your report that {text}", "put in the report that {text}",
        "report this: {text}", "send a report that {text}", "write in the report that {text}",
        "log this: {text}", "write a note that {text}", "tell the operator in a report {text}",
    ),
}

# Fixed phrasings whose angle is implied, with the angle they mean (left is positive).
ROTATE_FIXED = (
    ("turn around", 180), ("turn left", 90), ("turn right", -90), ("make a u-turn", 180),
    ("do a full circle", 360), ("spin around once", 360), ("face the other way", 180),
    ("turn to your left", 90), ("turn to your right", -90), ("rotate left", 90),
    ("rotate right", -90), ("do a full turn", 360), ("spin around", 360),
)

# Speeds a word stands for, in metres per second (within the default schema's (0, 1]).
SPEED_WORDS = (("slowly", 0.2), ("carefully", 0.2), ("quickly", 0.8), ("fast", 0.8))

NUMBER_WORDS = {
    1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
    9: "nine", 10: "ten", 12: "twelve", 15: "fifteen", 20: "twenty", 30: "thirty",
    40: "forty", 45: "forty five", 60: "sixty", 90: "ninety", 120: "one hundred twenty",
    180: "one hundred eighty", 270: "two hundred seventy", 360: "three hundred sixty",
}
HALF_WORDS = {0.5: "half a", 1.5: "one and a half", 2.5: "two and a half"}

INSPECT_TARGETS = (
    "door", "front door", "window", "shelf", "red box", "blue box", "fire extinguisher",
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
)
INSPECT_STATES = (
    "open", "closed", "damaged", "clean", "dirty", "on", "off", "empty", "full", "locked",
    "blocked", "wet", "broken", "working", "unlocked", "tidy", "plugged in", "leaking",
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
)
TIMES = (
    "{h} pm", "{h} am", "{h}:30", "{h}:15", "{h}:45", "{h} o'clock", "noon", "midnight",
)

# Refusals: action verbs that no default tool performs, with objects they make sense with.
REFUSAL_ACTIONS = {
    "open": ("door", "window", "drawer", "gate", "cabinet", "fridge", "box", "bottle"),
    "close": ("door", "window", "drawer", "gate", "cabinet", "fridge", "curtains", "box"),
    "pick up": ("box", "cup", "package", "bottle", "bag", "pen", "keys", "trash"),
    "grab": ("box", "cup", "package", "bottle", "bag", "chair", "keys", "phone"),
    "lift": ("box", "pallet", "chair", "table", "package", "crate", "bag"),
    "carry": ("box", "package", "crate", "bag", "tray", "chair", "cup"),
    "bring me": ("coffee", "a cup", "the box", "my keys", "a pen", "the package", "my phone", "water"),
    "clean": ("floor", "table", "window", "kitchen", "desk", "dishes", "carpet", "sink"),
    "wash": ("dishes", "floor", "window", "car", "cup", "table", "laundry"),
    "mop": ("floor", "kitchen", "hallway", "bathroom", "lab"),
    "vacuum": ("carpet", "floor", "office", "hallway", "stairs"),
    "sweep": ("floor", "hallway", "kitchen", "yard", "stairs"),
    "cook": ("dinner", "lunch", "breakfast", "pasta", "eggs", "rice"),
    "make": ("coffee", "tea", "a sandwich", "breakfast", "dinner", "the bed", "a cake"),
    "water": ("plants", "flowers", "garden", "lawn", "tree"),
    "feed": ("cat", "dog", "fish", "birds", "plants"),
    "turn on": ("lights", "tv", "radio", "heater", "fan", "oven", "computer"),
    "switch off": ("lights", "tv", "radio", "heater", "fan", "oven", "computer"),
    "call": ("my boss", "the manager", "my mom", "an ambulance", "a taxi", "the police"),
    "email": ("my boss", "the manager", "the team", "the client", "support"),
    "play": ("music", "a song", "chess", "a video", "the radio", "a game"),
    "fix": ("printer", "chair", "door", "leak", "light", "computer", "window"),
    "repair": ("printer", "machine", "pipe", "valve", "cable", "wall"),
    "buy": ("milk", "coffee", "bread", "groceries", "a ticket", "flowers"),
    "order": ("pizza", "lunch", "coffee", "supplies", "a taxi", "parts"),
    "paint": ("wall", "door", "fence", "room", "table"),
    "unlock": ("door", "gate", "cabinet", "safe", "computer"),
    "lock": ("door", "gate", "cabinet", "window", "safe"),
    "push": ("cart", "box", "chair", "door", "trolley", "pallet"),
    "fold": ("laundry", "clothes", "towels", "boxes", "paper"),
    "throw away": ("trash", "box", "paper", "cups", "bottles"),
    "print": ("the report", "a map", "the schedule", "a photo", "the document"),
    "climb": ("stairs", "ladder", "wall", "shelf"),
    "charge": ("my phone", "my laptop", "the drill", "the car"),
    "install": ("the update", "a new shelf", "the camera", "the printer"),
}
REFUSAL_OBJECT_ARTICLE = "the "  # objects without a leading word ("a cup", "my boss") get it

# Places that are not declared: sending the robot there is refused, not guessed.
UNKNOWN_PLACES = (
    "garage", "roof", "basement", "bathroom", "parking lot", "garden", "lobby", "attic",
    "elevator", "bedroom", "warehouse", "reception", "server room", "supermarket", "moon",
    "living room", "storage room", "cafeteria", "stairwell", "conference room", "workshop",
    "basement door", "front yard", "back yard", "main entrance", "street", "library", "gym",
)

# The plain-text answer to anything no tool can do; a refusal makes no call at all.
REFUSAL_TEXT = "sorry, i cannot do that with my tools."
