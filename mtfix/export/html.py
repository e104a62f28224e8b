"""``<stem>.html``: a self-contained side-by-side page, one row per segment.

Everything from the document is escaped; the page loads nothing from the network and its
Content-Security-Policy forbids scripts, so hostile text in a document cannot run.
"""

from __future__ import annotations

import bisect
from collections import Counter
from html import escape
from urllib.parse import quote

from mtfix.document import Document

# What an insertion (an edit that replaced nothing) is marked on: a zero-width space.
ZERO_WIDTH = "\u200b"

# Marks a page as mtfix's own (``mtfix report`` replaces such a page without asking).
GENERATOR_MARK = '<meta name="generator" content="mtfix'


def _asset(name: str) -> str:
    from importlib.resources import files

    return files("mtfix.export").joinpath(name).read_text(encoding="utf-8")


def _token(value) -> str:
    """A value made safe for a class name: letters, digits and hyphens only. Every field of
    an alignment file is untrusted (it may have been edited), whatever its expected type.

    >>> _token('heading" onmouseover="x')
    'headingonmouseoverx'
    """
    return "".join(ch for ch in str(value) if ch.isascii() and (ch.isalnum() or ch == "-"))

# The page's style and its one script: files beside this module, read once.
CSS = _asset("review.css")



def _original_with_edits(document: Document, start: int, end: int, ends: list[int]) -> str:
    """Raw text of a span, with each repaired stretch marked and explained on hover.
    ``ends``: the raw ends of the (sorted) edits, for bisection."""
    parts = []
    position = start
    first = bisect.bisect_left(ends, start)
    for edit in document.edits[first:]:
        if edit.raw_start > end:
            break
        if edit.raw_end <= start or edit.raw_start >= end:
            if not (edit.raw_start == edit.raw_end and start < edit.raw_start < end):
                continue
        edit_start, edit_end = max(edit.raw_start, start), min(edit.raw_end, end)
        parts.append(escape(document.raw[position:edit_start]))
        title = f"{edit.kind}: {edit.reason}"  # the repaired text is in the next column
        marked = escape(document.raw[edit_start:edit_end])
        # An insertion has no original text: a caret shows where it went.
        parts.append(f'<mark title="{escape(title)}">{marked}</mark>' if marked
                     else f'<mark class="ins" title="{escape(title)}">{ZERO_WIDTH}</mark>')
        position = edit_end
    parts.append(escape(document.raw[position:end]))
    return "".join(parts)


def _gap_edits(document: Document, start: int, end: int, ends: list[int]) -> str:
    """The marked edits that lie wholly in raw[start:end] (text between segments)."""
    marks = []
    for edit in document.edits[bisect.bisect_left(ends, start):]:
        if edit.raw_start > end or (edit.raw_start == end and edit.raw_end > end):
            break
        if edit.raw_start >= start and edit.raw_end <= end:
            title = f"{edit.kind}: {edit.reason}"
            text = escape(document.raw[edit.raw_start:edit.raw_end]) or ZERO_WIDTH
            marks.append(f'<mark class="gap" title="{escape(title)}">{text}</mark> ')
    return "".join(marks)


def _delivered(document: Document, field: str) -> str:
    hits = [hit for t in document.translations.values() for hit in getattr(t, field)]
    if not hits:
        return "none"
    found = sum(hit.get("target_span") is not None for hit in hits)
    return f"{len(hits)} in the source, {found} in the English"


def _glossary_line(document: Document) -> str:
    """Terms found and delivered, and the wrong forms of terms repaired in the source."""
    repaired = sum(1 for edit in document.edits if "glossary" in edit.kind.split("+"))
    delivered = _delivered(document, "terms")
    if not repaired:
        return delivered
    forms = f"{repaired} wrong form{'' if repaired == 1 else 's'} repaired in the source"
    return forms if delivered == "none" else f"{delivered}; {forms}"


def _legend(edit_kinds: Counter) -> str:
    """What each kind of repair on the page means (kinds of one merged edit count apart)."""
    from mtfix.degarble import DESCRIPTIONS

    kinds: Counter = Counter()
    for kind, count in edit_kinds.items():
        for part in kind.split("+"):
            kinds[part] += count
    if not kinds:
        return ""
    items = "".join(f"<dt>{escape(kind)}</dt><dd>{escape(DESCRIPTIONS.get(kind, 'a repair'))} ({count})</dd>"
                    for kind, count in kinds.most_common())
    return ('<details class="legend"><summary>Repairs: what each kind means; marked '
            '<mark>like this</mark> in the original, <mark class="ins">' + ZERO_WIDTH + '</mark> where '
            f"text was inserted</summary><dl>{items}</dl></details>")


