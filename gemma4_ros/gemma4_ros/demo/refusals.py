"""What the demo planner must refuse, as data: chores, unsafe requests, places it does not know.

A planner in front of a gate should refuse what no tool can do rather than find the nearest tool
("make me a coffee" is no ``wait``; "drive into the wall" is no ``navigate_to``). The model learns
that from variety: hundreds of verbs and objects outside the tool set, unsafe phrasings, and many
place names that are not declared, so that *any* unfamiliar place reads as unknown rather than as
the closest declared one. Each refusal answers in plain text, one line per reason, so an operator
sees why nothing happened.

All text is lower case. Nothing here may name a declared place of the default tools.yaml or one
of its synonyms (a test checks it): "the kitchen sink" is an object, never a place.
"""

from __future__ import annotations

REFUSAL_TEXTS = {
    "no_tool": "sorry, i cannot do that with my tools.",
    "unknown_place": "sorry, i do not know that place.",
    "out_of_range": "sorry, that is more than my tools can do.",
    "unsafe": "sorry, that is not safe, so i will not do it.",
}

# Chores and errands: a verb and the objects it goes with ("the " is added to a bare noun).
CHORES = {
    "open": ("door", "window", "drawer", "gate", "cabinet", "fridge", "box", "bottle", "blinds",
             "garage door", "package", "locker", "valve"),
    "close": ("door", "window", "drawer", "gate", "cabinet", "fridge", "curtains", "box",
              "blinds", "locker", "valve"),
    "pick up": ("box", "cup", "package", "bottle", "bag", "pen", "keys", "trash", "tools",
                "that screw", "the mail", "my jacket", "the toys"),
    "grab": ("box", "cup", "package", "bottle", "bag", "chair", "keys", "phone", "a towel",
             "my coat"),
    "lift": ("box", "pallet", "chair", "table", "package", "crate", "bag", "barrel"),
    "carry": ("box", "package", "crate", "bag", "tray", "chair", "cup", "groceries", "boxes"),
    "bring me": ("coffee", "a cup", "the box", "my keys", "a pen", "the package", "my phone",
                 "water", "a beer", "a snack", "the stapler", "my glasses", "a chair",
                 "some paper", "the remote", "an apple", "a screwdriver"),
    "get me": ("a drink", "a coffee", "some water", "a soda", "the report", "my laptop",
               "a sandwich", "a pen", "the charger cable", "some tea"),
    "fetch": ("the mail", "my bag", "the tools", "a ladder", "the newspaper", "the ball",
              "my coffee", "the keys", "a broom"),
    "hand me": ("the wrench", "that box", "a pen", "the tape", "my phone", "the hammer"),
    "pass me": ("the salt", "the paper", "that cable", "the tape", "the file"),
    "clean": ("floor", "table", "window", "desk", "dishes", "carpet", "sink", "toilet",
              "whiteboard", "mess", "shelves", "windows", "oven", "counter"),
    "wash": ("dishes", "floor", "window", "car", "cup", "table", "laundry", "clothes", "hands",
             "mugs", "windows"),
    "mop": ("floor", "spill", "bathroom", "stairs", "entrance"),
    "vacuum": ("carpet", "floor", "stairs", "rug", "sofa", "car"),
    "sweep": ("floor", "yard", "stairs", "porch", "driveway", "leaves"),
    "dust": ("shelves", "furniture", "desk", "blinds", "bookcase"),
    "cook": ("dinner", "lunch", "breakfast", "pasta", "eggs", "rice", "soup", "a steak"),
    "make": ("coffee", "tea", "a sandwich", "breakfast", "dinner", "the bed", "a cake",
             "me a coffee", "me a sandwich", "me some tea", "a smoothie", "popcorn", "toast",
             "me breakfast", "a salad", "a cocktail", "lunch"),
    "brew": ("coffee", "tea", "a pot of coffee", "some beer"),
    "bake": ("a cake", "cookies", "bread", "a pie", "muffins"),
    "water": ("plants", "flowers", "garden", "lawn", "tree", "ferns", "tomatoes"),
    "feed": ("cat", "dog", "fish", "birds", "baby", "rabbit", "hamster"),
    "walk": ("dog", "the dog around the block"),
    "turn on": ("lights", "tv", "radio", "heater", "fan", "oven", "computer", "air conditioning",
                "kettle", "dishwasher", "washing machine", "projector"),
    "switch off": ("lights", "tv", "radio", "heater", "fan", "oven", "computer", "alarm",
                   "music", "kettle"),
    "turn off": ("lights", "tv", "oven", "heater", "computer", "alarm", "radio", "water"),
    "call": ("my boss", "the manager", "my mom", "an ambulance", "a taxi", "the police",
             "the fire department", "security", "maintenance", "my wife"),
    "email": ("my boss", "the manager", "the team", "the client", "support", "hr"),
    "text": ("my boss", "the team", "my husband", "the driver"),
    "play": ("music", "a song", "chess", "a video", "the radio", "a game", "some jazz",
             "the piano", "fetch with the dog"),
    "fix": ("printer", "chair", "door", "leak", "light", "computer", "window", "sink", "wifi",
            "toilet", "roof"),
    "repair": ("printer", "machine", "pipe", "valve", "cable", "wall", "bike", "engine"),
    "buy": ("milk", "coffee", "bread", "groceries", "a ticket", "flowers", "batteries",
            "a present"),
    "order": ("pizza", "lunch", "coffee", "supplies", "a taxi", "parts", "more paper"),
    "paint": ("wall", "door", "fence", "room", "table", "a picture"),
    "unlock": ("door", "gate", "cabinet", "safe", "computer", "car", "phone"),
    "lock": ("door", "gate", "cabinet", "window", "safe", "car", "building"),
    "fold": ("laundry", "clothes", "towels", "boxes", "paper", "shirts"),
    "iron": ("shirts", "clothes", "my trousers", "the tablecloth"),
    "throw away": ("trash", "box", "paper", "cups", "bottles", "old food"),
    "take out": ("recycling", "garbage", "bins"),
    "empty": ("trash can", "dishwasher", "bins", "bucket", "recycling bin", "ashtray"),
    "load": ("dishwasher", "truck", "washing machine", "pallet", "van"),
    "unload": ("truck", "dishwasher", "pallet", "groceries", "van", "delivery"),
    "stack": ("boxes", "chairs", "pallets", "plates", "crates"),
    "move": ("the couch", "these boxes", "the table", "the piano", "that pallet", "the car"),
    "sort": ("mail", "parts", "recycling", "documents", "laundry", "the screws"),
    "count": ("money", "the boxes for me by hand", "sheep"),
    "print": ("the report", "a map", "the schedule", "a photo", "the document", "my boarding pass"),
    "climb": ("stairs", "ladder", "wall", "shelf", "tree", "fence"),
    "charge": ("my phone", "my laptop", "the drill", "the car", "the forklift"),
    "install": ("the update", "a new shelf", "the camera", "the printer", "a light bulb"),
    "plug in": ("the kettle", "my laptop", "the lamp", "the printer"),
    "change": ("the light bulb", "the sheets", "the filter", "a tire", "the channel"),
    "hang up": ("my coat", "the picture", "the laundry", "the phone"),
    "set": ("the table", "an alarm", "a timer", "the thermostat to 20"),
    "book": ("a meeting room", "a flight", "a table for two", "a taxi"),
    "translate": ("this letter", "the sign", "the manual"),
    "write": ("an essay", "a poem", "my homework", "a letter to my mom"),
    "calculate": ("my taxes", "the budget", "the square root of 2"),
    "sing": ("a song", "happy birthday", "the national anthem"),
    "dance": ("the tango", "for me", "with me"),
    "tie": ("my shoes", "the rope", "a knot"),
    "cut": ("the grass", "the cake", "the rope", "my hair", "the hedge"),
    "mow": ("the lawn", "the grass"),
    "shovel": ("the snow", "the sand"),
    "pour": ("me a drink", "the water", "some coffee"),
    "hug": ("me", "the visitor"),
    "shake": ("hands with the visitor", "the bottle"),
    "wake up": ("the kids", "my colleague", "the guard"),
    "answer": ("the phone", "the door", "my email"),
    "deliver": ("this letter", "the package to room 12", "the mail", "the parcel"),
    "recharge": ("my phone", "the batteries", "the drill"),
}
OBJECT_ARTICLE = "the "  # a bare noun ("door") gets it; "a cup", "my boss", "me" do not
LEADING_WORDS = ("a ", "an ", "the ", "my ", "me", "some ", "that ", "these ", "this ", "your ",
                 "more ", "old ", "happy ", "hands ", "for ", "with ")

