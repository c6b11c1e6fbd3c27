"""The remote backend: the store behind a SPARQL 1.1 endpoint (Virtuoso, Fuseki, ...).

A store location that is an ``http://`` or ``https://`` address selects it. Queries
and updates go through SPARQLWrapper as form POSTs; loads and large commits go to
the Graph Store protocol endpoint when one is configured, else through updates.
Answers come back as SPARQL JSON and are read by pyoxigraph, so a
:class:`~rusmeco.kb.evaluation.QueryResult` is the same on both backends.

What the backend does so that no server quirk becomes a silent wrong answer:

* The default graph of a query is the union of the store's named graphs, named
  in the query (``FROM`` and ``FROM NAMED``), so graphs the server keeps for
  itself (Virtuoso's system graphs, staging graphs) never join in. (Protocol
  parameters would do the same, but Virtuoso echoes each one as a response
  header, and Python's HTTP client refuses answers with over 100 headers.)
* A result the server cuts at its row cap (Virtuoso's ``ResultSetMaxRows``, told
  by the ``X-SPARQL-MaxRows`` header, or ``RUSMECO_STORE_MAX_ROWS``) is fetched
  again page by page with ``LIMIT``/``OFFSET``.
* ``CONSTRUCT`` runs as a ``SELECT`` of its pattern (paged like any other) whose
  template is filled in locally by Oxigraph; ``DESCRIBE`` is the concise bounded
  description Oxigraph gives, so both backends describe a resource alike.
* Blank nodes come back with valid labels; ASK answers sent as a one-row table
  (Virtuoso) are read as booleans; a partial "anytime" answer is a time-out.
* A commit is one update request when it is small (up to
  :data:`MAX_UPDATE_TRIPLES` triples and :data:`MAX_GRAPHS_PER_UPDATE` graphs;
  Virtuoso's SPARQL compiler fails on a few thousand triples or a few hundred
  operations). A larger one is written in parts to hidden staging graphs, then
  swapped in by small updates of up to :data:`MAX_GRAPHS_PER_UPDATE` graphs each.
  So a large commit is not atomic on a remote store: a reader may see some of
  its graphs replaced before others, and a failure part way through the swaps
  leaves those done in place. Virtuoso, moreover, applies the operations of
  one request one after the other and keeps those done when a later one fails.

The store itself holds named graphs only: the unnamed default graph of a query
(:data:`~rusmeco.kb.evaluation.DEFAULT_GRAPH`) is always empty.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import logging
import math
import os
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests
from SPARQLWrapper import BASIC, JSON, POST, URLENCODED, SPARQLWrapper

from rusmeco.core.errors import (
    ConfigError,
    DataError,
    NotFound,
    QuerySyntaxError,
    QueryTimeout,
    RusmecoError,
    StoreUnavailable,
)
from rusmeco.kb.evaluation import DEFAULT_GRAPH, QueryResult, Term
from rusmeco.kb.formats import format_for_path, rdf_format
from rusmeco.kb.remote_sparql import (
    ConstructParts,
    bind_values,
    construct_as_select,
    describe_as_construct,
    names_a_graph,
    page,
    parse,
    with_dataset,
    with_prologue,
)
from rusmeco.kb.sparql import add_using_clauses, has_dataset_clause
from rusmeco.kb.store import Store, Transaction
from rusmeco.ontology.namespaces import PREFIXES

log = logging.getLogger(__name__)

ENV_QUERY_URL = "RUSMECO_STORE"
ENV_UPDATE_URL = "RUSMECO_STORE_UPDATE_URL"
ENV_GRAPH_STORE_URL = "RUSMECO_STORE_GSP_URL"
ENV_USER = "RUSMECO_STORE_USER"
ENV_PASSWORD = "RUSMECO_STORE_PASSWORD"
ENV_TOKEN = "RUSMECO_STORE_TOKEN"
ENV_AUTH = "RUSMECO_STORE_AUTH"
ENV_TIMEOUT = "RUSMECO_STORE_TIMEOUT"
ENV_RETRIES = "RUSMECO_STORE_RETRIES"
ENV_MAX_ROWS = "RUSMECO_STORE_MAX_ROWS"
ENV_HIDDEN_GRAPHS = "RUSMECO_STORE_HIDDEN_GRAPHS"
ENVIRONMENT = (
    ENV_UPDATE_URL,
    ENV_GRAPH_STORE_URL,
    ENV_USER,
    ENV_PASSWORD,
    ENV_TOKEN,
    ENV_AUTH,
    ENV_TIMEOUT,
    ENV_RETRIES,
    ENV_MAX_ROWS,
    ENV_HIDDEN_GRAPHS,
)

AUTH_SCHEMES = ("basic", "digest", "bearer")

# Graphs a Virtuoso server keeps for itself (quad maps, LDP, its service
# description and WebDAV graphs); they are not part of the knowledge base.
SERVER_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#",
    "http://localuriqaserver/",
    "http://localhost:8890/",
)
STAGING_PREFIX = "urn:rusmeco:staging:"
STAMP_GRAPH = "urn:rusmeco:store"
STAMP_PREDICATE = "urn:rusmeco:version"
# Stands for the unnamed default graph, which a remote store here never holds.
EMPTY_GRAPH = "urn:rusmeco:empty"
BNODE_IRI = "urn:rusmeco:bnode:"

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Rows of a CONSTRUCT pattern filled into the template per local query.
TEMPLATE_BATCH = 2000
CHUNK_TRIPLES = 20_000
MAX_UPDATE_TRIPLES = 1000
# Graphs one update request may drop or swap in (Virtuoso's compiler gives up
# at a few hundred operations).
MAX_GRAPHS_PER_UPDATE = 100

_VALID_BNODE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")
_VIRTUOSO_ERROR = re.compile(r"Virtuoso (\w{5}) Error")

T = TypeVar("T")


@dataclass(frozen=True)
class RemoteConfig:
    """Where the endpoints are, how to sign in, and how patient to be."""

    query_url: str
    update_url: str
    graph_store_url: str | None = None
    auth: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    retries: int = 3
    max_rows: int | None = None
    # Triples per request when a load or a large commit is sent in parts.
    chunk_triples: int = CHUNK_TRIPLES
    # Triples one update request may carry: Virtuoso's SPARQL compiler fails
    # on a few thousand. A larger commit is staged in parts.
    max_update_triples: int = MAX_UPDATE_TRIPLES
    # Seconds a listing of the graphs is reused for the default graph of
    # queries; the store's own writes list them again at once.
    graphs_ttl: float = 2.0
    hidden_graphs: tuple[str, ...] = SERVER_GRAPHS

    @classmethod
    def from_location(
        cls, location: str, environ: Mapping[str, str] | None = None
    ) -> RemoteConfig:
        """Read the query URL from ``location`` and the rest from ``RUSMECO_STORE_*``.

        Credentials may be written into the URL (``https://user:secret@host/...``);
        they are taken out of it, so that messages and logs never show them.
        """
        env = os.environ if environ is None else environ
        query_url, url_user, url_password = _split_credentials(location)
        update_url, _, _ = _split_credentials(env.get(ENV_UPDATE_URL) or query_url)
        gsp = env.get(ENV_GRAPH_STORE_URL)
        user = env.get(ENV_USER) or url_user
        password = env.get(ENV_PASSWORD) or url_password
        token = env.get(ENV_TOKEN) or None
        auth = (env.get(ENV_AUTH) or "").lower() or _default_auth(user, token)
        if auth and auth not in AUTH_SCHEMES:
            raise ConfigError(
                f"{ENV_AUTH}={auth!r} is not an authentication scheme I know",
                hint=f"use one of: {', '.join(AUTH_SCHEMES)}",
            )
        if auth in ("basic", "digest") and not (user and password):
            raise ConfigError(
                f"{auth} authentication needs a user name and a password",
                hint=f"set {ENV_USER} and {ENV_PASSWORD}",
            )
        if auth == "bearer" and not token:
            raise ConfigError(
                "bearer authentication needs a token", hint=f"set {ENV_TOKEN}"
            )
        hidden = env.get(ENV_HIDDEN_GRAPHS)

        return cls(
            query_url=query_url,
            update_url=update_url,
            graph_store_url=_split_credentials(gsp)[0] if gsp else None,
            auth=auth or None,
            user=user,
            password=password,
            token=token,
            timeout=_positive(env, ENV_TIMEOUT, 60.0, float),
            retries=int(_positive(env, ENV_RETRIES, 3, int, allow_zero=True)),
            max_rows=int(_positive(env, ENV_MAX_ROWS, 0, int)) or None,
            hidden_graphs=(
                tuple(g.strip() for g in hidden.split(",") if g.strip())
                if hidden is not None
                else SERVER_GRAPHS
            ),
        )


def _split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """Take user and password out of ``url``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{_redact(url)} is not an http:// or https:// address",
            hint="give the full address of the SPARQL endpoint",
        )
    if parts.username is None:
        return url, None, None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))

    return clean, parts.username, parts.password


