"""Language of a document: declared in its markup, checked against its words.

Pages declare a language (`<html lang>`, Content-Language, og:locale, JSON-LD inLanguage),
but templates often say "en" on every page, including Welsh-language council pages. A
stopword profile of the text itself decides when the text is long enough and the profile is
clear; otherwise the declaration stands. Small on purpose: enough to tell English from the
languages a UK crawl meets, not a general language identifier.
"""

import re
from collections import Counter

_STOPWORDS = {
    "en": "the of and to in is that for it was on with as be by this are at from have not "
    "which but they their has were been will would there can an we our more than also",
    "cy": "y yr a ac i o yn ar am mae ei eu gan wedi bod hyn hynny fel ond neu sydd gyda oedd "
    "cael ni chi fydd gall hefyd ein eich drwy rhaid wrth pan pob mewn ydy nid dim ddim",
    "fr": "le la les de des du et en un une est que qui dans pour pas sur au aux ce ces il "
    "elle ne se sont par plus avec ou nous vous leur",
    "de": "der die das und ist nicht zu den mit von sich des auf für ein eine im dem auch es "
    "wird sie als wir nach bei aus oder sind",
    "es": "el la los las de del y en que un una es por con para se no su sus al lo como más "
    "pero este esta son fue ha",
    "it": "il lo la gli le di del della e che un una è per con non si sono al nel alla come "
    "anche ma questo più ha dei",
    "nl": "de het een en van in is dat op te met voor niet zijn aan er die ook als bij wordt "
    "door maar om hij naar",
    "pt": "o a os as de do da dos das e em um uma que não para com por se mais como mas foi "
    "ao no na é são",
    "pl": "i w na z że się do nie jest to o jak co od po ale tak dla przez jego są być już "
    "czy oraz lub",
}
_PROFILES = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_WORDS = 30


def normalise_code(value: str | None) -> str | None:
    """ "en-GB", "en_GB", "EN" → "en"; None for anything that is not a language tag."""
    if not value:
        return None
    code = re.split(r"[-_;,\s]", value.strip().lower(), maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def guess_language(text: str) -> str | None:
    """The language whose stopwords dominate `text`, or None when too short or unclear."""
    words = [w.lower() for w in _WORD.findall(text[:20_000])]
    if len(words) < MIN_WORDS:
        return None
    counts = Counter(words)
    scores = {
        lang: sum(counts[w] for w in profile) / len(words) for lang, profile in _PROFILES.items()
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < 0.12 or top < 1.5 * second:
        return None
    return best


def decide_language(declared: str | None, text: str) -> str | None:
    """The text's own evidence wins over a declaration when it is clear; else the declaration."""
    guessed = guess_language(text)
    return guessed or normalise_code(declared)