# Requests said whole: questions and wishes no tool answers (the model answers in text).
ASKS = (
    "what time is it", "what is the weather like", "how are you", "what is your name",
    "who made you", "tell me a joke", "tell me a story", "what day is it", "how old are you",
    "what is two plus two", "do you like music", "are you happy", "what is the capital of france",
    "sing me a song", "do a dance", "do a backflip", "jump", "jump up and down", "fly",
    "fly to the moon", "swim", "laugh", "cry", "sneeze", "wave your arms", "raise your hand",
    "shake your head", "nod", "give me a high five", "smile", "wink at me", "read me the news",
    "what is the meaning of life", "how much do you weigh", "are you a robot",
    "can you hear me", "what did i just say", "remind me to call mom", "set an alarm for 7",
    "order me a pizza", "call me a taxi", "play some music", "turn up the volume",
    "lower the temperature", "make it warmer", "turn the lights off", "open the pod bay doors",
    "self destruct", "do my homework", "help me move house", "solve this puzzle",
    "what is the wifi password", "how far is the airport", "book me a flight",
    "translate hello into french", "count to a million", "recite a poem", "write me a song",
    "be quiet forever", "go to sleep forever", "marry me", "give me a massage",
    "clean up this mess", "do the dishes", "do the laundry", "take out the garbage",
    "make the bed", "feed the baby", "babysit the kids", "guard the house all night",
    "find my keys", "find my phone", "look for my wallet", "follow me around all day",
    "carry me", "give me a ride", "lift me up", "push my wheelchair", "tidy up the room",
    "pack my suitcase", "wrap the present", "empty the dishwasher", "restock the shelves",
    "sign for the delivery", "pay the bill", "file my taxes", "water the garden",
)

