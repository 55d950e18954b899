"""The preview card: a small HTML page about one entity, built from the gazetteer.

Every name carries its language and its direction (``dir="rtl"`` for Arabic
script), so a browser lays out پوتین right to left inside an English page.
Everything from the gazetteer is escaped.
"""

from __future__ import annotations

from html import escape

from namelink import Entity
from namelink.serve.service import TYPE_IDS, TYPE_LABELS, pick_name, text_dir

__all__ = ["MAX_PREVIEW_NAMES", "not_found_page", "preview_page"]

# Names shown on the card: the iframe is PREVIEW_HEIGHT (200 px) high, which holds
# about this many short lines beside the heading.
MAX_PREVIEW_NAMES = 8
# The languages whose names the card shows first: namelink's own.
FIRST_LANGUAGES = ("ar", "fa", "ur")

_STYLE = (
    "body{font:13px/1.4 system-ui,sans-serif;margin:6px;color:#222}"
    "h1{font-size:16px;margin:0 0 2px}"
    ".meta{color:#555;margin:0 0 4px}"
    "ul{list-style:none;margin:0;padding:0}"
    "li{margin:0}"
    ".lang{display:inline-block;min-width:3em;color:#777;font-size:11px}"
    ".name{font-size:14px}"
)


def _attributes(text: str, lang: str | None) -> str:
    attributes = f' dir="{text_dir(text)}"'
    if lang:
        attributes += f' lang="{escape(lang)}"'
    return attributes


def preview_page(entity: Entity, languages: tuple[str, ...] = ()) -> str:
    """The card for ``entity``, its heading in the first of ``languages`` it has a name in."""
    title, title_lang = pick_name(entity, languages)
    type_id = TYPE_IDS[entity.type]
    order = [lang for lang in FIRST_LANGUAGES if lang in entity.names]
    order += [lang for lang in entity.names if lang not in order]
    lines: list[str] = []
    for lang in order:
        for name in entity.names[lang]:
            if len(lines) == MAX_PREVIEW_NAMES:
                break
            if name != title:
                lines.append(
                    f'<li><span class="lang">{escape(lang)}</span> '
                    f'<span class="name"{_attributes(name, lang)}>{escape(name)}</span></li>'
                )
    countries = ", ".join(entity.country)
    qid = escape(entity.qid)
    meta = f'<a href="https://www.wikidata.org/wiki/{qid}" target="_blank">{qid}</a>'
    meta += f" · {escape(TYPE_LABELS[type_id])}" + (f" · country {escape(countries)}" if countries else "")
    description = (
        f"<p{_attributes(entity.description, None)}>{escape(entity.description)}</p>"
        if entity.description
        else ""
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(entity.label)}</title><style>{_STYLE}</style></head><body>"
        f'<h1 id="title"{_attributes(title, title_lang)}>{escape(title)}</h1>'
        f'<p class="meta">{meta}</p>{description}<ul id="names">{"".join(lines)}</ul>'
        "</body></html>"
    )


def not_found_page(qid: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>not found</title></head>'
        f"<body><p>{escape(qid)} is not in this gazetteer.</p></body></html>"
    )
