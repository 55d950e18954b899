"""Cut the Arabic-script country names out of three npm packages.

* ``world-countries`` (mledoze/countries; ODbL 1.0): ``countries.json`` gives
  each country (ISO 3166-1 alpha-2 in ``cca2``) a common and an official name
  in Arabic (``ara``), Persian (``per``) and Urdu (``urd``);
* ``i18n-iso-countries`` (MIT): ``langs/<lang>.json`` maps ISO codes to names,
  one file per language (we read the Arabic-script ones: ar, fa, ur, ps, sd, ug);
* ``world_countries_lists`` (stefangabos/world_countries; its LICENSE.txt is
  CC BY-SA 4.0, its package.json says LGPL-3.0-or-later):
  ``data/countries/<lang>/world.json`` (ar and fa; alpha2 in lower case).

Usage::

    npm pack world-countries@5.1.0 i18n-iso-countries@7.14.0 world_countries_lists@3.3.0   # untar each
    python gazetteers/evaluation/extract_npm_countries.py WORLD_COUNTRIES I18N_ISO_COUNTRIES WORLD_LISTS

Each argument is the ``package`` folder of the unpacked tarball, in that order. The output,
``sources/npm_country_names.tsv`` (source, iso, lang, name), is kept next to
this script so that make_evalsets.py needs neither npm nor the network.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from pathlib import Path

PACKAGES = {"world-countries": "5.1.0", "i18n-iso-countries": "7.14.0", "world_countries_lists": "3.3.0"}
WORLD_COUNTRIES_LANGS = {"ara": "ar", "per": "fa", "urd": "ur"}
I18N_LANGS = ("ar", "fa", "ur", "ps", "sd", "ug")
WORLD_LISTS_LANGS = ("ar", "fa")
OUT = Path(__file__).parent / "sources" / "npm_country_names.tsv"


def check_version(package_dir: Path, name: str) -> None:
    meta = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    if (meta["name"], meta["version"]) != (name, PACKAGES[name]):
        raise SystemExit(f"{package_dir}: {meta['name']}@{meta['version']}, expected {name}@{PACKAGES[name]}")


def extract(world: Path, i18n: Path, lists: Path) -> list[tuple[str, str, str, str]]:
    check_version(world, "world-countries")
    check_version(i18n, "i18n-iso-countries")
    check_version(lists, "world_countries_lists")
    rows = set()
    source = f"npm:world-countries@{PACKAGES['world-countries']}"
    for country in json.loads((world / "countries.json").read_text(encoding="utf-8")):
        for key, lang in WORLD_COUNTRIES_LANGS.items():
            for kind in ("common", "official"):
                name = country.get("translations", {}).get(key, {}).get(kind, "")
                if name.strip():
                    rows.add((f"{source}:{kind}", country["cca2"], lang, " ".join(name.split())))
    source = f"npm:i18n-iso-countries@{PACKAGES['i18n-iso-countries']}"
    for lang in I18N_LANGS:
        data = json.loads((i18n / "langs" / f"{lang}.json").read_text(encoding="utf-8"))
        for code, names in data["countries"].items():
            for name in [names] if isinstance(names, str) else names:
                if name.strip():
                    rows.add((source, code, lang, " ".join(name.split())))
    source = f"npm:world_countries_lists@{PACKAGES['world_countries_lists']}"
    for lang in WORLD_LISTS_LANGS:
        for country in json.loads(
            (lists / "data" / "countries" / lang / "world.json").read_text(encoding="utf-8")
        ):
            if country["name"].strip():
                rows.add((source, country["alpha2"].upper(), lang, " ".join(country["name"].split())))
    return sorted(rows)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows = extract(Path(argv[0]), Path(argv[1]), Path(argv[2]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=OUT.parent, delete=False) as f:
        f.write(
            "# Country names from npm packages " + ", ".join(f"{k}@{v}" for k, v in PACKAGES.items()) + "\n"
        )
        writer = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
        writer.writerow(("source", "iso", "lang", "name"))
        writer.writerows(rows)
    os.replace(f.name, OUT)
    print(f"{OUT}: {len(rows)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
