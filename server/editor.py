"""The SPARQL editor page for researchers: YASGUI, with the named queries as examples.

YASGUI comes from the npm registry (``@zazuko/yasgui``), installed into
``server/static/node_modules`` by ``make assets``; without it the page offers a
plain form.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, request, url_for

from rusmeco.queries import catalog

blueprint = Blueprint("editor", __name__)

YASGUI = "node_modules/@zazuko/yasgui/build/"


def yasgui_installed() -> bool:
    """Tell whether the YASGUI files are installed in the static folder."""
    static = Path(__file__).parent / "static"

    return (static / YASGUI / "yasgui.min.js").is_file()


@blueprint.route("/editor")
def editor() -> str:
    """Show the SPARQL editor, its endpoint set to this server."""
    return render_editor()


def render_editor() -> str:
    """Render the editor page (also shown to browsers at ``/sparql``)."""
    examples = [
        {"name": query.name, "title": query.title, "sparql": query.sparql}
        for query in catalog()
    ]
    config = {
        "endpoint": url_for("sparql.endpoint", _external=True),
        "query": request.args.get("query", ""),
    }

    return render_template(
        "editor.html",
        examples=examples,
        config=config,
        yasgui=YASGUI if yasgui_installed() else None,
    )