def _redact(url: str) -> str:
    return re.sub(r"//[^/@]*@", "//", url)


def _default_auth(user: str | None, token: str | None) -> str:
    if token:
        return "bearer"

    return "basic" if user else ""


def _positive(
    env: Mapping[str, str],
    name: str,
    default: float,
    kind: type[float] | type[int],
    *,
    allow_zero: bool = False,
) -> float:
    value = env.get(name)
    if not value:
        return default
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a {kind.__name__}") from None
    if number < 0 or (number == 0 and not allow_zero):
        raise ConfigError(f"{name}={value!r} must be positive")

    return number


@dataclass
class Answer:
    """The body and headers of one successful HTTP answer."""

    body: bytes
    headers: Mapping[str, str]


class Endpoint:
    """HTTP to the server: queries, updates, graph uploads; retries and errors."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self.server = ""
        self.session = requests.Session()
        if config.auth == "basic":
            self.session.auth = requests.auth.HTTPBasicAuth(
                config.user or "", config.password or ""
            )
        elif config.auth == "digest":
            self.session.auth = requests.auth.HTTPDigestAuth(
                config.user or "", config.password or ""
            )
        elif config.auth == "bearer":
            self.session.headers["Authorization"] = f"Bearer {config.token}"
        self.opener = _opener(config)

    @property
    def is_virtuoso(self) -> bool:
        """Tell whether the server said it is Virtuoso."""
        return self.server.startswith("Virtuoso")

    def query(self, text: str, timeout: float | None, pragmas: str = "") -> Answer:
        """POST a query (after Virtuoso ``pragmas``); answers come as SPARQL JSON."""
        wrapper = self._wrapper(pragmas + text, "SELECT", timeout)
        if timeout is not None and self.is_virtuoso:
            wrapper.addParameter("timeout", str(int(timeout * 1000)))
        url = self.config.query_url

        return self._retrying(url, lambda: self._send(wrapper, url, timeout), True)

    def update(self, text: str) -> None:
        """POST an update to the update endpoint."""
        wrapper = self._wrapper(text, "INSERT", None)
        url = self.config.update_url
        self._retrying(url, lambda: self._send(wrapper, url, None), False)

    def post_graph(self, graph: str, ntriples: bytes) -> None:
        """Add N-Triples to ``graph`` through the graph store protocol."""
        url = self.config.graph_store_url or ""

        def send() -> Answer:
            try:
                response = self.session.post(
                    url,
                    params={"graph": graph},
                    data=ntriples,
                    headers={"Content-Type": N_TRIPLES},
                    timeout=self.config.timeout,
                )
            except requests.Timeout:
                raise TimeoutError(f"no answer in {self.config.timeout} s") from None
            except requests.ConnectionError as error:
                raise ConnectionError(_reason(error)) from None
            if response.status_code >= 400:
                raise _HttpFailure(response.status_code, response.content)
            self._note_server(response.headers)
            return Answer(response.content, response.headers)

        self._retrying(url, send, False)

    def _wrapper(self, text: str, kind: str, timeout: float | None) -> SPARQLWrapper:
        config = self.config
        wrapper = SPARQLWrapper(config.query_url, updateEndpoint=config.update_url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)
        wrapper.setReturnFormat(JSON)
        # The text is given as is: SPARQLWrapper only guesses the kind from it.
        wrapper.queryString = text
        wrapper.queryType = kind
        wrapper.setTimeout(int(timeout + 5 if timeout else config.timeout))
        if config.auth == "bearer":
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {config.token}")
        elif config.auth == "basic":
            wrapper.setHTTPAuth(BASIC)
            wrapper.setCredentials(config.user, config.password)
        wrapper.addCustomHttpHeader("Accept", RESULTS_JSON)

        return wrapper

    def _send(self, wrapper: SPARQLWrapper, url: str, timeout: float | None) -> Answer:
        try:
            # SPARQLWrapper writes the request; this endpoint's own opener sends
            # it (digest sign-in without SPARQLWrapper's process-wide opener).
            request = wrapper._createRequest()
            response = self.opener.open(request, timeout=wrapper.timeout)
        except urllib.error.HTTPError as error:
            with error:
                raise _HttpFailure(error.code, error.read()) from None
        except TimeoutError:
            raise
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise TimeoutError(str(error.reason)) from None
            raise ConnectionError(_reason(error)) from None
        except (http.client.HTTPException, OSError) as error:
            raise ConnectionError(_reason(error)) from None
        with response:
            try:
                body = response.read()
            except TimeoutError:
                raise
            except (http.client.HTTPException, OSError) as error:
                raise ConnectionError(_reason(error)) from None
            headers = {name: value for name, value in response.headers.items()}
        self._note_server(headers)

        return Answer(body, headers)

    def _note_server(self, headers: Mapping[str, str]) -> None:
        if not self.server:
            self.server = headers.get("Server", "") or "unknown"
            log.debug(
                "the store at %s is served by %s", self.config.query_url, self.server
            )

    def _retrying(self, url: str, send: Callable[[], T], idempotent: bool) -> T:
        """Send, again after a pause when the connection failed; map failures."""
        attempts = 1 + self.config.retries
        for attempt in range(attempts):
            try:
                return send()
            except ConnectionError as error:
                refused = "refused" in str(error).lower()
                if attempt + 1 == attempts or not (idempotent or refused):
                    raise _unreachable(url, str(error), idempotent) from None
                pause = 0.2 * 2**attempt
                log.info(
                    "cannot reach %s (%s); trying again in %.1f s", url, error, pause
                )
                time.sleep(pause)
            except TimeoutError as error:
                raise _timed_out(url, str(error), idempotent) from None
            except _HttpFailure as failure:
                raise failure.error(url) from None
        raise AssertionError("unreachable")  # pragma: no cover


class _HttpFailure(Exception):
    """The server answered with an error status."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.message = _server_message(body)

    def error(self, url: str) -> RusmecoError:
        """Return the product error this answer means."""
        message, status = self.message, self.status
        virtuoso = _VIRTUOSO_ERROR.search(message)
        state = virtuoso.group(1) if virtuoso else ""
        if status in (401, 403) or "No permission" in message:
            return StoreUnavailable(
                f"the store at {url} refused the request ({status}): {message}",
                hint="check RUSMECO_STORE_USER, RUSMECO_STORE_PASSWORD and "
                "RUSMECO_STORE_AUTH, and the writer's grants on the server",
            )
        if "SR171" in message or state.startswith("S1T"):
            return QueryTimeout(f"the store at {url} stopped the query: {message}")
        if "estimated execution time" in message:
            return QueryTimeout(
                f"the store at {url} refused the query beforehand: {message}",
                hint="Virtuoso's estimate is often far off; its administrator can "
                "raise MaxQueryCostEstimationTime, or set it to 0",
            )
        if state == "37000" or (status == 400 and "syntax" in message.lower()):
            return QuerySyntaxError(message)
        if status == 400 or state.startswith("22") or state.startswith("42"):
            return DataError(f"the store at {url} refused it: {message}")
        if status == 404:
            return StoreUnavailable(
                f"cannot reach the store at {url}: there is no SPARQL endpoint there "
                "(404)",
                hint="check the address in RUSMECO_STORE",
            )

        return StoreUnavailable(f"the store at {url} failed ({status}): {message}")


