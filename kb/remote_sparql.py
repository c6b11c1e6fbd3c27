"""SPARQL text for a remote store: what a query needs before another engine runs it.

Oxigraph takes predeclared prefixes, a base IRI and variable bindings as options;
a SPARQL endpoint takes only text. These functions write those options into the
query, and rewrite queries into the forms the remote backend pages through:
``SELECT`` pages of a capped result, ``CONSTRUCT`` evaluated as a ``SELECT``
whose template is filled in locally, ``DESCRIBE`` as the concise bounded
description Oxigraph gives. They read the query with the tokenizer of
:mod:`rusmeco.kb.sparql`, never with regular expressions over raw text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pyoxigraph as ox

from rusmeco.core.errors import DataError, QuerySyntaxError
from rusmeco.kb.sparql import Token, tokens, unescape_codepoints

log = logging.getLogger(__name__)

# Levels of blank nodes followed from a described resource (annotation targets
# and their selectors are two levels deep).
DESCRIBE_DEPTH = 3

_MODIFIERS = ("GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES")


@dataclass(frozen=True)
class Parsed:
    """A query split into its prologue (``BASE``, ``PREFIX``) and its body."""

    text: str
    items: list[Token]
    body_start: int

    @property
    def prologue(self) -> str:
        """Return the ``BASE`` and ``PREFIX`` declarations as written."""
        return self.text[: self.body_start]

    @property
    def body(self) -> list[Token]:
        """Return the tokens after the prologue."""
        return [token for token in self.items if token.start >= self.body_start]

    @property
    def form(self) -> str:
        """Return ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``."""
        body = self.body
        if not body or not body[0].is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            raise QuerySyntaxError(
                "line 1: the text is not a SPARQL query (SELECT, ASK, CONSTRUCT or "
                "DESCRIBE after the prefixes)"
            )

        return body[0].text.upper()


def parse(sparql: str) -> Parsed:
    """Split ``sparql`` into prologue and body (code point escapes resolved)."""
    text = unescape_codepoints(sparql)
    items = list(tokens(text))
    index = 0
    while index < len(items):
        if items[index].is_word("PREFIX"):
            index += 3
        elif items[index].is_word("BASE"):
            index += 2
        else:
            break
    start = items[index].start if index < len(items) else len(text)

    return Parsed(text, items, start)


def declared_prefixes(parsed: Parsed) -> set[str]:
    """Return the prefix names the query declares itself."""
    names = set()
    for index, token in enumerate(parsed.items):
        if token.start >= parsed.body_start:
            break
        if token.is_word("PREFIX") and index + 1 < len(parsed.items):
            names.add(parsed.items[index + 1].text.rstrip(":"))

    return names


def with_prologue(
    sparql: str, prefixes: dict[str, str], base_iri: str | None = None
) -> str:
    """Declare ``prefixes`` the query does not declare, and ``base_iri``.

    The declarations go on the query's first line, so that the line numbers of
    an engine's syntax errors still point into the text the user wrote.
    """
    parsed = parse(sparql)
    own = declared_prefixes(parsed)
    head = [f"BASE <{base_iri}>"] if base_iri else []
    head += [
        f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items() if name not in own
    ]
    if not head:
        return parsed.text

    return " ".join(head) + " " + parsed.text


def sparql_term(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
    """Write an RDF term as SPARQL text (blank nodes cannot be bound by value)."""
    if isinstance(term, ox.BlankNode):
        raise DataError(
            "a blank node cannot be given as a value to a remote store",
            hint="bind the variable to an IRI or a literal",
        )

    return str(term)


def bind_values(
    sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal]
) -> str:
    """Bind variables to terms with a ``VALUES`` block opening the ``WHERE`` clause.

    This is what Oxigraph's substitutions do for the patterns of the top-level
    group, its ``OPTIONAL`` parts and ``FILTER`` expressions; a nested group
    that filters on the variable sees it only through the join.
    """
    if not substitutions:
        return sparql
    names = " ".join(f"?{name}" for name in substitutions)
    row = " ".join(sparql_term(term) for term in substitutions.values())
    values = f" VALUES ({names}) {{ ({row}) }} "
    parsed = parse(sparql)
    if parsed.form == "CONSTRUCT" and _is_short_construct(parsed):
        parsed = parse(long_construct(parsed))
    opening = _where_opening(parsed)
    if opening is None:
        return _append_where(parsed, values)
    text = parsed.text

    return text[: opening.end] + values + text[opening.end :]


def _where_opening(parsed: Parsed) -> Token | None:
    """Return the ``{`` that opens the query's ``WHERE`` clause, if it has one."""
    body = parsed.body
    skip_template = parsed.form == "CONSTRUCT"
    depth = 0
    for token in body:
        if token.kind != "other" or token.text not in "{}":
            continue
        if token.text == "{":
            if depth == 0 and not skip_template:
                return token
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                skip_template = False

    return None


def _append_where(parsed: Parsed, values: str) -> str:
    """Give a ``DESCRIBE`` without ``WHERE`` a clause holding ``values``."""
    body = parsed.body
    index = 1
    while index < len(body) and (
        body[index].kind in ("var", "iri", "pname") or body[index].text == "*"
    ):
        index += 1
    while index < len(body) and body[index].is_word("FROM"):
        index += 3 if index + 1 < len(body) and body[index + 1].is_word("NAMED") else 2
    position = body[index - 1].end
    text = parsed.text

    return text[:position] + f" WHERE {{{values}}}" + text[position:]


def _is_short_construct(parsed: Parsed) -> bool:
    body = parsed.body
    return len(body) > 1 and body[1].is_word("WHERE")


def _group_end(items: list[Token], opening: Token) -> Token:
    """Return the ``}`` that closes the group opened by ``opening``."""
    depth = 0
    for token in items:
        if token.start < opening.start or token.kind != "other":
            continue
        depth += {"{": 1, "}": -1}.get(token.text, 0)
        if depth == 0:
            return token
    raise QuerySyntaxError("a group opened with '{' is never closed")


def long_construct(parsed: Parsed) -> str:
    """Rewrite ``CONSTRUCT WHERE { P }`` as ``CONSTRUCT { P } WHERE { P }``."""
    body = parsed.body
    opening = next(t for t in body if t.kind == "other" and t.text == "{")
    closing = _group_end(body, opening)
    pattern = parsed.text[opening.start : closing.end]
    text = parsed.text

    return text[: body[0].end] + f" {pattern} WHERE {pattern}" + text[closing.end :]


@dataclass(frozen=True)
class ConstructParts:
    """A ``CONSTRUCT`` query as a template and the ``SELECT`` that fills it."""

    prologue: str
    template: str
    select: str


def construct_as_select(sparql: str) -> ConstructParts:
    """Split a ``CONSTRUCT`` into its template and a ``SELECT *`` of its pattern."""
    parsed = parse(sparql)
    if _is_short_construct(parsed):
        parsed = parse(long_construct(parsed))
    body = parsed.body
    opening = next(t for t in body if t.kind == "other" and t.text == "{")
    closing = _group_end(body, opening)
    template = parsed.text[opening.start : closing.end]
    rest = parsed.text[closing.end :]

    return ConstructParts(parsed.prologue, template, f"SELECT * {rest}")


def describe_as_construct(sparql: str) -> str:
    """Rewrite a ``DESCRIBE`` as a ``CONSTRUCT`` of the concise bounded description.

    The description of a resource is every triple it is the subject of, and,
    through blank node objects, theirs (down to :data:`DESCRIBE_DEPTH` levels),
    as Oxigraph describes resources.
    """
    parsed = parse(sparql)
    body = parsed.body
    targets = []
    index = 1
    while index < len(body) and (
        body[index].kind in ("var", "iri", "pname") or body[index].text == "*"
    ):
        targets.append(body[index])
        index += 1
    if any(token.text == "*" for token in targets):
        raise DataError(
            "DESCRIBE * is not supported on a remote store",
            hint="name the variables or IRIs to describe",
        )
    template, pattern = _description_patterns()
    rest = parsed.text[body[index - 1].end :] if targets else ""
    variables = [t.text for t in targets if t.kind == "var"]
    constants = [t.text for t in targets if t.kind != "var"]
    sources = []
    inner = rest.strip() or "WHERE {}"
    sources += [f"{{ SELECT DISTINCT ({v} AS ?resource) {inner} }}" for v in variables]
    if constants:
        sources.append(f"{{ VALUES ?resource {{ {' '.join(constants)} }} }}")
    union = " UNION ".join(sources)

    return f"{parsed.prologue}CONSTRUCT {{ {template} }} WHERE {{ {union} {pattern} }}"


def _description_patterns() -> tuple[str, str]:
    """Return the template and pattern of a description through blank nodes."""
    template = [
        f"?o{level - 1} ?p{level} ?o{level} ." for level in range(1, 1 + DESCRIBE_DEPTH)
    ]
    pattern = ""
    for level in range(DESCRIBE_DEPTH, 0, -1):
        subject = f"?o{level - 1}"
        pattern = (
            f"OPTIONAL {{ FILTER(isBlank({subject})) "
            f"{subject} ?p{level} ?o{level} . {pattern}}} "
        )
    first = "?resource ?p0 ?o0 ."

    return "?resource ?p0 ?o0 . " + " ".join(template), f"{first} {pattern}"


def names_a_graph(sparql: str) -> bool:
    """Tell whether the query has a ``GRAPH`` pattern with a constant graph name."""
    items = parse(sparql).items
    for token, following in zip(items, items[1:], strict=False):
        if token.is_word("GRAPH") and following.kind in ("iri", "pname"):
            return True

    return False


def page(sparql: str, variables: list[str], offset: int, count: int) -> str:
    """Return one page of a ``SELECT``: its solutions ``offset`` to ``offset+count``.

    The query becomes a subquery, sorted by its own ``ORDER BY`` or else by all
    its ``variables`` so that the pages follow one order, and the outer query
    takes the page (the form Virtuoso documents for paging past its row cap).
    ``FROM`` clauses move to the outer query, where the grammar allows them.
    """
    parsed = parse(sparql)
    inner, dataset = _without_dataset(parsed)
    inner = inner[len(parsed.prologue) :]
    if not _has_top_level(parse(inner), "ORDER") and variables:
        inner = _insert_order(parse(inner), variables)

    return (
        f"{parsed.prologue}SELECT * {' '.join(dataset)} WHERE {{ {{ {inner}\n}} }} "
        f"LIMIT {count} OFFSET {offset}"
    )


def with_dataset(sparql: str, default: list[str], named: list[str]) -> str:
    """Give a ``SELECT`` or ``ASK`` its dataset as ``FROM`` and ``FROM NAMED`` clauses.

    They replace the query's own, as the protocol's ``default-graph-uri`` and
    ``named-graph-uri`` would. Clauses in the text, unlike protocol parameters,
    are not echoed back by Virtuoso as one response header per graph.
    """
    parsed = parse(sparql)
    text, _ = _without_dataset(parsed)
    parsed = parse(text)
    opening = _where_opening(parsed)
    if opening is None:
        raise QuerySyntaxError("the query has no WHERE clause")
    body = parsed.body
    position = opening.start
    before = [token for token in body if token.end <= opening.start]
    if before and before[-1].is_word("WHERE"):
        position = before[-1].start
    clauses = [f"FROM <{graph}>" for graph in default]
    clauses += [f"FROM NAMED <{graph}>" for graph in named]

    return text[:position] + " ".join(clauses) + " " + text[position:]


def _without_dataset(parsed: Parsed) -> tuple[str, list[str]]:
    """Take the top-level ``FROM`` clauses out of a query; return both."""
    body = parsed.body
    dataset: list[str] = []
    spans: list[tuple[int, int]] = []
    index = 0
    depth = 0
    while index < len(body):
        token = body[index]
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
        if depth == 0 and token.is_word("FROM"):
            named = index + 1 < len(body) and body[index + 1].is_word("NAMED")
            clause = body[index : index + (3 if named else 2)]
            dataset.append(parsed.text[clause[0].start : clause[-1].end])
            spans.append((token.start, clause[-1].end))
            index += len(clause)
            continue
        index += 1
    text = parsed.text
    for start, end in reversed(spans):
        text = text[:start] + text[end:]

    return text, dataset


def _has_top_level(parsed: Parsed, word: str) -> bool:
    depth = 0
    for token in parsed.items:
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
        elif depth == 0 and token.is_word(word):
            return True

    return False


def _insert_order(parsed: Parsed, variables: list[str]) -> str:
    """Add ``ORDER BY`` over ``variables`` after the ``WHERE`` group and grouping."""
    opening = _where_opening(parsed)
    if opening is None:
        return parsed.text
    closing = _group_end(parsed.items, opening)
    position = len(parsed.text)
    depth = 0
    for token in parsed.items:
        if token.start <= closing.start:
            continue
        if token.kind == "other" and token.text in "{}(":
            depth += 1 if token.text in "{(" else -1
        elif token.kind == "other" and token.text == ")":
            depth -= 1
        elif depth == 0 and token.is_word("LIMIT", "OFFSET", "VALUES"):
            position = token.start
            break
    order = "ORDER BY " + " ".join(f"?{name}" for name in variables)
    text = parsed.text

    return text[:position] + f" {order} " + text[position:]
