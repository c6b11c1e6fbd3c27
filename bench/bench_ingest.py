"""Ingestion speed and quality on the bundled texts.

Speed: words per second of the full ingest (reading the JSON lines, the pipeline
with quantities, context and scores, RDF, one transaction per document into the
on-disk store, committed while the next document is annotated) against the bare
spaCy pipeline with the same span ruler, run
alternately in one process with cold lemma caches each time, English and Russian
separately; and documents per second of the build's ingest step (CORDIS case
studies and the bundled texts). Quality: the gold scores of both halves.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.report import machine, write_section
from rusmeco.core.config import Settings
from rusmeco.ingest import normalise
from rusmeco.ingest.build import TEXT_MAPPING, bundled_texts, ingest_bundled
from rusmeco.ingest.concepts import Catalogue, load_catalogue
from rusmeco.ingest.evaluate import evaluate_gold, read_gold
from rusmeco.ingest.pipeline import SPANS_KEY, analyse, pipeline_for
from rusmeco.ingest.rdf import DocumentInfo, document_graph, document_rdf
from rusmeco.ingest.readers import SourceDocument, read_path
from rusmeco.ingest.service import Ingester
from rusmeco.kb.build import build_knowledge_base
from rusmeco.kb.store import Store, open_store
from rusmeco.ontology.namespaces import InstanceIris

RUNS = 15
SPEED_HEADER = (
    "| lang | documents | words | bare words/s | full ingest words/s "
    "| full / bare (target 0.70; range of runs) | in CPU seconds: all threads "
    "| ingesting thread "
    "| re-ingest words/s | re-ingest / bare |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)
STAGE_HEADER = (
    "| lang | reading | pipeline | RDF | store | bare pipeline |\n"
    "| --- | --- | --- | --- | --- | --- |"
)
QUALITY_HEADER = (
    "| half | lang | documents | strict P | strict R | strict F1 | partial F1 "
    "| quantity P | quantity R |\n| --- | --- | --- | --- | --- | --- | --- | --- "
    "| --- |"
)
GOLD = Path(__file__).resolve().parent.parent / "ingest" / "gold"


def cold() -> None:
    """Empty the lemma caches so that every run starts cold."""
    normalise.clear_caches()


def texts_of(lang: str) -> tuple[list[Path], list[str]]:
    """Return the bundled collections in ``lang`` and their texts."""
    paths, texts = [], []
    for path in bundled_texts():
        lines = path.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        if records and records[0]["lang"] == lang:
            paths.append(path)
            texts.extend(record["text"] for record in records)

    return paths, texts


Times = tuple[float, float, float]


class Clock:
    """Wall-clock seconds, CPU seconds of the process and of this thread."""

    def __init__(self) -> None:
        self.start = (time.perf_counter(), time.process_time(), time.thread_time())

    def read(self) -> Times:
        """Return the wall-clock, process and thread seconds since the start."""
        now = (time.perf_counter(), time.process_time(), time.thread_time())

        return now[0] - self.start[0], now[1] - self.start[1], now[2] - self.start[2]


def bare(lang: str, catalogue: Catalogue, texts: list[str]) -> Times:
    """Run the bare pipeline (normaliser and the same span ruler) over the texts.

    Returns wall-clock and CPU seconds (see :class:`Clock`).
    """
    nlp = pipeline_for(lang, catalogue)
    cold()
    clock = Clock()
    for text in texts:
        len(nlp(text).spans[SPANS_KEY])

    return clock.read()


@contextmanager
def fresh_store(template: Path) -> Iterator[Store]:
    """Open a copy of the built knowledge base ``template``, removed afterwards.

    Every run starts from the same store: the deletions and compactions an
    earlier run left behind do not weigh on the next.
    """
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "store"
        shutil.copytree(template, copy)
        with open_store(copy) as store:
            yield store


def full(ingester: Ingester, paths: list[Path], lang: str) -> Times:
    """Read, annotate, write RDF and store every document of the collections.

    As ``rusmeco ingest FILE...`` does: one ingest of all the files.

    Returns wall-clock and CPU seconds (see :class:`Clock`; the process's include
    the commit thread).
    """
    cold()
    clock = Clock()
    files = [str(path) for path in paths]
    report = ingester.ingest_paths(files, lang=lang, mapping=TEXT_MAPPING)
    assert not report.failures, report.failures

    return clock.read()


def stage_times(
    store: Store, settings: Settings, catalogue: Catalogue, paths: list[Path], lang: str
) -> dict[str, float]:
    """Time the steps of the full ingest one by one, as the ingester runs them."""
    iris = InstanceIris(settings.base_iri)
    times = dict.fromkeys(("reading", "pipeline", "RDF", "store"), 0.0)
    cold()
    for path in paths:
        start = time.perf_counter()
        documents = [
            item
            for item in read_path(path, mapping=TEXT_MAPPING)
            if isinstance(item, SourceDocument)
        ]
        times["reading"] += time.perf_counter() - start
        for document in documents:
            start = time.perf_counter()
            analysis = analyse(document.text, lang, catalogue)
            times["pipeline"] += time.perf_counter() - start
            info = DocumentInfo(
                key=document.key,
                title=document.title,
                lang=lang,
                source=document.source,
                checksum=document.checksum,
            )
            start = time.perf_counter()
            triples = document_rdf(iris, info, analysis)
            times["RDF"] += time.perf_counter() - start
            start = time.perf_counter()
            store.replace_graph(document_graph(iris, document.key), triples)
            times["store"] += time.perf_counter() - start

    return times


def speed_rows(
    template: Path, settings: Settings, catalogue: Catalogue
) -> tuple[list[str], list[str]]:
    """Measure words per second of the full ingest against the bare pipeline.

    Each run of the full ingest stores the documents in a fresh copy of the
    knowledge base ``template`` (new documents), then again (each replacing its
    graph).
    """
    rows, stages = [], []
    for lang in ("en", "ru"):
        paths, texts = texts_of(lang)
        words = sum(len(text.split()) for text in texts)
        pipeline_for(lang, catalogue)
        bare_times, new_times, again_times = [], [], []
        for _ in range(RUNS):
            bare_times.append(bare(lang, catalogue, texts))
            with fresh_store(template) as store:
                ingester = Ingester(store, settings, catalogue=catalogue)
                new_times.append(full(ingester, paths, lang))
                again_times.append(full(ingester, paths, lang))
        bare_rate = words / median(bare_times, 0)
        new_rate = words / median(new_times, 0)
        again_rate = words / median(again_times, 0)
        # Each full run against the bare run just before it, then the median.
        paired = sorted(b[0] / f[0] for b, f in zip(bare_times, new_times, strict=True))
        ratio = statistics.median(paired)
        cpu = [median(bare_times, 1) / median(new_times, i) for i in (1, 2)]
        verdict = "meets" if ratio >= 0.7 else "misses"
        rows.append(
            f"| {lang} | {len(texts)} | {words:,} | {bare_rate:,.0f} | "
            f"{new_rate:,.0f} | **{ratio:.2f}** ({verdict}; "
            f"{paired[0]:.2f}–{paired[-1]:.2f}) | {cpu[0]:.2f} | "
            f"{cpu[1]:.2f} | {again_rate:,.0f} | {again_rate / bare_rate:.2f} |"
        )
        with fresh_store(template) as store:
            times = stage_times(store, settings, catalogue, paths, lang)
        total = sum(times.values())
        shares = " | ".join(
            f"{seconds:.2f} ({seconds / total:.0%})" for seconds in times.values()
        )
        stages.append(f"| {lang} | {shares} | {median(bare_times, 0):.2f} |")

    return rows, stages


def median(times: list[Times], which: int) -> float:
    """Return the median wall-clock (``which`` 0), process (1) or thread (2) time."""
    return statistics.median(run[which] for run in times)


def build_rate(template: Path, settings: Settings) -> tuple[int, float]:
    """Time the build's ingest step on a fresh copy of the knowledge base."""
    with fresh_store(template) as store:
        cold()
        start = time.perf_counter()
        report = ingest_bundled(store, settings)
        seconds = time.perf_counter() - start

    return len(report.documents), seconds


