"""Downloads: gzipped dumps of the graph, and its VoID and DCAT description.

Dumps of the whole store and of each named graph, in N-Quads, TriG and Turtle,
are written to the folder next to the store (``<store>-dumps``) and made again
on the first request after the data changed (``Store.version()``).
``/.well-known/void`` describes the data set: triple counts, licences stated in
the graphs, the dumps and the SPARQL endpoint.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import threading
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    jsonify,
    render_template,
    send_from_directory,
    url_for,
)
from platformdirs import user_data_dir

from rusmeco.core.config import Settings
from rusmeco.core.errors import NotFound
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import ONTOLOGY_IRI, slugify
from rusmeco.server.answers import graph_response
from rusmeco.server.context import get_settings, get_store, time_left
from rusmeco.server.negotiation import GRAPH_TYPES, HTML, JSON, choose

log = logging.getLogger(__name__)

blueprint = Blueprint("exports", __name__)

DUMP_FORMATS = {"nq": "N-Quads", "trig": "TriG", "ttl": "Turtle"}
MEDIA_TYPES = {
    "nq": "application/n-quads",
    "trig": "application/trig",
    "ttl": "text/turtle",
}
MANIFEST = "manifest.json"
WHOLE = "rusmeco"

_lock = threading.Lock()


@dataclass
class Dump:
    """One dump file: which graph (None for all), in which format, how big."""

    file: str
    graph: str | None
    format: str
    triples: int
    bytes: int


def dumps_folder(settings: Settings) -> Path:
    """Return the folder the dumps are written to: next to the store, or per user.

    The folder is absolute, as sending a file needs: a relative one would be
    read from the application's package, not from the working folder.
    """
    if str(settings.store).startswith(("http://", "https://")):
        digest = hashlib.sha256(settings.store.encode("utf-8")).hexdigest()[:16]
        return Path(user_data_dir("rusmeco")) / "dumps" / digest
    store = Path(settings.store).expanduser().absolute()

    return store.with_name(store.name + "-dumps")


def current_dumps(store: Store, settings: Settings) -> list[Dump]:
    """Return the dumps, writing them first if the data changed since the last ones."""
    folder = dumps_folder(settings)
    with _lock:
        version = store.version()
        manifest = _read_manifest(folder)
        if manifest is not None and manifest.get("version") == version:
            return [Dump(**entry) for entry in manifest["dumps"]]
        dumps = write_dumps(store, folder)
        _write_manifest(folder, version, dumps)

    return dumps


def write_dumps(store: Store, folder: Path) -> list[Dump]:
    """Write every dump into a fresh folder, then put it in place of ``folder``."""
    fresh = folder.with_name(f"{folder.name}.new-{uuid.uuid4().hex[:8]}")
    fresh.mkdir(parents=True)
    graphs = store.graphs()
    files = [(f"{WHOLE}.{short}.gz", None, short) for short in DUMP_FORMATS]
    for graph in sorted(graphs):
        slug = graph_slug(graph)
        files += [(f"graph-{slug}.{short}.gz", graph, short) for short in DUMP_FORMATS]
    for name, graph, short in files:
        with gzip.open(fresh / name, "wb", compresslevel=6) as output:
            store.dump(output, short, graph=graph)
    statements = _count_lines(fresh / f"{WHOLE}.nq.gz")
    dumps = [
        Dump(
            name,
            graph,
            short,
            graphs[graph] if graph else statements,
            (fresh / name).stat().st_size,
        )
        for name, graph, short in files
    ]
    _replace_folder(folder, fresh)
    log.info("wrote %d dumps to %s", len(dumps), folder)

    return dumps


def _count_lines(path: Path) -> int:
    """Count the statements of an N-Quads file (one per non-empty line)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return sum(1 for line in lines if line.strip())


def _replace_folder(folder: Path, fresh: Path) -> None:
    old = folder.with_name(f"{folder.name}.old-{uuid.uuid4().hex[:8]}")
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def graph_slug(graph: str) -> str:
    """Return a readable, unique file-name part for a graph IRI."""
    base = get_settings().base_iri + "graph/"
    if graph.startswith(base):
        return slugify(graph[len(base) :])
    digest = hashlib.sha256(graph.encode("utf-8")).hexdigest()[:8]

    return f"{slugify(graph)[:60]}-{digest}"


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_manifest(folder: Path, version: str, dumps: list[Dump]) -> None:
    document = {"version": version, "dumps": [asdict(dump) for dump in dumps]}
    (folder / MANIFEST).write_text(json.dumps(document, indent=2), encoding="utf-8")


@blueprint.route("/dumps/")
def index() -> Response | str:
    """List the dumps (a page for people, JSON for programs)."""
    dumps = current_dumps(get_store(), get_settings())
    media = choose([HTML, JSON])
    if media is JSON:
        return jsonify(
            [
                asdict(d) | {"url": url_for(".dump", name=d.file, _external=True)}
                for d in dumps
            ]
        )

    groups: dict[str | None, list[Dump]] = {}
    for item in dumps:
        groups.setdefault(item.graph, []).append(item)

    return render_template("dumps.html", groups=groups, formats=DUMP_FORMATS)


@blueprint.route("/dumps/<name>")
def dump(name: str) -> Response:
    """Send one dump file (gzip)."""
    dumps = current_dumps(get_store(), get_settings())
    if name not in {d.file for d in dumps}:
        raise NotFound(f"there is no dump called {name!r}", hint="see /dumps/")

    return send_from_directory(
        dumps_folder(get_settings()),
        name,
        mimetype="application/gzip",
        as_attachment=True,
        max_age=0,
    )


