"""Scopes: which Wikidata ids a gazetteer build takes in.

A scope is written on the command line as ``KIND`` or ``KIND:ARGUMENT``:

    countries          every current country and dependent territory
    cities:100000      every city with at least this population (default 100000)
    heads:Q159         heads of state and of government of a country, current and past
    heads:world        the same for every country
    ministers:Q159     everyone who held a ministerial position of a country
    mps:Q159           everyone who sat in a parliament of a country
    orgs               every international organization
    sparql:FILE.rq     your own SELECT query; it must project ?item

Each kind has an enumeration query in ``namelink/wikidata/queries/`` that selects
``?item``. The builder runs it as it is, or wrapped in a subquery to add a
LIMIT or to COUNT, which is why every enumeration query must be a plain
``SELECT ... ?item WHERE { ... }`` after its PREFIX lines.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "SCOPE_HELP",
    "Scope",
    "ScopeError",
    "fill",
    "load_query",
    "parse_scope",
    "read_query_file",
    "split_prologue",
    "with_standard_prefixes",
]

# `cities` alone: the threshold the issue names ("every city over 100k people").
DEFAULT_MIN_POPULATION = 100_000
# The largest custom query file read. The packaged queries are 1-2 kB; a
# hand-written scope with a VALUES list of 10,000 ids is about 150 kB.
MAX_QUERY_FILE_BYTES = 1 * 2**20

SCOPE_HELP = (
    "countries, cities[:MIN_POPULATION], heads:QID|world, ministers:QID, mps:QID, orgs, sparql:FILE.rq"
)

_QID = re.compile(r"Q[1-9][0-9]{0,11}")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# PREFIX and BASE declarations, with the comments and blank lines between them.
_PROLOGUE = re.compile(
    r"\A(?:\s+|#[^\n]*(?:\n|\Z)|PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)*",
    re.IGNORECASE,
)
_ITEM = re.compile(r"\?item\b")


class ScopeError(ValueError):
    """A scope that cannot be understood; the message says how to write it."""


@dataclass(frozen=True)
class Scope:
    """One ``--scope`` value: its enumeration query and the type it implies.

    ``fallback_type`` is the gazetteer type of an id whose P31 classes are not
    in the builder's class table: the enumeration query already proved it is a
    city, a country or an organization, even when its class is "million city"
    or "city of Russia".
    """

    spec: str
    template: str
    params: tuple[tuple[str, str], ...] = ()
    fallback_type: str = "other"

    def query(self, limit: int | None = None) -> str:
        """The enumeration query, with at most ``limit`` ids when given."""
        text = fill(self.template, dict(self.params))
        if limit is None:
            return text
        prologue, body = split_prologue(text)
        return f"{prologue}SELECT ?item WHERE {{\n{{\n{body.strip()}\n}}\n}}\nLIMIT {int(limit)}\n"

    def count_query(self) -> str:
        """A query for the number of distinct ids in scope, without fetching them."""
        prologue, body = split_prologue(fill(self.template, dict(self.params)))
        return f"{prologue}SELECT (COUNT(DISTINCT ?item) AS ?count) WHERE {{\n{{\n{body.strip()}\n}}\n}}\n"


def load_query(name: str) -> str:
    """The text of a packaged query file, such as ``fetch.rq``."""
    return (resources.files("namelink.wikidata") / "queries" / name).read_text(encoding="utf-8")


def fill(template: str, params: dict[str, str]) -> str:
    """``template`` with each ``{{name}}`` replaced; a missing value is an error."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise ScopeError(f"the query needs a value for {{{{{name}}}}}")
        return params[name]

    return _PLACEHOLDER.sub(value, template)


def split_prologue(query: str) -> tuple[str, str]:
    """(PREFIX/BASE declarations with their comments, the query form after them)."""
    match = _PROLOGUE.match(query)
    end = match.end() if match else 0
    return query[:end], query[end:]


def _country(kind: str, argument: str, spec: str) -> str:
    qid = argument.strip().upper()
    if not _QID.fullmatch(qid):
        raise ScopeError(f"--scope {spec}: {kind} takes a country's QID, for example {kind}:Q159")
    return f"wd:{qid}"