def quality_rows(catalogue: Catalogue) -> tuple[list[str], str]:
    """Score both halves of the gold data; also the test half's quantities overall."""
    rows = []
    overall = ""
    for split in ("dev", "test"):
        scores = evaluate_gold(read_gold(GOLD, split=split), catalogue)
        cells = [entry["quantities"] for entry in scores["languages"].values()]
        tp, predicted, gold = (
            sum(c[k] for c in cells) for k in ("tp", "predicted", "gold")
        )
        overall = (
            f"quantities of both languages: precision {tp / predicted:.3f} "
            f"({tp}/{predicted}), recall {tp / gold:.3f} ({tp}/{gold})"
        )
        for lang, entry in scores["languages"].items():
            strict, partial = entry["strict"]["micro"], entry["partial"]["micro"]
            quantity = entry["quantities"]
            rows.append(
                f"| {split} | {lang} | {scores['documents'][lang]} | "
                f"{strict['precision']:.3f} | {strict['recall']:.3f} | "
                f"**{strict['f1']:.3f}** | {partial['f1']:.3f} | "
                f"{quantity['precision']:.3f} | {quantity['recall']:.3f} "
                f"({quantity['tp']}/{quantity['gold']}) |"
            )

    return rows, overall


def main() -> None:
    """Build a knowledge base, measure speed and quality, write BENCHMARKS.md."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "store"
        settings = Settings(store=str(template))
        with open_store(template) as store:
            start = time.perf_counter()
            build_knowledge_base(store, settings)
            kb_seconds = time.perf_counter() - start
            catalogue = load_catalogue(store)
        documents, ingest_seconds = build_rate(template, settings)
        speed, stages = speed_rows(template, settings, catalogue)
        quality, overall = quality_rows(catalogue)
    load = f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    labels = f"{len(catalogue.labels):,} labels of {len(catalogue.kinds)} concepts"
    body = f"""