def _server_message(body: bytes) -> str:
    """Return the first paragraph of an error page (Virtuoso echoes the query after)."""
    text = body.decode("utf-8", errors="replace").strip()
    text = re.sub(r"<[^>]+>", " ", text) if text.startswith("<") else text
    first = text.split("\n\n", 1)[0].strip()

    return " ".join(first.split())[:500]


class _DigestHandler(urllib.request.HTTPDigestAuthHandler):
    """HTTP Digest sign-in that closes the server's challenge once it is answered."""

    def http_error_401(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
    ) -> http.client.HTTPResponse | None:
        """Answer the challenge, then close the 401 response that carried it."""
        try:
            retry = super().http_error_401(req, fp, code, msg, headers)
        except urllib.error.HTTPError:
            fp.close()
            raise
        if retry is not None:
            fp.close()

        return retry


def _opener(config: RemoteConfig) -> urllib.request.OpenerDirector:
    """Return the opener for SPARQL requests: with digest sign-in when configured."""
    if config.auth != "digest":
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    for url in {config.query_url, config.update_url}:
        if url:
            passwords.add_password(None, url, config.user, config.password)

    return urllib.request.build_opener(_DigestHandler(passwords))


def _reason(error: BaseException) -> str:
    """Say in a few words why a connection failed."""
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    if isinstance(reason, ConnectionRefusedError) or "refused" in text.lower():
        return "connection refused"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror

    return text or type(reason).__name__