@blueprint.route("/.well-known/void")
def void() -> Response:
    """Describe the data set in VoID and DCAT (Turtle, or by content negotiation)."""
    store, settings = get_store(), get_settings()
    dumps = current_dumps(store, settings)
    triples = void_description(
        url_for("pages.home", _external=True), dumps, store, settings
    )

    return graph_response(triples, choose(GRAPH_TYPES))


VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"

LICENCES = """
SELECT DISTINCT ?g ?licence WHERE { GRAPH ?g { ?x dcterms:license ?licence } }
"""


def _n(namespace: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + local)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def void_description(
    root: str, dumps: list[Dump], store: Store, settings: Settings
) -> list[ox.Triple]:
    """Return the VoID and DCAT triples describing the served data set."""
    dataset = ox.NamedNode(root + ".well-known/void#dataset")
    endpoint = ox.NamedNode(root + "sparql")
    service = ox.NamedNode(root + "sparql#service")
    licences = _licences(store, settings)
    whole = [d for d in dumps if d.graph is None]
    out = [
        ox.Triple(dataset, RDF_TYPE, _n(VOID, "Dataset")),
        ox.Triple(dataset, RDF_TYPE, _n(DCAT, "Dataset")),
        ox.Triple(
            dataset,
            _n(DCTERMS, "title"),
            ox.Literal("RUSMECO knowledge graph", language="en"),
        ),
        ox.Triple(
            dataset,
            _n(DCTERMS, "title"),
            ox.Literal("Граф знаний RUSMECO", language="ru"),
        ),
        ox.Triple(
            dataset,
            _n(DCTERMS, "description"),
            ox.Literal(
                "Management practices, their context and case studies of small and "
                "medium-sized enterprises.",
                language="en",
            ),
        ),
        ox.Triple(
            dataset, _n(VOID, "triples"), _integer(whole[0].triples if whole else 0)
        ),
        ox.Triple(dataset, _n(VOID, "sparqlEndpoint"), endpoint),
        ox.Triple(dataset, _n(VOID, "uriSpace"), ox.Literal(settings.base_iri)),
        ox.Triple(dataset, _n(VOID, "vocabulary"), ox.NamedNode(ONTOLOGY_IRI)),
        ox.Triple(service, RDF_TYPE, _n(DCAT, "DataService")),
        ox.Triple(service, _n(DCAT, "endpointURL"), endpoint),
        ox.Triple(service, _n(DCAT, "servesDataset"), dataset),
        ox.Triple(
            service,
            _n(DCTERMS, "conformsTo"),
            ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"),
        ),
        ox.Triple(dataset, _n(DCAT, "accessService"), service),
    ]
    for licence in sorted(set().union(*licences.values()) if licences else set()):
        out.append(ox.Triple(dataset, _n(DCTERMS, "license"), ox.NamedNode(licence)))
    out += _distributions(dataset, root, whole)
    for index, graph in enumerate(sorted({d.graph for d in dumps if d.graph})):
        subset = ox.NamedNode(f"{root}.well-known/void#graph-{graph_slug(graph)}")
        parts = [d for d in dumps if d.graph == graph]
        out += [
            ox.Triple(dataset, _n(VOID, "subset"), subset),
            ox.Triple(subset, RDF_TYPE, _n(VOID, "Dataset")),
            ox.Triple(subset, _n(DCTERMS, "identifier"), ox.Literal(graph)),
            ox.Triple(
                subset,
                ox.NamedNode("http://www.w3.org/ns/sparql-service-description#name"),
                ox.NamedNode(graph),
            ),
            ox.Triple(subset, _n(VOID, "triples"), _integer(parts[0].triples)),
        ]
        out += [
            ox.Triple(subset, _n(DCTERMS, "license"), ox.NamedNode(licence))
            for licence in sorted(licences.get(graph, ()))
        ]
        out += _distributions(subset, root, parts)
        log.debug("described graph %d <%s>", index, graph)

    return out


def _distributions(
    dataset: ox.NamedNode, root: str, dumps: list[Dump]
) -> list[ox.Triple]:
    out = []
    for dump in dumps:
        url = ox.NamedNode(f"{root}dumps/{dump.file}")
        distribution = ox.NamedNode(f"{root}dumps/{dump.file}#distribution")
        media = MEDIA_TYPES[dump.format]
        out += [
            ox.Triple(dataset, _n(VOID, "dataDump"), url),
            ox.Triple(dataset, _n(DCAT, "distribution"), distribution),
            ox.Triple(distribution, RDF_TYPE, _n(DCAT, "Distribution")),
            ox.Triple(distribution, _n(DCAT, "downloadURL"), url),
            ox.Triple(
                distribution,
                _n(DCAT, "mediaType"),
                ox.NamedNode(f"https://www.iana.org/assignments/media-types/{media}"),
            ),
            ox.Triple(
                distribution,
                _n(DCAT, "compressFormat"),
                ox.NamedNode(
                    "https://www.iana.org/assignments/media-types/application/gzip"
                ),
            ),
            ox.Triple(distribution, _n(DCAT, "byteSize"), _integer(dump.bytes)),
            ox.Triple(
                distribution,
                _n(DCTERMS, "title"),
                ox.Literal(f"{DUMP_FORMATS[dump.format]}, gzip", language="en"),
            ),
        ]

    return out


def _licences(store: Store, settings: Settings) -> dict[str, set[str]]:
    """Return the licences each graph states (``dcterms:license`` inside it)."""
    result = store.query(LICENCES, limit=settings.result_limit, timeout=time_left())
    licences: dict[str, set[str]] = {}
    for row in result.bindings():
        if isinstance(row["licence"], ox.NamedNode):
            licences.setdefault(row["g"].value, set()).add(row["licence"].value)

    return licences
