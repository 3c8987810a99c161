"""Small labelled sentences and models for the stance tests (written for the tests)."""

import json
from pathlib import Path

from discourse.analyse.stance.models import LinearModel

TINY = [
    ("We will give residents the right to run their own community centre.", "support"),
    ("Volunteers have kept the village library open and thriving.", "support"),
    ("Charities should play a bigger role in delivering local services.", "support"),
    ("Handing power to neighbourhood groups is the best way to renew our towns.", "support"),
    ("Mutuals run by staff have transformed the council's care service.", "support"),
    ("We welcome the community's offer to take over the park.", "support"),
    ("The Big Society is just a cover for cuts.", "sceptical"),
    ("Volunteers cannot replace trained social workers.", "sceptical"),
    ("Poorer areas lack the capacity to take over services the state withdraws.", "sceptical"),
    ("Localism is a vague slogan that has changed nothing.", "sceptical"),
    ("Charities cannot fill the gaps left by council cuts.", "sceptical"),
    (
        "Asking unpaid residents to run libraries is austerity dressed up as empowerment.",
        "sceptical",
    ),
    ("The Localism Act introduced a community right to bid.", "neutral"),
    ("About a quarter of adults volunteer formally each month.", "neutral"),
    ("The council runs six libraries, two of them with volunteers.", "neutral"),
    ("How many groups have used the right to challenge?", "neutral"),
    ("The report sets out options for transferring the day centre to a charity.", "neutral"),
    ("Personal budgets give people an allocation of money for their care.", "neutral"),
    ("The committee approved the minutes of the previous meeting.", "irrelevant"),
    ("Net migration rose last year.", "irrelevant"),
    ("Staff were offered voluntary redundancy.", "irrelevant"),
    ("The Polish community in the town has grown.", "irrelevant"),
    ("Inflation is expected to fall next year.", "irrelevant"),
    ("Building societies raised their mortgage rates.", "irrelevant"),
]


def write_labelled(path: Path, rows=TINY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for n, (text, label) in enumerate(rows, start=1):
            record = {"id": f"t{n}", "text": text, "label": label, "annotator": "tests"}
            handle.write(json.dumps(record) + "\n")
    return path


def tiny_model_dir(directory: Path) -> Path:
    """A model directory with one annotation file and a model trained on it."""
    write_labelled(directory / "annotations" / "tiny.jsonl")
    texts = [t for t, _ in TINY]
    empty = [""] * len(TINY)
    LinearModel(("words", "rules"), C=1.0).fit(texts, empty, empty, [lab for _, lab in TINY]).save(
        directory
    )
    return directory
