"""BERT's uncased WordPiece tokenisation in plain Python, for the MiniLM encoder.

all-MiniLM-L6-v2 must see a sentence split exactly as its own tokenizer splits it: clean
the text, put spaces around CJK characters, strip accents, lower-case, split at whitespace
and punctuation, then cut each word into the longest vocabulary pieces from the left ("##"
marks a piece that continues a word; a word that cannot be cut becomes [UNK]). Written here
so that predicting needs no tokenizers library; tests check it against the Hugging Face tokenizer
when that is installed.
"""

import unicodedata
from functools import lru_cache

UNKNOWN = "[UNK]"
CONTINUATION = "##"
MAX_WORD_CHARS = 100  # longer "words" (URLs, runs of symbols) are unknown, as in BERT


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf")


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # ASCII symbols count as punctuation, as in BERT ("$", "+", "^", "`" are not Unicode P*)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


class _CharMap(dict):
    """What BertNormalizer and BertPreTokenizer make of each character, computed once per
    character and kept: dropped (controls), a space (whitespace), spaced out (CJK and
    punctuation, which are words of their own), or accent-stripped and lower-cased.
    For `str.translate`, which makes the whole pass run at C speed on repeated characters."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if code == 0 or code == 0xFFFD or _is_control(char):
            value = ""
        elif _is_whitespace(char):
            value = " "
        elif _is_cjk(code) or _is_punctuation(char):
            value = f" {char} "
        else:
            decomposed = unicodedata.normalize("NFD", char)
            value = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
            # a character whose lower-case or decomposition is punctuation or a space
            if any(_is_punctuation(c) or _is_whitespace(c) for c in value):
                value = "".join(f" {c} " if _is_punctuation(c) else c for c in value)
        self[code] = value
        return value


_CHARS = _CharMap()


def words(text: str) -> list[str]:
    """Normalised words and punctuation marks, as BERT's uncased tokenizer splits them
    before WordPiece (characters are lower-cased one by one, as Hugging Face does)."""
    return [w for w in text.translate(_CHARS).split(" ") if w]


class WordPiece:
    """Text → vocabulary ids (no [CLS]/[SEP]: the encoder adds them)."""

    def __init__(self, vocabulary: list[str]):
        self.vocabulary = list(vocabulary)
        self.index = {piece: i for i, piece in enumerate(self.vocabulary)}
        self.unknown = self.index[UNKNOWN]
        self._word_ids = lru_cache(maxsize=200_000)(self._pieces)

    def _pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > MAX_WORD_CHARS:
            return (self.unknown,)
        ids = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else CONTINUATION + word[start:end]
                found = self.index.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.unknown,)  # the whole word is unknown, not just its tail
            ids.append(found)
            start = end
        return tuple(ids)

    def tokenise(self, text: str) -> list[str]:
        return [self.vocabulary[i] for i in self.ids(text)]

    def ids(self, text: str) -> list[int]:
        out: list[int] = []
        for word in words(text):
            out.extend(self._word_ids(word))
        return out
