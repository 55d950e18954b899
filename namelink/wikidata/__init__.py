"""Build gazetteers from Wikidata over SPARQL, cached and resumable.

    scopes → enumerate ids → fetch in batches → records → entities.jsonl + manifest.json

- ``namelink.wikidata.scopes``: what a ``--scope`` selects, and its query;
- ``namelink.wikidata.sparql``: the polite, cached, retrying SPARQL client;
- ``namelink.wikidata.exchange``: one HTTP exchange, bounded in time and size;
- ``namelink.wikidata.store``: the response cache, plain bytes in SQLite;
- ``namelink.wikidata.builder``: the build, from answers to records;
- ``namelink.wikidata.output``: atomic writing, and merging;
- ``namelink.wikidata.commands``: ``namelink gazetteer build | count | merge``
  (also ``python -m namelink.wikidata``);
- ``namelink/wikidata/queries/*.rq``: the SPARQL, plain 1.1, documented.

This package sits beside the lookup path: ``import namelink`` never imports
it, and importing ``namelink.wikidata.commands`` imports neither the client
nor sqlite3 until an action runs. The README beside this file (installed with
the package) covers endpoints, politeness, caching and limits.
"""

from __future__ import annotations

__all__ = ["WDQS"]

# The public Wikidata Query Service, the default endpoint (see the README for QLever).
# Here, not in the client, so that the command line can name it without importing the client.
WDQS = "https://query.wikidata.org/sparql"
