"""Lexical reading of SPARQL text: which keywords a query or update really uses.

Oxigraph parses and evaluates SPARQL; this module only looks at the words of a
request outside strings, IRIs and comments, to answer questions the engine has
no interface for: does a query name its own dataset (``FROM``), which endpoints
does it call (``SERVICE``), which documents does an update fetch (``LOAD``), and
where do ``USING`` clauses go when the protocol gives the update's dataset.

Codepoint escapes (``\\u0041``) are resolved first, as the SPARQL grammar
requires, so an escaped keyword is still seen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from rusmeco.core.errors import DataError, QuerySyntaxError

log = logging.getLogger(__name__)

# Deepest nesting of groups, brackets, quoted triples and ``!`` a request may
# have: far above real queries (a dozen levels), far below a stack overflow.
# Nested blank nodes, collections and quoted triples also take the parser
# time that grows steeply with depth (about half a second at 64 levels).
NESTING_LIMIT = 64
_OPENERS = {"{": "}", "(": ")", "[": "]"}
_CLOSERS = frozenset(_OPENERS.values())
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_IRI = r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)"""
_STRING = r"""(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
             |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
             |'(?:[^'\\\n\r]|\\.)*'
             |"(?:[^"\\\n\r]|\\.)*")"""
_COMMENT = r"(?P<comment>\#[^\n\r]*)"