def _marked(text: str, marks: list[tuple[int, int, str, str, str]]) -> str:
    """``text`` escaped, with (start, end, css class, title, data-term) spans marked."""
    parts, position = [], 0
    for start, end, css, title, term in sorted(marks):
        if start < position or end > len(text) or start >= end:
            continue
        parts.append(escape(text[position:start]))
        data = f' data-t="{escape(term)}"' if term else ""
        data += f' title="{escape(title)}"' if title else ""
        parts.append(f'<span class="{escape(css)}"{data}>{escape(text[start:end])}</span>')
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def _marks(translation, side: str) -> list[tuple[int, int, str, str, str]]:
    """Glossary terms (one colour per term, the same on both sides) and protected spans."""
    if translation is None:
        return []
    key = "source_span" if side == "source" else "target_span"
    marks = []
    for number, hit in enumerate(translation.terms):
        if hit.get(key):
            term = f"{hit['id']}-{number}"
            marks.append((*hit[key], f"t c{int(hit['id']) % 8}", hit["target"], term))
    for number, hit in enumerate(translation.protected):
        if hit.get(key):
            # The kind is in the class; the English side also says it on hover.
            marks.append((*hit[key], f"p {_token(hit['kind'])}", hit["kind"] if side == "target" else "", f"p{number}"))
    return marks


def _english_with_spans(text: str, translation) -> str:
    """The English, with glossary terms and protected spans marked (hover: what and from)."""
    if translation is None or text != translation.text:
        return escape(text)
    return _marked(text, _marks(translation, "target"))


def _source_with_spans(segment, translation) -> str:
    """The cleaned source sentence, with the same spans marked as in the English."""
    from mtfix.align import model_input

    text = segment.text
    if translation is None or model_input(text) != text:
        return escape(text)  # spans were found in the model's input; show them only when it is the text itself
    return _marked(text, _marks(translation, "source"))


# The page's only script: filters, keyboard, highlighting. Allowed by the hash in the CSP; no
# inline handlers. Without it the page is complete, only not interactive.
SCRIPT = _asset("review.js")



def _links_attribute(segment, translation) -> str:
    """Word links as a compact attribute (base-36 offsets) the script turns into highlights
    when the row is first hovered: marking every word in the HTML would double the page."""
    from mtfix.align import model_input

    if translation is None or not translation.links or model_input(segment.text) != segment.text:
        return ""

    def b36(number: int) -> str:
        if number < 0:
            raise ValueError(f"a negative offset ({number}) in a word link")
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"
        out = ""
        while True:
            number, rest = divmod(number, 36)
            out = digits[rest] + out
            if not number:
                return out

    encoded = " ".join(".".join(b36(n) for n in link) for link in translation.links)
    return f' data-links="{escape(encoded)}"'


# No network, no inline handlers, no <base> and no form that could send the page anywhere:
# a hostile field that got past escaping still could not navigate or post.
CSP_BASE = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _generator() -> str:
    return f'{GENERATOR_MARK}">'


def _csp() -> str:
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return f"{CSP_BASE}; script-src 'sha256-{digest}'"


def _flag_badge(flag: str, translation) -> str:
    """A flag, with the output guard's reason for it, or what it tried, as its tooltip."""
    reasons = [check["reason"] for check in (translation.checks if translation else []) if check.get("flag") == flag]
    if flag == "retried" and translation is not None and translation.attempts:
        chosen = [k + 1 for k, attempt in enumerate(translation.attempts) if attempt.get("chosen")]
        reasons = [f"decoded {len(translation.attempts)} times; attempt {', '.join(map(str, chosen))} kept"]
    title = f' title="{escape("; ".join(reasons))}"' if reasons else ""
    return f'<b class="flag"{title}>{escape(flag)}</b>'


