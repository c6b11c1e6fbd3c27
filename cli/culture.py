"""The ``rusmeco load-culture`` command: load a full culture dimension matrix."""

from __future__ import annotations

from pathlib import Path

import click

from rusmeco.cli.context import Context, pass_context


@click.command("load-culture")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def load_culture(context: Context, file: Path) -> None:
    """Load Hofstede's dimension data matrix FILE into its own graph.

    The matrix is not openly licensed, so it is not shipped; the catalogue carries
    only the scores it cites. Loading again replaces the graph.
    """
    from rusmeco.kb.culture import HOFSTEDE_GRAPH, read_hofstede_matrix
    from rusmeco.kb.rdf import triples_of
    from rusmeco.ontology.namespaces import InstanceIris

    iris = InstanceIris(context.settings.base_iri)
    graph = read_hofstede_matrix(file, iris)
    name = iris.graph(HOFSTEDE_GRAPH)
    context.store.replace_graph(name, triples_of(graph))
    click.echo(f"{len(graph)} triples in <{name}>")
