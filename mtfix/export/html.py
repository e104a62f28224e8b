"""``<stem>.html``: a self-contained side-by-side page, one row per segment.

Everything from the document is escaped; the page loads nothing from the network and its
Content-Security-Policy forbids scripts, so hostile text in a document cannot run.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from urllib.parse import quote

from mtfix.document import Document

CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1280px;padding:1rem;color:#1d1d1f}
header dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;font-size:13px}
header dt{font-weight:600}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td,th{border-top:1px solid #ddd;padding:.35rem .5rem;vertical-align:top;word-wrap:break-word}
th{text-align:left;background:#f4f4f6;position:sticky;top:0}
td.id{width:3.5rem;color:#888;font-size:12px}
.lang{display:inline-block;font-size:11px;padding:0 .35rem;border-radius:.6rem;background:#e8eefc;margin-right:.3rem}
.kind-heading td.text{font-weight:700}
.kind-nonword td.text,.passed td.en{color:#777}
.flag{display:inline-block;font-size:11px;padding:0 .35rem;border-radius:.6rem;background:#fde2e1;margin-left:.3rem}
mark{background:#fff1b8;border-bottom:2px solid #e0b400}
.score{color:#888;font-size:12px}
.term{background:#e3f4e1;border-bottom:2px solid #4a9d41}
.protected{background:#e8eefc;border-bottom:2px dotted #4a6fd0}
@media (max-width:700px){td.id{display:none}table,tbody,tr,td{display:block;width:auto}}
@media print{th{position:static}}
"""


def _original_with_edits(document: Document, start: int, end: int) -> str:
    """Raw text of a span, with each repaired stretch marked and explained on hover."""
    parts = []
    position = start
    for edit in document.edits:
        if edit.raw_end <= start or edit.raw_start >= end:
            if not (edit.raw_start == edit.raw_end and start < edit.raw_start < end):
                continue
        edit_start, edit_end = max(edit.raw_start, start), min(edit.raw_end, end)
        parts.append(escape(document.raw[position:edit_start]))
        title = f"{edit.kind}: {edit.reason}; repaired as {edit.replacement!r}"
        parts.append(f'<mark title="{escape(title)}">{escape(document.raw[edit_start:edit_end]) or "&#8203;"}</mark>')
        position = edit_end
    parts.append(escape(document.raw[position:end]))
    return "".join(parts)


def _delivered(document: Document, field: str) -> str:
    hits = [hit for t in document.translations.values() for hit in getattr(t, field)]
    if not hits:
        return "none"
    found = sum(hit.get("target_span") is not None for hit in hits)
    return f"{len(hits)} in the source, {found} in the English"


def _english_with_spans(text: str, translation) -> str:
    """The English, with glossary terms and protected spans marked (hover: what and from)."""
    if translation is None or text != translation.text:
        return escape(text)
    marks = []
    for hit in translation.terms:
        if hit.get("target_span"):
            marks.append((*hit["target_span"], "term", f"glossary term #{hit['id']}: {hit['target']}"))
    for hit in translation.protected:
        if hit.get("target_span"):
            marks.append((*hit["target_span"], f"protected {hit['kind']}", f"protected {hit['kind']}: kept as {hit['target']}"))
    parts, position = [], 0
    for start, end, css, title in sorted(marks):
        if start < position:
            continue
        parts.append(escape(text[position:start]))
        parts.append(f'<span class="{css}" title="{escape(title)}">{escape(text[start:end])}</span>')
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def render_report(document: Document) -> str:
    languages = Counter(segment.lang for segment in document.segments if segment.translate)
    edit_kinds = Counter(edit.kind for edit in document.edits)
    rows = []
    for segment in document.segments:
        translation = document.translations.get(segment.id)
        flags = sorted(set(segment.flags + (translation.flags if translation else [])))
        classes = [f"kind-{segment.kind}"] + ([] if translation else ["passed"])
        score = f'<span class="score">{translation.score:.2f}</span>' if translation and translation.score is not None else ""
        rows.append(
            f'<tr id="s{segment.id}" class="{" ".join(classes)}">'
            f'<td class="id">{segment.id}<br><span class="lang">{escape(segment.lang)}</span></td>'
            f'<td class="text">{_original_with_edits(document, segment.raw_start, segment.raw_end)}</td>'
            f'<td class="text en">{_english_with_spans(document.target_text(segment), translation)}'
            + "".join(f'<span class="flag">{escape(flag)}</span>' for flag in flags)
            + f" {score}</td></tr>"
        )
    facts = {
        "File": document.path,
        "Encoding": document.encoding,
        "Languages": ", ".join(f"{lang} ({count})" for lang, count in languages.most_common()) or "none",
        "Edits": ", ".join(f"{kind} ({count})" for kind, count in edit_kinds.most_common()) or "none",
        "Segments": str(len(document.segments)),
        "Glossary terms": _delivered(document, "terms"),
        "Protected spans": _delivered(document, "protected"),
        "Signature": document.signature,
    }
    header = "".join(f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>" for key, value in facts.items())
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>mtfix review: {escape(document.path)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>mtfix review</h1><dl>{header}</dl></header>"
        "<table><thead><tr><th class=\"id\">#</th><th>Original as received</th><th>English</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


def render_index(rows: list[dict], root: str) -> str:
    """``index.html`` for a folder: one row per document, with a link to its page."""
    body = []
    for row in rows:
        name = escape(row["name"])
        if row.get("error"):
            body.append(f'<tr class="failed"><td>{name}</td><td colspan="5"><span class="flag">failed</span> '
                        f'{escape(row["error"])}</td></tr>')
            continue
        link = f'<a href="{escape(quote(row["report"]))}">{name}</a>' if row.get("report") else name
        languages = ", ".join(f"{escape(lang)} ({count})" for lang, count in row["languages"].items()) or "—"
        flags = "".join(f'<span class="flag">{escape(flag)} {count}</span>' for flag, count in sorted(row["flags"].items()))
        body.append(f"<tr><td>{link}</td><td>{languages}</td><td>{row['segments']}</td><td>{row['translated']}</td>"
                    f"<td>{row['edits']}</td><td>{flags or '—'}</td></tr>")
    failed = sum(1 for row in rows if row.get("error"))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>mtfix: {escape(root)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>mtfix: {escape(root)}</h1><p>{len(rows)} documents, {failed} failed</p></header>"
        "<table><thead><tr><th>Document</th><th>Languages</th><th>Segments</th><th>Translated</th><th>Edits</th>"
        f"<th>Flags</th></tr></thead><tbody>{''.join(body)}</tbody></table></body></html>\n"
    )