def render_report(document: Document) -> str:
    languages = Counter(segment.lang for segment in document.segments if segment.translate)
    edit_kinds = Counter(edit.kind for edit in document.edits)
    flag_counts: Counter = Counter()
    edit_ends = [edit.raw_end for edit in document.edits]
    rows = []
    previous_end = 0
    same_cleaned = same_englishes = 0
    for number, segment in enumerate(document.segments):
        # Repairs in the text between segments (debris removed at a line start, a filler
        # between two sentences) are shown with the next segment, so no edit is invisible.
        gap_end = len(document.raw) if number == len(document.segments) - 1 else segment.raw_start
        gap = _gap_edits(document, previous_end, segment.raw_start, edit_ends)
        trailing = _gap_edits(document, segment.raw_end, gap_end, edit_ends) if gap_end > segment.raw_end else ""
        previous_end = segment.raw_end
        translation = document.translations.get(segment.id)
        flags = sorted(set(segment.flags + (translation.flags if translation else [])))
        flag_counts.update(flags)
        # Plain sentences carry no class (most rows): only what the style sheet uses.
        classes = ([] if segment.kind in ("sentence", "paragraph") else [f"kind-{_token(segment.kind)}"]) + ([] if translation else ["passed"])
        score = f"<small>{translation.score:.2f}</small>" if translation and translation.score is not None else ""
        data = ((f' data-f="{escape(" ".join(_token(f) for f in flags))}"' if flags else "")
                + (" data-e" if segment.edits else "") + _links_attribute(segment, translation))
        passed = "" if translation or not segment.translate else '<b class="flag quiet">passed through</b>'
        original = f"{gap}{_original_with_edits(document, segment.raw_start, segment.raw_end, edit_ends)}{trailing}"
        same = (not gap and not trailing and not segment.edits
                and document.raw[segment.raw_start : segment.raw_end] == segment.text
                and not (translation and (translation.terms or translation.protected)))
        english = document.target_text(segment)
        same_english = translation is None and english == segment.text
        same_cleaned += same
        same_englishes += same_english
        rows.append(
            f'<tr id="s{escape(str(segment.id))}"' + (f' class="{escape(" ".join(classes))}"' if classes else "") + f'{data}>'
            f'<td>{escape(str(segment.id))} <i>{escape(segment.lang)}</i>'
            + (f'<br><small>{escape(segment.location)}</small>' if segment.location else "") + '</td>'
            f'<td>{original}</td>'
            # The cleaned source says nothing the original does not: not written twice.
            + ('<td class="same"></td>' if same else f'<td>{_source_with_spans(segment, translation)}</td>')
            # Text passed through is the cleaned source again: not written twice either.
            + ('<td class="same">' if same_english else f'<td>{_english_with_spans(english, translation)}')
            + "".join(_flag_badge(flag, translation) for flag in flags)
            + f"{passed} {score}</td></tr>"
        )
    engines = sorted({f"{t.engine} {t.model}" for t in document.translations.values()})
    facts = {
        "File": document.path,
        "Encoding": document.encoding,
        "Languages": ", ".join(f"{lang} ({count})" for lang, count in languages.most_common()) or "none",
        "Engine": ", ".join(engines) or "none (nothing translated)",
        "Edits": ", ".join(f"{kind} ({count})" for kind, count in edit_kinds.most_common()) or "none",
        "Flags": ", ".join(f"{flag} ({count})" for flag, count in flag_counts.most_common()) or "none",
        "Segments": str(len(document.segments)),
        "Glossary terms": _glossary_line(document),
        "Protected spans": _delivered(document, "protected"),
        "Signature": document.signature,
    }
    # A column the same as the one before it in every row is left out, and the page says so.
    hidden = [name for name, count in (("cleaned", same_cleaned), ("english", same_englishes))
              if rows and count == len(rows)]
    if hidden:
        said = {"cleaned": "the cleaned source is the original in every row (nothing repaired)",
                "english": "the English is the source in every row (nothing needed translating)"}
        facts["Columns"] = "; ".join(said[name] for name in hidden)
    header = "".join(f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>" for key, value in facts.items())
    options = "".join(f'<option value="{escape(lang)}">{escape(lang)}</option>' for lang in sorted(languages))
    flag_options = "".join(f'<option value="{escape(_token(flag))}">{escape(flag)} ({count})</option>'
                           for flag, count in sorted(flag_counts.items()))
    bar = (
        '<div id="bar" hidden><input id="q" type="search" placeholder="Search both sides (/)">'
        '<label><input id="flagged" type="checkbox"> flagged only</label>'
        '<label><input id="edited" type="checkbox"> with edits only</label>'
        f'<select id="flag"><option value="">every flag</option>{flag_options}</select>'
        f'<select id="lang"><option value="">all languages</option>{options}</select>'
        '<span class="keys">j / k: next / previous · f: next flagged · /: search</span></div>'
    )
    table_class = f' class="{" ".join("no-" + name for name in hidden)}"' if hidden else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_csp()}\">{_generator()}"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>mtfix review: {escape(document.path)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>mtfix review</h1><dl>{header}</dl>{_legend(edit_kinds)}</header>{bar}"
        f"<table{table_class}><thead><tr><th>#</th><th>Original as received</th><th>Cleaned source</th>"
        "<th>English</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table><script id=\"mtfix-review\">{SCRIPT}</script></body></html>\n"
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
        # Most segments first, then by code: the same page whether the row was just made or
        # read back from manifest.json (which stores keys sorted).
        ranked = sorted(row["languages"].items(), key=lambda item: (-item[1], item[0]))
        languages = ", ".join(f"{escape(lang)} ({escape(str(count))})" for lang, count in ranked) or "—"
        flags = "".join(f'<span class="flag">{escape(str(flag))} {escape(str(count))}</span>'
                        for flag, count in sorted(row["flags"].items()))
        counts = "".join(f"<td>{escape(str(row[key]))}</td>" for key in ("segments", "translated", "edits"))
        body.append(f"<tr><td>{link}</td><td>{languages}</td>{counts}<td>{flags or '—'}</td></tr>")
    failed = sum(1 for row in rows if row.get("error"))
    segments = sum(int(row.get("segments") or 0) for row in rows if not row.get("error"))
    translated = sum(int(row.get("translated") or 0) for row in rows if not row.get("error"))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP_BASE}\">{_generator()}"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>mtfix: {escape(root)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>mtfix: {escape(root)}</h1><p>{len(rows)} documents, {failed} failed; "
        f"{segments} segments, {translated} translated</p></header>"
        "<table class=\"index\"><thead><tr><th>Document</th><th>Languages</th><th>Segments</th><th>Translated</th><th>Edits</th>"
        f"<th>Flags</th></tr></thead><tbody>{''.join(body)}</tbody></table></body></html>\n"
    )