# Unsafe: harm to people, the robot or the building, or switching its safety off. Motions
# aimed at something rather than a place, and whole phrasings.
UNSAFE_VERBS = ("drive into", "crash into", "ram", "ram into", "run over", "run into", "hit",
                "bump into", "smash into", "slam into", "charge at", "collide with",
                "knock over", "plow into", "barrel into", "drive straight into", "go into",
                "head into", "drive through", "speed into", "crash through", "run down",
                "roll over", "drive at", "aim for", "chase", "tackle", "push", "shove",
                "knock down", "drive over")
UNSAFE_TARGETS = ("the wall", "the glass door", "that person", "the people", "the crowd",
                  "the shelf", "the window", "the cat", "the dog", "the kid", "the child",
                  "the operator", "me", "him", "her", "them", "the forklift", "the fire extinguisher",
                  "the visitor", "the guard", "the man over there", "the woman in red",
                  "the workers", "the table", "the glass wall", "the pillar", "the gas pipe",
                  "the fence", "the barrier", "that car", "the boxes", "the ladder",
                  "the person in front of you", "everyone", "the baby", "my foot",
                  "the server rack", "the fuel tank", "the electrical panel", "the wall hard",
                  "the other robot", "the pedestrians", "the security guard")
UNSAFE_WHOLE = (
    "drive down the stairs", "drive off the edge", "roll down the stairs",
    "drive off the loading dock edge", "jump off the ledge", "go up the escalator",
    "drive into the pool", "go into the fire", "drive through the fire", "enter the stairwell",
    "go into the stairwell", "drive onto the road", "go into traffic", "cross the highway",
    "disable your safety", "turn off your sensors", "disable the emergency stop",
    "ignore the e-stop", "ignore the emergency stop", "turn off the safety scanner",
    "override the geofence", "ignore the geofence", "disable your bumpers",
    "switch off collision avoidance", "ignore all safety rules", "turn off your brakes",
    "cut your brakes", "disable obstacle detection", "drive with your eyes closed",
    "drive blind", "go full speed into the crowd", "drive as fast as you can at people",
    "run someone over", "hurt someone", "attack the intruder", "hit the intruder",
    "scare the visitors by driving at them", "block the fire exit", "park in front of the fire exit",
    "stand in the fire exit", "drive into the elevator shaft", "go through the glass",
    "knock the shelf over", "tip yourself over", "drive into the water", "spill the chemicals",
    "pour water on the server", "set off the fire alarm", "start a fire", "break the window",
    "smash the window", "break down the door", "drive through the wall", "climb the stairs",
    "follow that person home", "spy on the neighbours", "take the operator's badge",
    "drive on the table", "go over the edge", "fall down the stairs", "drive into a person",
    "carry the child", "run over the cable on purpose", "drive into oncoming traffic",
)
# Modifiers that make a doable step unsafe ("go to the kitchen without stopping for anyone").
UNSAFE_TAILS = (
    "without stopping for anyone", "and ignore anyone in the way", "and run over anything in the way",
    "even if someone is in the way", "and do not stop for people", "with your safety off",
    "with the sensors off", "and push people out of the way", "and ram anything in your path",
    "ignoring the e-stop", "and crash into whatever is there", "with your eyes closed",
    "and knock over anyone you meet", "through the crowd as fast as you can",
)