## Ingestion: full ingest against the bare spaCy pipeline, and quality

Machine: {machine()}. Bundled texts of `kb/data/texts/`; words are
whitespace-separated tokens. Bare: the blank spaCy pipeline with the lemma
normaliser and the same span ruler ({labels}). Full: reading the JSON
lines, the same pipeline plus quantities, context statements and scores, the RDF
of each document and its transaction into the on-disk store, for documents
new to the store; re-ingest: the same documents again, each replacing its graph.
Every run starts from its own copy of the freshly built knowledge base.
The ingester commits in a second thread while it annotates the next documents
(Oxigraph writes without holding Python's interpreter lock), so the full ingest
can use the machine's second core when it is free; the documents annotated while
a commit runs go into the store together in the next (a group commit). The
CPU columns compare CPU seconds instead of wall-clock ones: of all threads (the
ratio one core gives) and of the ingesting thread alone (what a free second core
can give at most; the commit thread's own work is not in it); while other jobs
keep the second core busy, the wall-clock ratio falls towards the first. Cold
lemma caches in every run, runs alternating; full / bare is the median of the {RUNS}
runs' ratios, each full run against the bare run just before it (the machine's
speed drifts less between the two than across runs), the other columns are ratios
of medians. The machine is
shared with other jobs (load average {load}): between runs of this benchmark the
wall-clock ratios moved by up to 0.15, and by more under load.

{SPEED_HEADER}
{chr(10).join(speed)}

Where the time of a re-ingest goes (one cold run, each step in turn in one thread,
seconds and share; the bare pipeline's time for comparison; "pipeline" includes
quantities, context and scores, "store" is one `Store.replace_graph` transaction per
document, the part the ingester overlaps with the next document):

{STAGE_HEADER}
{chr(10).join(stages)}

The store's write: Oxigraph's transactions on disk took 9–12 µs per triple of a
new document graph here (an in-memory store 2–3 µs; SPARQL `INSERT DATA`,
`Store.extend` and an N-Quads load were within 20 % of each other: parsing is not
the cost), and dropping the graph a re-ingested document replaces costs about as
much again. The ingester writes new graphs with one atomic N-Quads load per group
commit (eight documents per transaction took a fifth less than one each), replaced
ones with one SPARQL update that drops and inserts. The quote selectors of the Web
Annotations carry no prefix and suffix (optional in the model; the position and
the stored text give them): they were 2 of a mention's 12 triples and a quarter
of the write. Measured and left aside: `bulk_extend` per document (not atomic, and
ten times slower for small graphs, a new table file each time), and staging under
a temporary graph then `MOVE` (twice the cost of the update).

`rusmeco build`: the knowledge base without the ingest step took {kb_seconds:.1f} s;
the ingest step annotated {documents} documents (CORDIS case studies and the bundled
texts) in {ingest_seconds:.1f} s, **{documents / ingest_seconds:.0f} documents/s**.

Quality on the gold data (`ingest/gold/`; strict: same span and concept; partial:
overlapping span, same concept; quantities: overlapping span, same value, unit and
direction). Targets on the test half: strict micro-F1 at least 0.85 with precision
at least 0.90 per language, quantity precision 0.95 and recall 0.80. Labels and
patterns were tuned on the development half and on unannotated parts of the
bundled texts; the test half's errors were never inspected. Its scores were looked
at three times: after the first tuning (strict F1 en 0.853, ru 0.800; quantities
P 0.95, R 0.76), after hidden labels found on the development half were added to
the catalogue (ru 0.839), and after quantity patterns found in unannotated text
were added (quantities R 0.80). The development half then grew by 116 passages
annotated by hand (62 English, 54 Russian), and the fixes their errors showed
were made; the test half was looked at twice more: after those fixes (en 0.867
with precision 0.897, ru 0.903), and after label and name fixes found on the
development half and in unannotated text (the figures below).

{QUALITY_HEADER}
{chr(10).join(quality)}

Test half, {overall}.

Reproduce: `.venv/bin/python -m bench ingest`; the scores alone with
`rusmeco build && rusmeco eval ingest/gold --split test` (or `--split dev`).
"""
    write_section("ingest", body)
    print(body)


if __name__ == "__main__":
    main()