def parse_scope(spec: str) -> Scope:
    """The Scope a ``--scope`` value names, or ScopeError saying how to write it."""
    text = spec.strip()
    kind, _, argument = text.partition(":")
    kind = kind.strip().lower()
    if kind == "countries" and not argument:
        return Scope(text, load_query("countries.rq"), fallback_type="place")
    if kind == "orgs" and not argument:
        return Scope(text, load_query("orgs.rq"), fallback_type="org")
    if kind == "cities":
        raw = argument.strip().replace("_", "").replace(",", "") or str(DEFAULT_MIN_POPULATION)
        if not raw.isdigit():
            raise ScopeError(
                f"--scope {spec}: give a minimum population as a whole number, for example cities:100000"
            )
        return Scope(text, load_query("cities.rq"), (("min_population", str(int(raw))),), "place")
    if kind == "heads":
        if argument.strip().lower() == "world":
            return Scope(text, load_query("heads_world.rq"), fallback_type="person")
        return Scope(
            text, load_query("heads_country.rq"), (("country", _country(kind, argument, spec)),), "person"
        )
    if kind in ("ministers", "mps"):
        return Scope(text, load_query(f"{kind}.rq"), (("country", _country(kind, argument, spec)),), "person")
    if kind == "sparql":
        return _custom(argument, spec)
    raise ScopeError(f"--scope {spec}: unknown scope; use one of {SCOPE_HELP}")


def read_query_file(path: Path, spec: str) -> str:
    """The text of a custom query file: a regular file of at most MAX_QUERY_FILE_BYTES, in UTF-8.

    It is opened without blocking and checked before it is read, so that
    ``sparql:/dev/zero`` or a FIFO is refused at once instead of reading
    forever or waiting for a writer; the read itself is bounded too.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise ScopeError(f"--scope {spec}: cannot read {path} ({error.strerror or error})") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ScopeError(f"--scope {spec}: {path} is not a regular file; give a .rq file")
        if info.st_size > MAX_QUERY_FILE_BYTES:
            raise ScopeError(
                f"--scope {spec}: {path} is {info.st_size:,} bytes, over the {MAX_QUERY_FILE_BYTES:,} "
                "a query file may have; a long list of ids belongs in several scopes or a --limit"
            )
        data = b""
        while len(data) <= MAX_QUERY_FILE_BYTES:
            chunk = os.read(descriptor, MAX_QUERY_FILE_BYTES + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as error:
        raise ScopeError(f"--scope {spec}: cannot read {path} ({error.strerror or error})") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_QUERY_FILE_BYTES:
        raise ScopeError(f"--scope {spec}: {path} grew past {MAX_QUERY_FILE_BYTES:,} bytes while read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScopeError(f"--scope {spec}: {path} is not UTF-8 text (byte {error.start})") from None


def _custom(argument: str, spec: str) -> Scope:
    path = Path(argument.strip()).expanduser()
    if not argument.strip():
        raise ScopeError(f"--scope {spec}: name a query file, for example sparql:my_scope.rq")
    template = read_query_file(path, spec)
    _, body = split_prologue(template)
    if not re.match(r"SELECT\b", body, re.IGNORECASE) or not _ITEM.search(body):
        raise ScopeError(
            f"--scope {spec}: {path} must be a SELECT query that projects ?item, "
            "for example: SELECT ?item WHERE { ?item wdt:P31 wd:Q5 }"
        )
    if _PLACEHOLDER.search(template):
        raise ScopeError(f"--scope {spec}: {path} has a {{{{placeholder}}}}; write the values into the query")
    return Scope(f"sparql:{path}", with_standard_prefixes(template))


# The prefixes the Wikidata Query Service predeclares, so that a query written
# for it also runs on QLever and Oxigraph, which predeclare none.
STANDARD_PREFIXES = {
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "wikibase": "http://wikiba.se/ontology#",
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def with_standard_prefixes(query: str) -> str:
    """``query`` with a PREFIX line for each standard prefix it uses but does not declare."""
    declared = {m.group(1).lower() for m in re.finditer(r"PREFIX\s+([\w.-]*):", query, re.IGNORECASE)}
    _, body = split_prologue(query)
    missing = [
        f"PREFIX {name}: <{iri}>\n"
        for name, iri in STANDARD_PREFIXES.items()
        if name not in declared and re.search(rf"(?<![\w.-]){name}:", body)
    ]
    return "".join(missing) + query
