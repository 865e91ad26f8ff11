"""A synthetic propaganda corpus (pure, no Django) for the recommenders' tests, the benchmark and
demos: techniques signalled by lexical cues and context, with made-up words in their slots, so
that a new seed gives phrasings never seen before (what a tagger must generalise to and a phrase
memory cannot), while the cue words stay the same.

Label keys are those of the ``ptc18`` preset; ``CATEGORIES`` maps them to its categories.
``noise`` makes it more like people's work: that share of technique sentences more is left
unlabelled (missed), and that share of the spans has its boundaries moved by a word.
"""

import random

CATEGORIES = {
    "name_calling": "Attack on Reputation",
    "doubt": "Attack on Reputation",
    "flag_waving": "Justification",
    "appeal_to_fear": "Justification",
    "slogans": "Call",
    "loaded_language": "Manipulative Wording",
}

# "[[...]]" is the span; {N} a made-up name, {w} a made-up lower-case word, {a|b|c} one of the
# alternatives (so the cue words vary too, and a model meets rarer ones only with more data).
TEMPLATES = {
    "name_calling": [
        "Everyone knows that the [[so-called {w} {experts|leaders|patriots|scientists}]] lied.",
        "They were led by {N}, a [[{shameless|pathetic|corrupt|spineless} {w}]] of the worst kind.",
        "[[{Clowns|Traitors|Thugs|Parasites} like {N}]] run the {w} now.",
    ],
    "doubt": [
        "[[Can we really {trust|believe|rely on|take seriously} {N}]]?",
        "[[Is {N} {really|honestly|truly} telling the truth about the {w}]]?",
        "[[Nobody {knows|can say|has asked} where {N} got the money]].",
    ],
    "flag_waving": [
        "We stand together [[for the {glory|honour|pride|future} of our {w} nation]].",
        "[[True {patriots|sons|daughters} of {N} never {surrender|kneel|yield}]] to anyone.",
        "[[Every {real|loyal|proud} {N}ian {loves|defends|serves} the flag]].",
    ],
    "appeal_to_fear": [
        "[[If we do nothing, the {w}s will {destroy|ruin|invade|poison} {N}]].",
        "[[Our {children|families|towns} will {suffer|starve|die} if {N} wins]], the speaker "
        "warned.",
        "[[{Soon|Tomorrow|Any day now} the {w}s will come for {your|our} {homes|jobs|savings}]].",
    ],
    "slogans": [
        "[[Make {N} {great|strong|proud|safe} again]]!",
        "[[{N} first, {N} {forever|always|above all}]]!",
        "[[{Stop|Ban|Crush} the {w}s now]]!",
    ],
    "loaded_language": [
        "It was a [[{catastrophic|disastrous|monstrous|shameful} {w}]] by the council.",
        "The plan is an [[{outrageous|obscene|sickening}, {disgusting|vile|rotten} {w}]] of "
        "public money.",
        "Critics called the {w} a [[{brutal|savage|barbaric} {assault|attack|betrayal}]].",
    ],
}
FILLER = [
    "The committee of {N} met on Tuesday to discuss the {w} budget.",
    "According to the report, {w} prices rose by {d} percent last year.",
    "Residents of {N} said the new {w} would open in spring.",
    "The minister visited {N} and spoke with {w} workers.",
    "Officials did not respond to requests for comment about the {w}.",
    "A spokesperson for {N} confirmed that talks would continue.",
    "Can the {w} be repaired before winter, engineers asked.",
    "Our nation has {d} regions and {N} is the largest.",
]
SYLLABLES = [
    "ka",
    "lo",
    "mir",
    "ten",
    "vas",
    "dor",
    "ul",
    "pre",
    "zin",
    "bar",
    "qua",
    "sel",
    "tor",
    "nim",
    "ev",
    "gra",
    "hu",
    "jol",
    "rek",
    "fan",
]

Article = tuple[str, list[tuple[int, int, str]]]


class Generator:
    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def word(self) -> str:
        return "".join(self.random.choice(SYLLABLES) for _ in range(self.random.randint(2, 3)))

    def fill(self, template: str) -> str:
        out = template
        while "|" in out:  # each {a|b|c}, left to right
            start = out.index("{", out.rindex("{", 0, out.index("|")))
            end = out.index("}", start)
            choice = self.random.choice(out[start + 1 : end].split("|"))
            out = out[:start] + choice + out[end + 1 :]
        while "{N}" in out or "{w}" in out or "{d}" in out:
            out = out.replace("{N}", self.word().capitalize(), 1)
            out = out.replace("{w}", self.word(), 1)
            out = out.replace("{d}", str(self.random.randint(2, 99)), 1)
        return out

    def sentence(self, label: str | None, noise: float) -> tuple[str, list]:
        if label is None:
            return self.fill(self.random.choice(FILLER)), []
        missed = label.startswith("-")
        label = label.lstrip("-")
        raw = self.fill(self.random.choice(TEMPLATES[label]))
        before, rest = raw.split("[[", 1)
        inside, after = rest.split("]]", 1)
        text = before + inside + after
        start, end = len(before), len(before) + len(inside)
        if self.random.random() < noise:  # a word more before it, or one less at its end
            if before.strip() and self.random.random() < 0.5:
                start = text.rfind(" ", 0, start - 1) + 1
            elif " " in inside:
                end = start + inside.rfind(" ")
        return text, [] if missed else [(start, end, label)]

    def article(self, spans: int, filler: int, noise: float = 0.0) -> Article:
        labels = [self.random.choice(list(TEMPLATES)) for _ in range(spans)]
        missed = [f"-{self.random.choice(list(TEMPLATES))}" for _ in range(round(spans * noise))]
        plan: list[str | None] = [*labels, *missed, *([None] * filler)]
        self.random.shuffle(plan)
        text, found = "", []
        for n, label in enumerate(plan):
            sentence, marks = self.sentence(label, noise)
            sep = "" if not text else ("\n\n" if n % 5 == 0 else " ")
            offset = len(text) + len(sep)
            text += sep + sentence
            found += [(s + offset, e + offset, lab) for s, e, lab in marks]
        return text, found


def corpus(
    n: int, *, seed: int, spans: int = 12, filler: int = 20, noise: float = 0.0
) -> list[Article]:
    """``n`` articles of ``spans`` labelled technique sentences among ``filler`` neutral ones."""
    generator = Generator(seed)
    return [generator.article(spans, filler, noise) for _ in range(n)]