def _unreachable(url: str, reason: str, idempotent: bool) -> StoreUnavailable:
    hint = "is the SPARQL server running? Check the address in RUSMECO_STORE"
    if not idempotent:
        hint += "; the update may or may not have been applied"

    return StoreUnavailable(f"cannot reach the store at {url}: {reason}", hint=hint)


def _timed_out(url: str, reason: str, query: bool) -> RusmecoError:
    if query:
        return QueryTimeout(f"the store at {url} did not answer in time ({reason})")

    return StoreUnavailable(
        f"cannot reach the store at {url}: no answer in time ({reason})",
        hint="the update may or may not have been applied; look before repeating it",
    )


class RemoteStore(Store):
    """A store behind SPARQL 1.1 query, update and graph store endpoints."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self.location = config.query_url
        self.endpoint = Endpoint(config)
        # When the graphs were last listed: the store's own and the hidden ones.
        self._listing: tuple[float, list[str], list[str]] = (-math.inf, [], [])
        log.debug("using the SPARQL store at %s", self.location)

    # Queries

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        limit: int | None = None,
        base_iri: str | None = None,
        substitutions: dict[str, Term] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Evaluate a query on the server, with the store's graphs as its dataset."""
        deadline = time.monotonic() + timeout if timeout else None
        text = bind_values(sparql, substitutions or {}) if substitutions else sparql
        form = parse(text).form
        dataset = self._dataset(text, default_graphs, named_graphs)
        if form == "DESCRIBE":
            text, form = describe_as_construct(text), "CONSTRUCT"
        if form == "CONSTRUCT":
            return self._construct(text, dataset, limit, base_iri, deadline)
        text = dataset.apply(with_prologue(text, PREFIXES, base_iri))
        if form == "ASK":
            answer = self._solutions(text, deadline, dataset.pragmas)
            return QueryResult(kind="boolean", boolean=_boolean(answer))
        variables, rows = self._select(text, limit, deadline, dataset.pragmas)

        return QueryResult(
            kind="solutions",
            variables=variables,
            rows=rows[:limit] if limit is not None else rows,
            truncated=limit is not None and len(rows) > limit,
        )

    def _dataset(
        self,
        text: str,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
    ) -> Dataset:
        """Return the dataset to give the server: the store's graphs unless told.

        On Virtuoso the union of the store's graphs is its own default graph
        less the graphs it keeps for itself and the staging graphs (pragmas),
        except for queries with ``GRAPH <iri>``, which Virtuoso then answers
        wrongly; elsewhere, and for graphs the caller names, the query names
        them in ``FROM`` and ``FROM NAMED``.
        """
        if not default_graphs and not named_graphs and has_dataset_clause(text):
            return Dataset()
        ours, hidden = self._known_graphs()
        union = not default_graphs and not named_graphs
        # Virtuoso's exclusion pragmas give wrong answers to GRAPH <iri> { }.
        if union and self.endpoint.is_virtuoso and not names_a_graph(text):
            return Dataset(excluded=hidden)
        default = default_graphs if default_graphs else ours
        default = [EMPTY_GRAPH if g == DEFAULT_GRAPH else g for g in default]
        named = named_graphs if named_graphs else ours

        return Dataset(default or [EMPTY_GRAPH], named or [EMPTY_GRAPH])

    def _known_graphs(self) -> tuple[list[str], list[str]]:
        """Return the store's graphs and the hidden ones, listed at most so often."""
        listed_at, ours, hidden = self._listing
        if time.monotonic() - listed_at > self.config.graphs_ttl:
            self.graphs()
            _, ours, hidden = self._listing

        return ours, hidden

    def _solutions(
        self, text: str, deadline: float | None, pragmas: str = ""
    ) -> tuple[ox.QuerySolutions | ox.QueryBoolean, Mapping[str, str]]:
        answer = self.endpoint.query(text, _remaining(deadline), pragmas)
        state = answer.headers.get("X-SQL-State", "")
        if state.startswith("S1T"):
            message = answer.headers.get("X-SQL-Message", "time limit reached")
            raise QueryTimeout(
                f"the store at {self.location} returned a partial answer: {message}"
            )
        document = _valid_blank_nodes(answer.body)
        try:
            parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as error:
            raise StoreUnavailable(
                f"the store at {self.location} sent an answer I cannot read: {error}"
            ) from None

        return parsed, answer.headers

    def _select(
        self, text: str, limit: int | None, deadline: float | None, pragmas: str = ""
    ) -> tuple[list[str], list[tuple[Term | None, ...]]]:
        """Run a SELECT, paging past the server's row cap until ``limit`` is passed."""
        parsed, headers = self._solutions(text, deadline, pragmas)
        variables, rows = _table(parsed)
        cap = self._cap(headers, len(rows))
        if cap is None:
            return variables, rows
        log.info("the store capped an answer at %d rows; paging", cap)
        rows = []
        while True:
            paged = page(text, variables, len(rows), cap)
            more = _table(self._solutions(paged, deadline, pragmas)[0])[1]
            rows += more
            if len(more) < cap or (limit is not None and len(rows) > limit):
                return variables, rows

    def _cap(self, headers: Mapping[str, str], count: int) -> int | None:
        announced = headers.get("X-SPARQL-MaxRows")
        if announced and announced.isdigit() and count >= int(announced):
            return int(announced)
        if self.config.max_rows is not None and count >= self.config.max_rows:
            return self.config.max_rows

        return None

    def _construct(
        self,
        text: str,
        dataset: Dataset,
        limit: int | None,
        base_iri: str | None,
        deadline: float | None,
    ) -> QueryResult:
        """Select the pattern's solutions remotely, fill the template in locally."""
        parts = construct_as_select(text)
        select = with_prologue(parts.prologue + parts.select, PREFIXES, base_iri)
        variables, rows = self._select(
            dataset.apply(select), None, deadline, dataset.pragmas
        )
        triples = fill_template(parts, variables, rows, base_iri)
        cut = triples[:limit] if limit is not None else triples

        return QueryResult(
            kind="graph",
            triples=cut,
            truncated=limit is not None and len(triples) > limit,
        )

    # Updates

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: list[str] | None = None,
        using_named_graphs: list[str] | None = None,
    ) -> None:
        """Send an update as one request, stamped with a new version."""
        if using_graphs or using_named_graphs:
            sparql = add_using_clauses(
                sparql, using_graphs or [], using_named_graphs or []
            )
        self._send_update(sparql, base_iri)

    def _send_update(self, sparql: str = "", base_iri: str | None = None) -> None:
        """Send an update that also stamps the store with a new version."""
        stamp = (
            f"DROP SILENT GRAPH <{STAMP_GRAPH}> ; INSERT DATA {{ GRAPH <{STAMP_GRAPH}> "
            f'{{ <{STAMP_GRAPH}> <{STAMP_PREDICATE}> "{uuid.uuid4()}" }} }}'
        )
        text = with_prologue(sparql, PREFIXES, base_iri)
        parsed = parse(text)
        body = text[parsed.body_start :]
        self._forget_graphs()
        self.endpoint.update(
            parsed.prologue + stamp + (" ; " + body if body.strip() else "")
        )

    def _forget_graphs(self) -> None:
        """Have the next query list the graphs again (this store wrote)."""
        self._listing = (-math.inf, [], [])

    def commit(self, transaction: Transaction) -> None:
        """Apply drops and additions in one update; stage large ones in parts."""
        if not transaction.dropped and not transaction.added:
            return
        dropped = list(dict.fromkeys(transaction.dropped))
        added = {g: triples for g, triples in transaction.added.items() if triples}
        size = sum(len(triples) for triples in added.values())
        if (
            size <= self.config.max_update_triples
            and len(dropped) + len(added) <= MAX_GRAPHS_PER_UPDATE
        ):
            operations = [f"DROP SILENT GRAPH <{g}>" for g in dropped]
            operations += [_insert(g, triples) for g, triples in added.items()]
            self._send_update(" ;\n".join(operations))
            return
        staged = self._stage_all(added)
        swaps = [[f"DROP SILENT GRAPH <{g}>"] for g in dropped if g not in staged]
        swaps += [
            ([f"DROP SILENT GRAPH <{graph}>"] if graph in dropped else [])
            + [
                f"ADD SILENT <{staging}> TO <{graph}>",
                f"DROP SILENT GRAPH <{staging}>",
            ]
            for graph, staging in staged.items()
        ]
        try:
            for start in range(0, len(swaps), MAX_GRAPHS_PER_UPDATE):
                batch = swaps[start : start + MAX_GRAPHS_PER_UPDATE]
                self._send_update(" ;\n".join(op for ops in batch for op in ops))
        except BaseException:
            self._drop_staging(list(staged.values()))
            raise
        log.info("committed %d graphs through staging graphs", len(staged))

    def _stage_all(self, added: dict[str, list[ox.Triple]]) -> dict[str, str]:
        staged: dict[str, str] = {}
        try:
            for graph, triples in added.items():
                staged[graph] = self._stage(iter(triples))
        except BaseException:
            self._drop_staging(list(staged.values()))
            raise

        return staged

    def _stage(self, triples: Iterator[ox.Triple], into: str | None = None) -> str:
        """Write ``triples`` in parts to ``into`` or a new hidden staging graph.

        Return the graph written; on failure it is dropped.
        """
        staging = into or f"{STAGING_PREFIX}{uuid.uuid4()}"
        size = self.config.chunk_triples
        if not self.config.graph_store_url:
            size = self.config.max_update_triples
        try:
            for part in _parts(triples, size):
                self._write_part(staging, part)
        except BaseException:
            self._drop_staging([staging])
            raise

        return staging

    def _write_part(self, graph: str, triples: list[ox.Triple]) -> None:
        self._forget_graphs()
        if self.config.graph_store_url:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            self.endpoint.post_graph(graph, body)
        else:
            self.endpoint.update(_insert(graph, triples))

    def _drop_staging(self, graphs: list[str]) -> None:
        if not graphs:
            return
        try:
            self.endpoint.update(
                " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
            )
        except RusmecoError as error:
            log.warning(
                "staging graphs left in the store at %s: %s", self.location, error
            )

    def load(self, path: Path, graph: str, *, format: str | None = None) -> int:
        """Read a file locally and send it in parts; the old graph goes at the end.

        A new graph is written directly (and dropped again if the file turns out
        malformed); an existing one is replaced by a staging graph in one update.
        """
        rdf = rdf_format(format) if format else format_for_path(path)
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        if rdf.supports_datasets:
            raise DataError(
                f"{path}: a dataset format cannot be loaded into one graph",
                hint="give a triple format: nt, ttl, rdf or jsonld",
            )
        into = None if graph in self.graphs() else graph
        with _opened(path) as stream:
            try:
                staging = self._stage(_triples(ox.parse(stream, format=rdf)), into)
            except (SyntaxError, ValueError, UnicodeDecodeError, OSError) as error:
                raise DataError(f"{path}: {error}", hint="nothing was loaded") from None
        if into is not None:
            self._send_update()
            log.info("loaded %s into the new graph <%s>", path, graph)
            return self.graphs().get(graph, 0)
        try:
            self._send_update(
                f"DROP SILENT GRAPH <{graph}> ; ADD SILENT <{staging}> TO <{graph}> ; "
                f"DROP SILENT GRAPH <{staging}>"
            )
        except BaseException:
            self._drop_staging([staging])
            raise
        log.info("loaded %s into <%s> at %s", path, graph, self.location)

        return self.graphs().get(graph, 0)

    # The store as a whole

    def graphs(self) -> dict[str, int]:
        """Count the triples of every named graph that is not the server's own."""
        text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        _, rows = self._select(text, None, None)
        counts, hidden = {}, []
        for graph, count in rows:
            if graph is None or count is None:
                continue
            if self._hidden(graph.value):
                hidden.append(graph.value)
            else:
                counts[graph.value] = int(count.value)
        self._listing = (time.monotonic(), sorted(counts), hidden)

        return counts

    def _hidden(self, graph: str) -> bool:
        if graph.startswith(STAGING_PREFIX) or graph in (STAMP_GRAPH, EMPTY_GRAPH):
            return True

        return any(graph.startswith(prefix) for prefix in self.config.hidden_graphs)

    def dump(self, output: IO[bytes], format: str, graph: str | None = None) -> None:
        """Write the store or one graph, read page by page from the server."""
        rdf = rdf_format(format)
        graphs = self.graphs()
        if graph is not None and graph not in graphs:
            raise NotFound(f"there is no graph <{graph}> in the store")
        chosen = [graph] if graph is not None else sorted(graphs)
        text = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        text = with_dataset(text, [EMPTY_GRAPH], chosen)
        _, rows = self._select(text, None, None)
        if rdf.supports_datasets:
            quads = [ox.Quad(s, p, o, g) for g, s, p, o in rows]
            ox.serialize(quads, output, format=rdf)
        else:
            triples = {ox.Triple(s, p, o) for _, s, p, o in rows}
            ox.serialize(triples, output, format=rdf)

    def version(self) -> str:
        """Stamp the data: the version the last write wrote, and the graph sizes."""
        text = f"SELECT ?v WHERE {{ GRAPH <{STAMP_GRAPH}> {{ ?s ?p ?v }} }}"
        _, rows = self._select(text, None, None)
        stamps = sorted(str(row[0]) for row in rows)
        state = repr((stamps, sorted(self.graphs().items())))

        return hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]

    def close(self) -> None:
        """Close the HTTP connections."""
        self.endpoint.session.close()