_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | {_IRI}
  | {_STRING}
  | {_COMMENT}
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w:%\-]|\\.|\.(?=[\w:%\-]))*)
  | (?P<word>[^\W\d][\w\-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# What the nesting check reads: strings, IRIs and comments as wholes (what they
# hold does not nest), and the marks that open or close levels.
_STRUCTURE = re.compile(
    rf"{_IRI} | {_STRING} | {_COMMENT} | (?P<mark>[{{}}()\[\]<>!])",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One lexical unit of SPARQL text and where it starts and ends."""

    kind: str
    text: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        """Tell whether the token is one of the keywords ``words`` (any case)."""
        return self.kind == "word" and self.text.upper() in words


def unescape_codepoints(text: str) -> str:
    """Resolve ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes as the grammar does first."""

    def replace(match: re.Match[str]) -> str:
        return chr(int(match.group(1) or match.group(2), 16))

    return _CODEPOINT.sub(replace, text)


def tokens(text: str) -> Iterator[Token]:
    """Yield the tokens of ``text``, leaving out white space and comments."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        yield Token(kind, match.group(), match.start(), match.end())


def check_nesting(sparql: str, limit: int = NESTING_LIMIT) -> None:
    """Raise QuerySyntaxError when ``sparql`` nests deeper than ``limit`` levels.

    Levels are opened by ``{``, ``(``, ``[``, ``<<`` and each ``!`` of a run,
    outside strings and comments. Brackets inside IRIs count too: the engine may
    read ``<`` as "less than", and a legitimate IRI closes what it opens.
    """
    if _openers(sparql) <= limit and "\\u" not in sparql and "\\U" not in sparql:
        return
    text = unescape_codepoints(sparql)
    depth, where = _deepest(text)
    if depth > limit:
        line = text.count("\n", 0, where) + 1
        column = where - (text.rfind("\n", 0, where) + 1) + 1
        raise QuerySyntaxError(
            f"the request nests {depth} levels deep (at line {line}, column "
            f"{column}), more than the limit of {limit}",
            hint="groups { }, brackets ( ) and [ ], quoted triples << >> and "
            "negations ! count as levels; write the request with fewer",
        )


def _openers(text: str) -> int:
    """Count the characters that could open a level: an upper bound of depth."""
    return sum(text.count(char) for char in "{([<!")


def _deepest(text: str) -> tuple[int, int]:
    """Return the deepest nesting of ``text`` and the offset where it is reached."""
    depth = run = deepest = where = 0
    last_end, last = -1, ""
    for match in _STRUCTURE.finditer(text):
        kind, char = match.lastgroup, match.group()
        if kind == "iri":
            depth, level = _through_iri(char, depth)
        elif kind == "mark":
            adjacent = last_end == match.start() and last == char != "!"
            depth = _step(depth, char, adjacent)
            negated = last == "!" and not text[last_end : match.start()].strip()
            run = run + 1 if char == "!" and negated else int(char == "!")
            level = depth + run
            last_end, last = match.end(), "" if adjacent else char
        else:
            continue
        if level > deepest:
            deepest, where = level, match.start()

    return deepest, where


def _step(depth: int, char: str, adjacent: bool) -> int:
    """Return the depth after one mark (never below zero)."""
    if char in _OPENERS or (char == "<" and adjacent):
        return depth + 1
    if char in _CLOSERS or (char == ">" and adjacent):
        return max(depth - 1, 0)

    return depth


def _through_iri(iri: str, depth: int) -> tuple[int, int]:
    """Return the depth after the brackets of an IRI token, and the deepest in it."""
    deepest = depth
    for char in iri:
        if char in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSERS:
            depth = max(depth - 1, 0)

    return depth, deepest


def first_keyword(sparql: str) -> str | None:
    """Return the first keyword after the prologue, upper-cased; None if none."""
    skip = 0
    for token in tokens(unescape_codepoints(sparql)):
        if skip:
            skip -= 1
        elif token.is_word("PREFIX", "BASE"):
            skip = 2 if token.is_word("PREFIX") else 1
        elif token.kind == "word":
            return token.text.upper()
        else:
            return None

    return None


def query_form(sparql: str) -> str | None:
    """Return ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; None if unclear."""
    keyword = first_keyword(sparql)

    return keyword if keyword in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else None


def projection_order(sparql: str, variables: list[str]) -> list[str]:
    """Return the ``variables`` of an answer in the order its query names them.

    Oxigraph lists the variables of ``SELECT *`` alphabetically (``?o ?p ?s``);
    this puts them in the order of their first mention in the query (``?s ?p
    ?o``). An explicit projection is left in the engine's order, which is its own.
    """
    if len(variables) < 2 or "*" not in sparql:
        return variables
    text = unescape_codepoints(sparql)
    items = tokens(text)
    if not _projects_everything(items):
        return variables
    first: dict[str, int] = {}
    for token in items:
        if token.kind == "var":
            first.setdefault(token.text[1:], token.start)

    return sorted(variables, key=lambda name: first.get(name, len(text)))


def _projects_everything(items: Iterator[Token]) -> bool:
    """Read a query's prologue and SELECT keyword; tell whether ``*`` follows."""
    skip = 0
    for token in items:
        if skip:
            skip -= 1
        elif token.is_word("PREFIX", "BASE"):
            skip = 2 if token.is_word("PREFIX") else 1
        elif token.is_word("SELECT"):
            following = next(items, None)
            if following is not None and following.is_word("DISTINCT", "REDUCED"):
                following = next(items, None)
            return following is not None and following.text == "*"
        else:
            return False

    return False


def has_dataset_clause(sparql: str) -> bool:
    """Tell whether a query chooses its own dataset with ``FROM`` or ``FROM NAMED``."""
    text = unescape_codepoints(sparql)
    if "from" not in text.lower():
        return False

    return any(token.is_word("FROM") for token in tokens(text))


def service_targets(
    sparql: str, prefixes: dict[str, str] | None = None
) -> list[str | None]:
    """Return the endpoint of every ``SERVICE`` clause; None where it is not an IRI.

    ``prefixes`` are those predeclared for the text. A variable, or a prefixed
    name whose prefix is not declared, gives None: such a call cannot be checked
    before it runs.
    """
    return _targets_of(sparql, "SERVICE", prefixes or {})


def load_sources(
    sparql: str, prefixes: dict[str, str] | None = None
) -> list[str | None]:
    """Return the document of every ``LOAD`` operation of an update."""
    return _targets_of(sparql, "LOAD", prefixes or {})


def _targets_of(
    sparql: str, keyword: str, predeclared: dict[str, str]
) -> list[str | None]:
    text = unescape_codepoints(sparql)
    if keyword.lower() not in text.lower():
        return []
    found: list[str | None] = []
    items = list(tokens(text))
    prefixes, base = _prologue(items, predeclared)
    for index, token in enumerate(items):
        if not token.is_word(keyword):
            continue
        following = items[index + 1 : index + 3]
        if following and following[0].is_word("SILENT"):
            following = following[1:]
        target = following[0] if following else None
        found.append(_resolve(target, prefixes, base))

    return found


def _prologue(
    items: list[Token], predeclared: dict[str, str]
) -> tuple[dict[str, str], str | None]:
    """Collect ``PREFIX`` declarations (over the predeclared ones) and ``BASE``."""
    prefixes = dict(predeclared)
    base: str | None = None
    for index, token in enumerate(items):
        nxt = items[index + 1 : index + 3]
        if token.is_word("PREFIX") and len(nxt) == 2 and nxt[1].kind == "iri":
            name = nxt[0].text.rstrip(":") if nxt[0].kind == "pname" else ""
            prefixes[name] = _absolute(nxt[1].text[1:-1], base) or ""
        elif token.is_word("BASE") and nxt and nxt[0].kind == "iri":
            base = _absolute(nxt[0].text[1:-1], base)

    return prefixes, base


def _resolve(
    token: Token | None, prefixes: dict[str, str], base: str | None
) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return _absolute(token.text[1:-1], base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix)
        return namespace + local if namespace else None

    return None


def _absolute(iri: str, base: str | None) -> str | None:
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        return iri
    if base:
        return urljoin(base, iri)

    return None


def add_using_clauses(
    update: str, default_graphs: list[str], named_graphs: list[str]
) -> str:
    """Give every ``DELETE``/``INSERT ... WHERE`` of an update the protocol's dataset.

    This is what the ``using-graph-uri`` and ``using-named-graph-uri`` parameters
    of the SPARQL protocol mean. An update that names its own dataset with
    ``USING`` or ``WITH`` cannot take them as well (:class:`DataError`).
    """
    if not default_graphs and not named_graphs:
        return update
    text = unescape_codepoints(update)
    items = list(tokens(text))
    if any(token.is_word("USING", "WITH") for token in items):
        raise DataError(
            "the update names its dataset with USING or WITH and the request "
            "gives using-graph-uri or using-named-graph-uri as well",
            hint="give the dataset in one place only",
        )
    clauses = " ".join(
        [f"USING <{graph}>" for graph in default_graphs]
        + [f"USING NAMED <{graph}>" for graph in named_graphs]
    )
    edits = [
        edit
        for operation in _operations(items)
        for edit in _using_edits(operation, clauses, text)
    ]
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    log.debug("added %s to the update", clauses)

    return text


def _operations(items: list[Token]) -> Iterator[list[Token]]:
    """Split the tokens of an update into its operations (at top-level ``;``)."""
    depth = 0
    current: list[Token] = []
    for token in items:
        if token.text in "{(" and token.kind == "other":
            depth += 1
        elif token.text in "})" and token.kind == "other":
            depth -= 1
        if depth == 0 and token.kind == "other" and token.text == ";":
            yield current
            current = []
            continue
        current.append(token)
    yield current


def _using_edits(
    operation: list[Token], clauses: str, text: str
) -> list[tuple[int, int, str]]:
    """Return the text edits that give one operation the ``USING`` clauses."""
    body = _skip_prologue(operation)
    if not body or not body[0].is_word("DELETE", "INSERT"):
        return []
    second = body[1] if len(body) > 1 else None
    if second is not None and second.is_word("DATA"):
        return []
    if body[0].is_word("DELETE") and second is not None and second.is_word("WHERE"):
        return _delete_where_edit(operation, body[0], clauses, text)
    where = _top_level_where(operation)
    if where is None:
        return []

    return [(where.start, where.start, clauses + " ")]


def _skip_prologue(operation: list[Token]) -> list[Token]:
    """Return the tokens of an operation after its ``PREFIX`` and ``BASE`` lines."""
    index = 0
    while index < len(operation):
        token = operation[index]
        if token.is_word("PREFIX"):
            index += 3
        elif token.is_word("BASE"):
            index += 2
        else:
            break

    return operation[index:]


def _top_level_where(operation: list[Token]) -> Token | None:
    depth = 0
    for token in operation:
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        elif depth == 0 and token.is_word("WHERE"):
            return token

    return None


def _delete_where_edit(
    operation: list[Token], delete: Token, clauses: str, text: str
) -> list[tuple[int, int, str]]:
    """Rewrite ``DELETE WHERE { P }`` as ``DELETE { P } USING ... WHERE { P }``."""
    opening = next(
        (t for t in operation if t.start > delete.end and t.text == "{"), None
    )
    if opening is None:
        return []
    depth = 0
    for token in operation:
        if token.start < opening.start or token.kind != "other":
            continue
        depth += {"{": 1, "}": -1}.get(token.text, 0)
        if depth == 0:
            pattern = text[opening.start : token.end]
            return [
                (delete.start, token.end, f"DELETE {pattern} {clauses} WHERE {pattern}")
            ]

    return []
