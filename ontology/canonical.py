"""Write Turtle files in one canonical form, so that diffs stay small and readable.

The canonical form is rdflib's ``longturtle`` serialisation: subjects and
predicates sorted, one object per line, blank nodes nested. Run
``python -m rusmeco.ontology.canonical FILE...`` after editing a Turtle file by
hand; with no arguments it rewrites the ontology and the shapes.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from rusmeco.core.errors import DataError

log = logging.getLogger(__name__)


def canonical_turtle(graph: Graph) -> str:
    """Return ``graph`` serialised in the canonical Turtle form.

    Blank nodes are first relabelled from their content (rdflib's canonical
    graph), so that several blank-node objects of one predicate always come out
    in the same order.
    """
    canonical = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        canonical.bind(prefix, namespace)
    for triple in to_canonical_graph(graph):
        canonical.add(triple)

    return canonical.serialize(format="longturtle")


def read_turtle_file(path: Path) -> Graph:
    """Parse a Turtle file, raising :class:`DataError` when it does not parse."""
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(path, format="turtle")
    except (SyntaxError, ValueError) as error:
        raise DataError(f"{path}: {error}", hint="fix the Turtle syntax") from None

    return graph


def is_canonical(path: Path) -> bool:
    """Tell whether the file at ``path`` is already in canonical form."""
    text = path.read_text(encoding="utf-8")

    return text == canonical_turtle(read_turtle_file(path))


def canonicalise(path: Path) -> bool:
    """Rewrite ``path`` in canonical form; return whether it changed."""
    text = canonical_turtle(read_turtle_file(path))
    if path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    log.info("rewrote %s in canonical form", path)

    return True


def default_files() -> list[Path]:
    """Return the Turtle files of the ontology package."""
    here = Path(__file__).resolve().parent

    return sorted(here.glob("*.ttl"))


def main(argv: list[str]) -> int:
    """Rewrite the files named in ``argv`` (or the ontology's own) canonically."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    paths = [Path(arg) for arg in argv] or default_files()
    for path in paths:
        canonicalise(path)

    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