@dataclass(frozen=True)
class Dataset:
    """The graphs a query runs on: named in ``FROM`` clauses, or left out."""

    default: list[str] | None = None
    named: list[str] | None = None
    excluded: list[str] = field(default_factory=list)

    def apply(self, text: str) -> str:
        """Name the default and named graphs in the query, if there are any."""
        if self.default is None:
            return text

        return with_dataset(text, self.default, self.named or [EMPTY_GRAPH])

    @property
    def pragmas(self) -> str:
        """Return Virtuoso's pragmas that leave the excluded graphs out."""
        return "".join(
            f"DEFINE input:default-graph-exclude <{graph}> "
            f"DEFINE input:named-graph-exclude <{graph}> "
            for graph in self.excluded
        )


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise QueryTimeout("the query ran out of time while its pages were fetched")

    return left


def _valid_blank_nodes(document: bytes) -> bytes:
    """Give blank nodes labels Oxigraph accepts (Virtuoso writes ``nodeID://b1``)."""
    if b'"bnode"' not in document:
        return document
    data = json.loads(document)
    for binding in data.get("results", {}).get("bindings", []):
        for term in binding.values():
            if term.get("type") == "bnode":
                term["value"] = _bnode_label(term["value"])

    return json.dumps(data).encode("utf-8")


