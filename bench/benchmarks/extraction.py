"""Extraction quality on real pages, side by side with the tools a researcher would otherwise use.

Two ground-truth sets (see shared/data/MANIFEST.md), every tool on the same pages in the same run:

- trafilatura-eval-en (162 pages): trafilatura's own protocol. Each page lists text segments
  that must appear (`with`) and boilerplate that must not (`without`); after whitespace
  normalisation a `with` segment found is a true positive, one missing a false negative, a
  `without` segment found a false positive. Precision, recall and F1 over all segments.
- newspaper4k (421 articles with HTML): main-text token F1 (multiset overlap of lower-cased
  word tokens against the cleaned article text, averaged over articles; a failure scores 0)
  and exact-match rates of title (case and whitespace folded), author (the set of names,
  however separated) and date (YYYY-MM-DD; an article without a date matches only "no date").

Peers: raw trafilatura with default settings (`trafilatura.extract`), trafilatura with the
settings of its own evaluation (comments off), readability-lxml (text of `summary()`, title
of `short_title()`), and htmldate (`find_date`, defaults) for dates. Ours is exactly the
crawl's code path: `extract_bytes(html, content_type="text/html", url=url)`.
"""

import gzip
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.harness import Benchmark, Context, Skip
from discourse.collect.extract import ExtractionError, extract_bytes
from discourse.collect.extract.decode import decode_text

EVAL_EN = "extraction/trafilatura-eval-en"
NEWSPAPER = "extraction/newspaper4k"
QUICK_PAGES = 40


# ---- tools ---------------------------------------------------------------------------------


def ours(html: bytes, url: str | None) -> dict:
    try:
        result = extract_bytes(html, content_type="text/html", url=url)
    except ExtractionError:
        return {}
    return {
        "text": result.text,
        "title": result.title,
        "author": result.author,
        "date": result.date.iso if result.date else None,
    }


def trafilatura_default(html: bytes, url: str | None) -> dict:
    import trafilatura

    return {"text": trafilatura.extract(html, url=url)}


def trafilatura_eval_settings(html: bytes, url: str | None) -> dict:
    import trafilatura

    return {
        "text": trafilatura.extract(
            html, url=url, include_comments=False, include_tables=True, include_formatting=False
        )
    }


def trafilatura_metadata(html: bytes, url: str | None) -> dict:
    from trafilatura import extract_metadata
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return {}
    meta = extract_metadata(tree, default_url=url)
    return {"title": meta.title, "author": meta.author, "date": meta.date}


def readability(html: bytes, url: str | None) -> dict:
    try:
        from lxml import html as lxml_html
        from readability import Document
    except ImportError as exc:  # the bench extra is missing
        raise Skip(
            f"readability-lxml is not installed ({exc}); pip install -e '.[bench]'"
        ) from None
    document = Document(decode_text(html)[0], url=url)
    summary = document.summary(html_partial=True)
    tree = lxml_html.fromstring(summary)
    blocks = [
        " ".join(element.text_content().split())
        for element in tree.iter("p", "h1", "h2", "h3", "h4", "li", "pre", "blockquote", "td")
    ]
    text = "\n".join(b for b in blocks if b) or tree.text_content()
    return {"text": text, "title": document.short_title()}


def htmldate_default(html: bytes, url: str | None) -> dict:
    from htmldate import find_date

    return {"date": find_date(html, url=url)}


def _run(tool: Callable[[bytes, str | None], dict], html: bytes, url: str | None) -> dict:
    """A tool that crashes scores as a full miss, as it would in a crawl."""
    try:
        return tool(html, url) or {}
    except Skip:
        raise
    except Exception:
        return {}


# ---- scores --------------------------------------------------------------------------------


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def segment_counts(item: dict, text: str | None) -> tuple[int, int, int]:
    """(tp, fp, fn) of trafilatura's evaluation protocol for one page."""
    found = _ws(text) if text else ""
    tp = sum(1 for segment in item["with"] if found and _ws(segment) in found)
    fp = sum(1 for segment in item["without"] if found and _ws(segment) in found)
    return tp, fp, len(item["with"]) - tp


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return precision, recall, f1


_TOKEN = re.compile(r"\w+", re.UNICODE)


