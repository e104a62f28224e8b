"""Rebuild the real-document corpus from the published packages it was taken from.

    python tests/data/realdocs/fetch.py WORK_FOLDER

Needs ``apt-get`` (Debian's packages), ``pip`` and ``man`` (man-db and groff to render the
manual pages as ``man`` prints them); writes the documents beside this file and
``manifest.tsv`` (file, format, language, package, version, path in the package, licence).
The corpus is committed; this script says where every document came from, and brings the
same files back. None of the packages reserved for an independent check is used
(debian-reference, debian-faq, maint-guide; the gettext catalogues of apt, dpkg, git,
coreutils; the manual pages bzip2, chmod, su, at, diff, crontab, locale, ls, random, gzip;
the READMEs of cn2an, hgtk, neologdn, jieba).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

HANDBOOK = "usr/share/doc/debian-handbook/html"
HISTORY = "usr/share/doc/debian-history/docs"

# (package, path inside it, file here, format, language)
DEBIAN = [
    *[("debian-handbook", f"{HANDBOOK}/{folder}/{page}", f"handbook-{folder}-{page.split('.')[1]}.xhtml", "html", lang)
      for folder, page, lang in [
          ("zh-CN", "sect.apt-get.html", "zh"), ("zh-TW", "sect.package-meta-information.html", "zh-tw"),
          ("ja-JP", "sect.package-meta-information.html", "ja"), ("id-ID", "sect.apt-get.html", "id"),
          ("ru-RU", "sect.package-meta-information.html", "ru"), ("de-DE", "sect.apt-get.html", "de"),
          ("fr-FR", "sect.package-meta-information.html", "fr"), ("es-ES", "sect.apt-get.html", "es"),
          ("pt-BR", "sect.package-meta-information.html", "pt"), ("it-IT", "sect.apt-get.html", "it"),
          ("vi-VN", "sect.package-meta-information.html", "vi"), ("ar-MA", "sect.package-meta-information.html", "ar"),
      ]],
    *[("debian-history", f"{HISTORY}/{page}.{lang}.html", f"history-{page}.{lang}.html", "html", lang)
      for page, lang in [("intro", "de"), ("intro", "es"), ("intro", "fr"), ("intro", "it"), ("intro", "ja"),
                         ("intro", "ko"), ("intro", "pt"), ("intro", "ru"), ("leaders", "ja"), ("leaders", "ru")]],
]

# Manual pages, rendered by man as a user reads them: (package, man folder, page, language).
MANUAL_PAGES = [
    ("manpages-zh", "zh_CN", "mkdir", "zh"), ("manpages-zh", "zh_TW", "cp", "zh-tw"),
    ("manpages-zh", "zh_TW", "tar", "zh-tw"), ("manpages-ja", "ja", "cp", "ja"), ("manpages-ja", "ja", "find", "ja"),
    ("manpages-de", "de", "tar", "de"), ("manpages-de", "de", "mkdir", "de"), ("manpages-fr", "fr", "cp", "fr"),
    ("manpages-fr", "fr", "xargs", "fr"), ("manpages-es", "es", "cp", "es"), ("manpages-es", "es", "uniq", "es"),
    ("manpages-ru", "ru", "iconv", "ru"), ("manpages-id", "id", "cp", "id"), ("manpages-id", "id", "du", "id"),
    ("manpages-pt-br", "pt_BR", "mkdir", "pt"),
]

# PyPI source distributions: (project, path inside, file here, format, language).
PYPI = [
    ("paddleocr", "readme/README_cn.md", "paddleocr-README_cn.md", "markdown", "zh"),
    ("paddleocr", "readme/README_tcn.md", "paddleocr-README_tcn.md", "markdown", "zh-tw"),
    ("paddleocr", "readme/README_ja.md", "paddleocr-README_ja.md", "markdown", "ja"),
    ("paddleocr", "readme/README_ko.md", "paddleocr-README_ko.md", "markdown", "ko"),
    ("paddleocr", "readme/README_ru.md", "paddleocr-README_ru.md", "markdown", "ru"),
    ("paddleocr", "readme/README_fr.md", "paddleocr-README_fr.md", "markdown", "fr"),
    ("paddleocr", "readme/README_es.md", "paddleocr-README_es.md", "markdown", "es"),
    ("kiwipiepy", "README.md", "kiwipiepy-README.md", "markdown", "ko"),
    ("ckiptagger", "README.md", "ckiptagger-README.md", "markdown", "zh-tw"),
    ("snownlp", "README.md", "snownlp-README.md", "markdown", "zh"),
    ("cnocr", "README.md", "cnocr-README.md", "markdown", "zh"),
    ("natasha", "README.md", "natasha-README.md", "markdown", "ru"),
    ("yargy", "README.md", "yargy-README.md", "markdown", "ru"),
    ("ginza", "README.md", "ginza-README.md", "markdown", "ja"),
    ("opencc", "doc/README.md", "opencc-doc-README.md", "markdown", "zh"),
    ("jaconv", "README_JP.rst", "jaconv-README_JP.txt", "plain", "ja"),
    ("konlpy", "README.rst", "konlpy-README.txt", "plain", "ko"),
]


# Where a package's copyright file is not machine-readable: its licence, as that file says.
LICENCES = {
    "debian-history": "GPL-2+",
    "manpages-ja": "each page under its original's licence (here GNU coreutils and findutils: GPL-3+)",
}


def run(*command: str, cwd: Path | None = None, env: dict | None = None) -> str:
    return subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def debian(work: Path, package: str) -> tuple[Path, str, str]:
    """The unpacked package, its version and its licence (from its copyright file)."""
    folder = work / package
    if not folder.is_dir():
        run("apt-get", "download", package, cwd=work)
        deb = next(work.glob(f"{package}_*.deb"))
        run("dpkg", "-x", str(deb), str(folder))
    deb = next(work.glob(f"{package}_*.deb"))
    version = deb.name.split("_")[1]
    copyright_file = folder / "usr/share/doc" / package / "copyright"
    licences = []
    if copyright_file.is_file():
        for line in copyright_file.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("License:") and line.split(":", 1)[1].strip() not in licences:
                licences.append(line.split(":", 1)[1].strip())
    return folder, version, LICENCES.get(package) or " or ".join(licences[:3]) or "see the package's copyright file"


def pypi(work: Path, project: str) -> tuple[Path, str, str]:
    folder = work / "pypi" / project
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        run(sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q", "-d", str(folder.parent),
            project)
        archive = next(p for p in folder.parent.iterdir() if p.name.lower().startswith(project.lower().replace("-", "_"))
                       or p.name.lower().startswith(project.lower()))
        folder.mkdir()
        if archive.suffix == ".zip":
            zipfile.ZipFile(archive).extractall(folder)
        else:
            tarfile.open(archive).extractall(folder, filter="data")
    root = next(folder.iterdir())
    version = root.name.rsplit("-", 1)[-1]
    licence = "see the project's metadata"
    info = root / "PKG-INFO"
    if info.is_file():
        for line in info.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("License:", "License-Expression:")) and line.split(":", 1)[1].strip() not in ("", "UNKNOWN"):
                licence = line.split(":", 1)[1].strip()[:80]
                break
            if line.startswith("Classifier: License ::"):
                licence = line.rsplit("::", 1)[1].strip()
    return root, version, licence


def main(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    rows = ["file\tformat\tlanguage\tpackage\tversion\tpath\tlicence"]
    for package, inside, name, format_name, lang in DEBIAN:
        folder, version, licence = debian(work, package)
        (HERE / name).write_bytes((folder / inside).read_bytes())
        rows.append(f"{name}\t{format_name}\t{lang}\tdebian:{package}\t{version}\t/{inside}\t{licence}")
    env = dict(os.environ, MANWIDTH="80", LANG="C.UTF-8", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    for package, folder_name, page, lang in MANUAL_PAGES:
        folder, version, licence = debian(work, package)
        source = folder / "usr/share/man" / folder_name / "man1" / f"{page}.1.gz"
        plain = run("man", "-E", "UTF-8", "-P", "cat", "-l", str(source), env=env)
        plain = _strip_overstrike(plain)
        name = f"man-{page}.{lang}.txt"
        (HERE / name).write_text(plain, encoding="utf-8")
        rows.append(f"{name}\tplain\t{lang}\tdebian:{package}\t{version}\t/usr/share/man/{folder_name}/man1/{page}.1.gz "
                    f"(rendered: man -l, 80 columns)\t{licence}")
    for project, inside, name, format_name, lang in PYPI:
        root, version, licence = pypi(work, project)
        (HERE / name).write_bytes((root / inside).read_bytes())
        rows.append(f"{name}\t{format_name}\t{lang}\tpypi:{project}\t{version}\t{inside}\t{licence}")
    (HERE / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows) - 1} documents, {sum(p.stat().st_size for p in HERE.iterdir() if p.suffix != '.py') / 1e6:.2f} MB")


def _strip_overstrike(text: str) -> str:
    """What ``col -b`` does to man's output: a character, a backspace and another one
    (bold, underline) are the last one alone."""
    out: list[str] = []
    for ch in text:
        if ch == "\b":
            if out:
                out.pop()
            continue
        out.append(ch)
    return "".join(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/mtfix-realdocs"))