def _bnode_label(value: str) -> str:
    label = value.removeprefix("nodeID://")
    if _VALID_BNODE.fullmatch(label):
        return label

    return "x" + label.encode("utf-8").hex()


def _table(
    parsed: ox.QuerySolutions | ox.QueryBoolean,
) -> tuple[list[str], list[tuple[Term | None, ...]]]:
    if isinstance(parsed, ox.QueryBoolean):
        raise StoreUnavailable("the store answered a SELECT with a boolean")
    variables = [variable.value for variable in parsed.variables]
    rows = [tuple(solution[name] for name in variables) for solution in parsed]

    return variables, rows


def _boolean(
    answer: tuple[ox.QuerySolutions | ox.QueryBoolean, Mapping[str, str]],
) -> bool:
    """Read an ASK answer; Virtuoso may send it as a table with one value."""
    parsed = answer[0]
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    rows = [list(solution) for solution in parsed]
    if not rows:
        return False
    value = rows[0][0]

    return value is not None and value.value not in ("0", "false")


def fill_template(
    parts: ConstructParts,
    variables: list[str],
    rows: list[tuple[Term | None, ...]],
    base_iri: str | None = None,
) -> list[ox.Triple]:
    """Instantiate a CONSTRUCT template with the solutions, as Oxigraph does."""
    local = ox.Store()
    found: dict[ox.Triple, None] = {}
    heading = " ".join(f"?{name}" for name in variables)
    for start in range(0, len(rows), TEMPLATE_BATCH):
        batch = rows[start : start + TEMPLATE_BATCH]
        lines = " ".join(f"({' '.join(map(_value, row))})" for row in batch)
        query = (
            f"{parts.prologue}CONSTRUCT {parts.template} "
            f"WHERE {{ VALUES ({heading}) {{ {lines} }} }}"
        )
        answer = local.query(query, prefixes=PREFIXES, base_iri=base_iri)
        for triple in answer:
            found[_restore_blank_nodes(triple)] = None

    return list(found)


