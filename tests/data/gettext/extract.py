"""``pairs.tsv``: real human translations into English, from the gettext catalogues
Debian installs (``/usr/share/locale/LANG/LC_MESSAGES/*.mo``), for the output guard's false
alarm test (``tests/test_guard.py``) and ``benchmarks/guard.py``.

Each row is one line of a translated message and the same line of its English original
(``msgstr`` line, ``msgid`` line), where both have as many lines; messages whose English has
fewer than three words are left out. ``LINES_PER_LANGUAGE`` rows per language, drawn with a
fixed seed. The catalogues of apt, dpkg, git and coreutils are reserved for an independent
check and never read. Licences: each package's own (``manifest.tsv``: GPL-3.0+ for the GNU
tools, GPL-2.0+ for shadow and man-db, LGPL-2.1+ for glib and systemd).

    python tests/data/gettext/extract.py      # on a Debian machine with the packages below
"""

from __future__ import annotations

import csv
import gettext
import random
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGUAGES = ["zh_CN", "zh_TW", "ja", "ko", "ru", "de", "fr", "es", "id"]
# package -> catalogue name, licence
CATALOGUES = {
    "bash": ("bash", "GPL-3.0+"), "tar": ("tar", "GPL-3.0+"), "wget": ("wget", "GPL-3.0+"),
    "grep": ("grep", "GPL-3.0+"), "sed": ("sed", "GPL-3.0+"), "findutils": ("findutils", "GPL-3.0+"),
    "diffutils": ("diffutils", "GPL-3.0+"), "make": ("make", "GPL-3.0+"), "gettext-base": ("gettext-runtime", "GPL-3.0+"),
    "passwd": ("shadow", "GPL-2.0+"), "man-db": ("man-db", "GPL-2.0+"), "libglib2.0-data": ("glib20", "LGPL-2.1+"),
    "systemd": ("systemd", "LGPL-2.1+"),
}
RESERVED = {"apt", "dpkg", "git", "coreutils"}
LINES_PER_LANGUAGE = 400


def version(package: str) -> str:
    found = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True)
    return found.stdout.strip() or "?"


def lines_of(path: Path) -> list[tuple[str, str]]:
    with path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    pairs = []
    for english, translated in catalogue._catalog.items():  # (the parsed catalogue; no public accessor)
        if isinstance(english, tuple):
            english = english[0]
        if not english or not translated:
            continue
        english = english.split("\x04")[-1]  # a message context comes before \x04
        ours = [line.strip() for line in translated.split("\n") if line.strip()]
        theirs = [line.strip() for line in english.split("\n") if line.strip()]
        if len(ours) != len(theirs):
            continue
        pairs += [(a, b) for a, b in zip(ours, theirs) if len(b.split()) >= 3 and "\t" not in a + b]
    return pairs


def main() -> None:
    rows, manifest = [], []
    for package, (name, licence) in CATALOGUES.items():
        assert name not in RESERVED
        used = False
        for lang in LANGUAGES:
            path = Path("/usr/share/locale") / lang / "LC_MESSAGES" / f"{name}.mo"
            if path.exists():
                rows += [(lang, name, a, b) for a, b in lines_of(path)]
                used = True
        if used:
            manifest.append((name, package, version(package), licence))
    chosen = []
    for lang in LANGUAGES:
        mine = sorted({row for row in rows if row[0] == lang})
        chosen += random.Random(lang).sample(mine, min(LINES_PER_LANGUAGE, len(mine)))
    with (HERE / "pairs.tsv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(["lang", "catalogue", "translation", "english"])
        writer.writerows(chosen)
    with (HERE / "manifest.tsv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["catalogue", "debian package", "version", "licence"])
        writer.writerows(manifest)
    print(f"{len(chosen)} pairs from {len(manifest)} catalogues")


if __name__ == "__main__":
    main()


def read_pairs(path: Path = HERE / "pairs.tsv") -> list[dict]:
    """The rows of ``pairs.tsv`` as dicts (lang, catalogue, translation, english)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))


def sent_to_a_model(row: dict) -> bool:
    """Whether mtfix would send the translation to a model: not code, not a list of names,
    detected in a language other than English (as the pipeline decides)."""
    from mtfix.langid import detect_language, is_list_of_names, looks_like_code

    text = row["translation"]
    return not looks_like_code(text) and not is_list_of_names(text) and detect_language(text).lang not in ("en", "und")