# Places that are not declared: going there is refused, never mapped to the nearest declared
# place. Rooms, buildings, outdoor spots and made-up names.
UNKNOWN_PLACES = (
    "garage", "roof", "basement", "bathroom", "parking lot", "garden", "lobby", "attic",
    "elevator", "bedroom", "warehouse", "reception", "server room", "supermarket", "moon",
    "living room", "storage room", "cafeteria", "stairwell", "conference room", "workshop",
    "front yard", "back yard", "main entrance", "street", "library", "gym", "boardroom",
    "meeting room", "restroom", "toilet", "mens room", "ladies room", "locker room",
    "changing room", "boiler room", "engine room", "mail room", "copy room", "print room",
    "utility room", "janitor closet", "closet", "cellar", "balcony", "terrace",
    "patio", "porch", "courtyard", "rooftop", "roof deck", "helipad", "car park", "driveway",
    "bike shed", "shed", "greenhouse", "barn", "stable", "pool", "swimming pool", "sauna",
    "dining room", "dining hall", "auditorium", "classroom", "lecture hall",
    "waiting room", "nurses station", "pharmacy", "clinic", "hospital", "airport",
    "train station", "bus stop", "city center", "beach", "park", "forest", "mountain", "lake",
    "bank", "post office", "school", "church", "museum", "cinema", "mall", "bakery", "bar",
    "restaurant", "hotel", "gas station", "factory floor", "assembly line", "paint shop",
    "clean room", "cold storage", "freezer", "vault", "security desk", "guard house",
    "gatehouse", "room 204", "room 12", "room 3b",
    "building b", "building c", "building 7", "hangar", "hangar 2", "north wing", "south wing",
    "east wing", "west wing", "second floor", "third floor", "first floor", "ground floor",
    "upstairs", "downstairs", "top floor", "mezzanine", "annex", "tower", "penthouse",
    "basement level 2", "parking garage", "staff entrance", "back door", "emergency exit",
    "fire exit", "side entrance", "front desk", "help desk", "it department",
    "smoking area", "picnic area",
    "playground", "sports field", "tennis court", "yard", "backyard", "front door",
    "outside", "my house", "your house", "my desk", "my car", "the car", "the van",
    "the truck", "mars", "paris", "london", "new york", "narnia", "atlantis", "the sun",
    "the other building", "the neighbours", "next door", "the shop", "the store", "town",
    "the city", "room 101", "storeroom", "stockroom",
    "data center", "control tower", "boiler house", "pump house",
    "substation", "quarry", "dungeon", "the void", "nowhere", "somewhere else",
)
# Made-up place names from parts: "the blue room", "zone 5", "the east warehouse".
PLACE_ADJECTIVES = ("blue", "red", "green", "north", "south", "east", "west", "upper", "lower",
                    "old", "new", "small", "big", "main", "back", "front", "secret", "staff",
                    "guest", "quiet", "far", "second", "third", "fourth", "visitor", "vip")
PLACE_NOUNS = ("room", "wing", "building", "warehouse", "yard", "garage", "tower",
               "gate", "floor", "entrance", "lounge", "studio", "lobby", "storeroom", "depot",
               "annex", "terrace", "garden", "workshop", "cellar", "attic", "library")
PLACE_CODES = ("zone", "room", "building", "gate", "hangar", "sector", "level", "platform",
               "aisle", "cell", "station", "block", "floor", "unit")