def _value(term: Term | None) -> str:
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.BlankNode):
        return f"<{BNODE_IRI}{term.value}>"

    return str(term)


def _restore_blank_nodes(triple: ox.Triple) -> ox.Triple:
    subject, obj = triple.subject, triple.object
    if isinstance(subject, ox.NamedNode) and subject.value.startswith(BNODE_IRI):
        subject = ox.BlankNode(subject.value[len(BNODE_IRI) :])
    if isinstance(obj, ox.NamedNode) and obj.value.startswith(BNODE_IRI):
        obj = ox.BlankNode(obj.value[len(BNODE_IRI) :])
    if subject is triple.subject and obj is triple.object:
        return triple

    return ox.Triple(subject, triple.predicate, obj)


def _insert(graph: str, triples: list[ox.Triple]) -> str:
    """Write an insertion of ``triples``; a template where blank nodes occur.

    Virtuoso refuses blank nodes in ``INSERT DATA``; ``INSERT { } WHERE { }``
    means the same and every server takes it.
    """
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    block = f"GRAPH <{graph}> {{\n{body}}}"
    if any(_has_blank_node(triple) for triple in triples):
        return f"INSERT {{ {block} }} WHERE {{}}"

    return f"INSERT DATA {{ {block} }}"


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(
        triple.object, ox.BlankNode
    )