def token_f1(truth: str, text: str | None) -> float:
    expected = Counter(t.lower() for t in _TOKEN.findall(truth))
    got = Counter(t.lower() for t in _TOKEN.findall(text or ""))
    overlap = sum((expected & got).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


def _fold(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(str.maketrans("‘’“”–—", "''\"\"--"))
    return _ws(text).casefold()


def title_match(truth: str, title: str | None) -> bool:
    return _fold(truth) == _fold(title)


def _names(value: str | None) -> frozenset[str]:
    parts = re.split(r"\s*(?:;|,|\band\b|&)\s*", _fold(value))
    return frozenset(p for p in parts if p)


def author_match(truth: str, author: str | None) -> bool:
    return _names(truth) == _names(author)


def date_match(truth: str | None, date: str | None) -> bool:
    return (truth or None) == ((date or "")[:10] or None)


# ---- data ----------------------------------------------------------------------------------


def eval_en_pages(context: Context) -> list[tuple[str, dict, bytes]]:
    root = context.dataset(EVAL_EN)
    data = json.loads((root / "evaldata-en.json").read_text(encoding="utf-8"))
    pages = []
    for url, item in sorted(data.items()):
        path = root / item["html_gz"]
        if path.exists():
            pages.append((url, item, gzip.decompress(path.read_bytes())))
    return pages[:QUICK_PAGES] if context.quick else pages


def newspaper_articles(context: Context) -> list[tuple[dict, bytes]]:
    root = context.dataset(NEWSPAPER)
    articles = json.loads((root / "news_articles.json").read_text(encoding="utf-8"))
    found = []
    for article in sorted(articles, key=lambda a: int(a["id"])):
        path = Path(root / "html" / f"{article['html_file']}.html.gz")
        if path.exists():
            found.append((article, gzip.decompress(path.read_bytes())))
    return found[:QUICK_PAGES] if context.quick else found


# ---- benchmarks ----------------------------------------------------------------------------


def _timed(tool, pages):
    start = time.perf_counter()
    outputs = [_run(tool, html, url) for url, html in pages]
    return outputs, time.perf_counter() - start


def extraction_eval_en(context: Context) -> list[dict]:
    pages = eval_en_pages(context)
    inputs = [(url, html) for url, _, html in pages]
    tools = {
        "ours": ours,
        "trafilatura (default)": trafilatura_default,
        "trafilatura (eval settings)": trafilatura_eval_settings,
        "readability-lxml": readability,
    }
    scores, seconds = {}, {}
    for name, tool in tools.items():
        outputs, seconds[name] = _timed(tool, inputs)
        tp = fp = fn = 0
        for (_, item, _), output in zip(pages, outputs, strict=True):
            counts = segment_counts(item, output.get("text"))
            tp, fp, fn = tp + counts[0], fp + counts[1], fn + counts[2]
        scores[name] = prf(tp, fp, fn)
    rows = []
    for index, metric in enumerate(("precision", "recall", "F1")):
        for peer in list(tools)[1:]:
            rows.append(
                {
                    "dataset": EVAL_EN,
                    "metric": f"main text {metric} (segments)",
                    "value": scores["ours"][index],
                    "baseline": peer,
                    "baseline_value": scores[peer][index],
                    "n": len(pages),
                    "seconds": seconds["ours"],
                    "notes": f"{peer} took {seconds[peer]:.1f} s",
                }
            )
    return rows


def extraction_newspaper4k(context: Context) -> list[dict]:
    articles = newspaper_articles(context)
    inputs = [(article["link"], html) for article, html in articles]
    tools = {
        "ours": ours,
        "trafilatura (default)": trafilatura_default,
        "trafilatura (eval settings)": trafilatura_eval_settings,
        "readability-lxml": readability,
        "trafilatura metadata": trafilatura_metadata,
        "htmldate": htmldate_default,
    }
    outputs, seconds = {}, {}
    for name, tool in tools.items():
        outputs[name], seconds[name] = _timed(tool, inputs)
    truth = [article for article, _ in articles]
    n = len(articles)

    def mean(name: str, field: str, score) -> float:
        return sum(
            score(article[field], output.get(field if field != "authors" else "author"))
            for article, output in zip(truth, outputs[name], strict=True)
        ) / max(n, 1)

    rows = []
    text = {name: mean(name, "text", token_f1) for name in list(tools)[:4]}
    for peer in ("trafilatura (default)", "trafilatura (eval settings)", "readability-lxml"):
        rows.append(_row("main text token F1", text["ours"], peer, text[peer], n, seconds, peer))
    titles = {
        name: mean(name, "title", title_match)
        for name in ("ours", "trafilatura metadata", "readability-lxml")
    }
    for peer in ("trafilatura metadata", "readability-lxml"):
        rows.append(_row("title exact match", titles["ours"], peer, titles[peer], n, seconds, peer))
    authors = {
        name: mean(name, "authors", author_match) for name in ("ours", "trafilatura metadata")
    }
    rows.append(
        _row(
            "author exact match",
            authors["ours"],
            "trafilatura metadata",
            authors["trafilatura metadata"],
            n,
            seconds,
            "trafilatura metadata",
        )
    )
    dates = {
        name: mean(name, "date", date_match)
        for name in ("ours", "htmldate", "trafilatura metadata")
    }
    for peer in ("htmldate", "trafilatura metadata"):
        rows.append(_row("date exact match", dates["ours"], peer, dates[peer], n, seconds, peer))
    return rows


def _row(metric, value, peer, peer_value, n, seconds, timed_peer) -> dict:
    return {
        "dataset": NEWSPAPER,
        "metric": metric,
        "value": value,
        "baseline": peer,
        "baseline_value": peer_value,
        "n": n,
        "seconds": seconds["ours"],
        "notes": f"{timed_peer} took {seconds[timed_peer]:.1f} s",
    }


BENCHMARKS = [
    Benchmark(
        "extraction_eval_en",
        extraction_eval_en,
        quick=True,
        description="main-text precision/recall/F1 on trafilatura's English eval set vs trafilatura and readability",
    ),
    Benchmark(
        "extraction_newspaper4k",
        extraction_newspaper4k,
        quick=True,
        description="text token F1 and title/author/date exact match on newspaper4k vs trafilatura, readability, htmldate",
    ),
]
