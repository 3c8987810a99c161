"""Stance toward state–civil-society blurring, as the project's codebook defines it.

One interface for every approach: `predict_proba(texts, contexts_before, contexts_after)`
returns an n × 4 array in vocabulary.STANCES order. The parts: examples (annotation files),
rules (the codebook as patterns), models (the approaches, saving and loading), encoders
(MiniLM sentence embeddings, an ONNX graph run by ONNX Runtime) and wordpiece (its tokeniser), evaluation
(scores and cross-validation), training (selection, fitting, the model card), correction
(misclassification-matrix inversion), annotate (the active-learning loop) and stage (the
analysis pipeline stage).
"""

from discourse.analyse.stance.examples import DEFAULT_MODEL_DIR
from discourse.analyse.stance.models import load_model

__all__ = ["DEFAULT_MODEL_DIR", "load_model"]