def _triples(quads: Iterable[ox.Quad | ox.Triple]) -> Iterator[ox.Triple]:
    for quad in quads:
        yield ox.Triple(quad.subject, quad.predicate, quad.object)


def _parts(triples: Iterator[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Split triples into parts of about ``size``; blank nodes never span two.

    A blank node label means one node within one request only, so the triples
    that reach one blank node, directly or through others, go into one part.
    """
    plain: list[ox.Triple] = []
    linked: list[ox.Triple] = []
    for triple in triples:
        (linked if _has_blank_node(triple) else plain).append(triple)
        if len(plain) >= size:
            yield plain
            plain = []
    if plain:
        yield plain
    part: list[ox.Triple] = []
    for component in _connected(linked):
        part += component
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def _connected(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """Group triples that share blank nodes (union-find over the labels)."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        parent.setdefault(label, label)
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for triple in triples:
        labels = [
            term.value
            for term in (triple.subject, triple.object)
            if isinstance(term, ox.BlankNode)
        ]
        for label in labels[1:]:
            parent[root(label)] = root(labels[0])
    groups: dict[str, list[ox.Triple]] = {}
    for triple in triples:
        node = (
            triple.subject
            if isinstance(triple.subject, ox.BlankNode)
            else triple.object
        )
        groups.setdefault(root(node.value), []).append(triple)

    return list(groups.values())


@contextmanager
def _opened(path: Path) -> Iterator[IO[bytes]]:
    """Open a file for parsing, gunzipping it when its name ends in ``.gz``."""
    try:
        stream: IO[bytes] = (
            gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")
        )
    except OSError as error:
        raise DataError(f"{path}: {error}") from None
    with stream:
        yield stream
