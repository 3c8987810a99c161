"""Passages: sentence and paragraph offsets into the document text, speech units, re-runs."""

from conftest import make_document

from discourse.analyse.passages import SEGMENTER, Segmenter, ensure_passages, paragraph_spans
from discourse.analyse.preprocess import TokenCache, Tokenizer, cached_tokens
from discourse.config import PreprocessSection
from discourse.store import Store


def _sentences(text: str, source_kind: str = "council") -> list[str]:
    spans = Segmenter().split(text, source_kind)
    return [text[s.char_start : s.char_end] for s in spans if s.unit == "sentence"]


def test_parliamentary_abbreviations_do_not_end_sentences():
    text = "I thank my right hon. friend for that. Mr. Speaker, the hon. Member for Leeds spoke."
    assert _sentences(text, "debate") == [
        "I thank my right hon. friend for that.",
        "Mr. Speaker, the hon. Member for Leeds spoke.",
    ]


def test_page_references_and_latin_abbreviations():
    text = "See p. 4 of the report. It is clear. Groups, e.g. volunteers, agreed."
    assert _sentences(text) == [
        "See p. 4 of the report.",
        "It is clear.",
        "Groups, e.g. volunteers, agreed.",
    ]


def test_numbered_council_sections_stay_with_their_text():
    text = (
        "3.1 The Cabinet is asked to note the report. 3.2 That the council agrees the plan.\n"
        "(a) to approve the transfer; (b) to note the minutes."
    )
    assert _sentences(text) == [
        "3.1 The Cabinet is asked to note the report.",
        "3.2 That the council agrees the plan.",
        "(a) to approve the transfer; (b) to note the minutes.",
    ]


def test_a_lone_section_number_joins_its_heading_and_lines_starting_with_numbers_split():
    text = "1. Introduction\n2. Background. Cllr. Jones said the library is run by volunteers."
    assert _sentences(text) == [
        "1. Introduction",
        "2. Background.",
        "Cllr. Jones said the library is run by volunteers.",
    ]


def test_paragraphs_are_blank_line_blocks_or_lines():
    blocks = "First para\nwrapped line.\n\n  Second para.  \n\n\n"
    assert [blocks[a:b] for a, b in paragraph_spans(blocks)] == [
        "First para\nwrapped line.",
        "Second para.",
    ]
    lines = "One.\nTwo.\n \nThree."
    # a whitespace-only line counts as blank
    assert [lines[a:b] for a, b in paragraph_spans(lines)] == ["One.\nTwo.", "Three."]
    assert [x for x in paragraph_spans("A.\nB.")] == [(0, 2), (3, 5)]


def test_offsets_reproduce_every_unit_and_sentences_number_through_the_document():
    text = "  The council met.  It agreed.\n\nVolunteers run the library. Mr. Smith thanked them.\n"
    spans = Segmenter().split(text, "council")
    assert [(s.unit, s.seq, s.parent_seq, text[s.char_start : s.char_end]) for s in spans] == [
        ("paragraph", 0, None, "The council met.  It agreed."),
        ("sentence", 0, 0, "The council met."),
        ("sentence", 1, 0, "It agreed."),
        ("paragraph", 1, None, "Volunteers run the library. Mr. Smith thanked them."),
        ("sentence", 2, 1, "Volunteers run the library."),
        ("sentence", 3, 1, "Mr. Smith thanked them."),
    ]


def test_a_hansard_speech_is_one_speech_unit_holding_its_paragraphs():
    text = "I beg to move.\n\nThe big society is a cover for cuts."
    spans = Segmenter().split(text, "debate")
    assert [(s.unit, s.seq, s.parent_seq, text[s.char_start : s.char_end]) for s in spans] == [
        ("speech", 0, None, text),
        ("paragraph", 0, 0, "I beg to move."),
        ("sentence", 0, 0, "I beg to move."),
        ("paragraph", 1, 0, "The big society is a cover for cuts."),
        ("sentence", 1, 1, "The big society is a cover for cuts."),
    ]


def test_stored_passages_match_the_text_and_rerun_splits_only_new_documents(store):
    store.add_documents([make_document(1), make_document(2, source_kind="debate")])
    first = ensure_passages(store, store.iter_documents())
    assert first == {"documents": 2, "split": 2, "sentences": 2}
    rows = store.read(
        "SELECT document_id, unit, char_start, char_end FROM passages WHERE segmenter = ? "
        "ORDER BY document_id, unit",
        (SEGMENTER,),
    )
    for row in rows:
        text = store.get_document(row["document_id"]).text
        assert text[row["char_start"] : row["char_end"]] == text  # one sentence per document
    assert [(r["document_id"], r["unit"]) for r in rows] == [
        (1, "paragraph"),
        (1, "sentence"),
        (2, "paragraph"),
        (2, "sentence"),
        (2, "speech"),
    ]
    store.add_document(make_document(3))
    again = ensure_passages(store, store.iter_documents())
    assert again == {"documents": 3, "split": 1, "sentences": 1}


def test_sentence_tokens_from_the_split_are_those_of_each_sentence_alone():
    # one pass gives sentences and tokens: each sentence's tokens must be what tokenising its
    # text alone gives, also where a boundary falls inside a chunk ("cuts.Volunteers")
    text = (
        "  The hon. Member praised co-production.  It works!\n"
        "We oppose the cuts.Volunteers run 12 libraries (and/or halls).\n\n"
        "3.1 The Council notes the not-for-profit sector.   "
    )
    segmenter = Segmenter(tokens=True)
    [segmented] = segmenter.segment_many([(text, "council")])
    sentences = [text[s.char_start : s.char_end] for s in segmented.spans if s.unit == "sentence"]
    assert sentences[2:4] == ["We oppose the cuts.", "Volunteers run 12 libraries (and/or halls)."]
    words = [[segmented.vocab.strings[h] for h in tokens] for tokens in segmented.tokens]
    alone = [[t.lower_ for t in segmenter.nlp.make_doc(s)] for s in sentences]
    assert words == alone
    assert words[0] == ["the", "hon.", "member", "praised", "co-production", "."]


def test_worker_processes_split_and_cache_tokens_as_one_process_does(tmp_path):
    # batches of 2 documents: 7 documents are 4 batches, split by 2 forked workers
    texts = [
        "The hon. Member praised co-production. It works!\nWe oppose the cuts.Volunteers act.",
        "3.1 The Council notes the not-for-profit sector. (a) Grants rise.",
        "Big Society. Small state.",
        "One more sentence here.",
    ]
    documents = [make_document(i + 1, text=texts[i % 4] + f" Number {i}.") for i in range(7)]
    documents[2].source_kind = "debate"
    tables = {}
    for workers in (1, 2):
        with Store.open(tmp_path / f"{workers}.sqlite") as store:
            store.add_documents(documents)
            cache = TokenCache(store, Tokenizer(PreprocessSection()))
            counts = ensure_passages(
                store, store.iter_documents(), batch=2, tokens=cache, workers=workers
            )
            assert counts == {"documents": 7, "split": 7, "sentences": 24}
            passages = store.read("SELECT * FROM passages ORDER BY id")
            cached = cached_tokens(store, [], cache.tokenizer, cache=cache)  # forms table read
            rows = store.read("SELECT text_key, lengths, ids FROM document_tokens ORDER BY 1")
            tables[workers] = (
                [tuple(r) for r in passages],
                [tuple(r) for r in rows],
                cache.forms(),
                cache.fresh,
            )
            assert len(cached[0]) == 0
    assert tables[1] == tables[2]
    assert len(tables[2][1]) == 7  # every document's tokens cached, in the split's one pass
