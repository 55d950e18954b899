"""Build gazetteers from Wikidata over SPARQL, cached and resumable.

    scopes → enumerate ids → fetch in batches → records → entities.jsonl + manifest.json

- ``namelink.wikidata.scopes``: what a ``--scope`` selects, and its query;
- ``namelink.wikidata.sparql``: the polite, cached, retrying SPARQL client;
- ``namelink.wikidata.builder``: the build, atomic writing, and merging;
- ``namelink.wikidata.commands``: ``namelink gazetteer build | count | merge``;
- ``namelink/wikidata/queries/*.rq``: the SPARQL, plain 1.1, documented.

This package sits beside the lookup path: ``import namelink`` never imports
it, and importing it imports neither SPARQLWrapper nor diskcache until a query
is sent. See namelink/wikidata/README.md for endpoints, politeness and caching.
"""

from __future__ import annotations
