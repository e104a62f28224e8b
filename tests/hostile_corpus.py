"""The bad-input corpus: generated at test time (nothing large is committed).

Each case is a file (or a folder entry) and what mtfix must do with it: translate it
(``ok``), or refuse it with one line whose reason contains ``reason``. Sizes scale with
``scale`` so that the scaling benchmark can reuse the generators.
"""

from __future__ import annotations

import gzip
import os
import random
from dataclasses import dataclass
from pathlib import Path

FILLERS = ["I don't know.", "I'm not sure what I'm talking about.", "♪ I'll be right back ♪",
           "It's not a good idea, it's not a good idea."]


@dataclass(frozen=True)
class Case:
    name: str  # path relative to the corpus folder
    ok: bool  # translated (True) or refused with one line (False)
    reason: str = ""  # a piece of the one-line reason when refused


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def _elf() -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(9) + os.urandom(2048)


def big_english(size: int, seed: int = 0) -> str:
    """``size`` characters of plain English paragraphs (passed through, no model needed)."""
    rng = random.Random(seed)
    words = "the lab hired three researchers from its rivals to build a new model team this year".split()
    parts, total = [], 0
    while total < size:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(6, 18))).capitalize() + "."
        parts.append(sentence + ("\n\n" if rng.random() < 0.2 else " "))
        total += len(parts[-1]) + 1
    return "".join(parts)[:size]


def markdown_table(size: int) -> str:
    rows = ["| name | lab | year |", "|---|---|---|"]
    total = 0
    number = 0
    while total < size:
        rows.append(f"| researcher {number} | lab {number % 7} | {2000 + number % 25} |")
        total += len(rows[-1]) + 1
        number += 1
    return "\n".join(rows) + "\n"


def build(folder: Path, scale: float = 1.0) -> list[Case]:
    """Write the corpus into ``folder``; return what each entry must become."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def put(name: str, data: bytes | str, ok: bool, reason: str = "") -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases.append(Case(name, ok, reason))

    put("empty.txt", b"", False, "empty")
    put("whitespace.txt", " \n\t\n   \r\n", False, "empty")
    put("punctuation.txt", "!!! ... ??? ——— 。。。 ，，，\n", True)
    put("image.txt", _png(), False, "binary")
    put("archive.txt", gzip.compress(b"hello world " * 100), False, "binary")
    put("program.txt", _elf(), False, "binary")
    # A few stray NULs in a page of text (more than 1 % of the bytes would be binary).
    put("nul-inside.txt", "Tim baru bekerja di Zurich. Perusahaan itu merekrut peneliti.\n".encode() * 20
        + b"Tim baru\x00\x00 bekerja.\n", True)
    put("invalid-utf8.txt", "Perusahaan itu merekrut peneliti top.\n".encode() + b"\xff\xfe\xc3\x28 ok\n", True)
    put("utf16-no-bom.txt", "Perusahaan itu merekrut peneliti top lain dari saingannya.\n".encode("utf-16-le"), True)
    put("mixed-utf8-gbk.txt", "第一行是UTF-8编码的中文。\n".encode() + "第二行是GBK编码的中文。\n".encode("gbk")
        + "第三行又是UTF-8。\n".encode(), True)
    put("long-line.txt", ("perusahaan itu merekrut peneliti top lain dari saingannya " * 4000)[: int(200_000 * scale)], True)
    put("fillers.txt", "\n".join(random.Random(3).choice(FILLERS) for _ in range(int(10_000 * scale))) + "\n", True)
    nested = "<div>" * int(5000 * scale) + "Perusahaan itu merekrut peneliti." + "<span><b><i>" * int(2000 * scale)
    put("nested.html", "<html><body>" + nested + "\n", True)
    put("table.md", markdown_table(int(10_000_000 * scale)), True)
    put("rtl-combining.txt", "مرحبا بالعالم، هذا نص عربي.\nשלום עולם, זה טקסט בעברית.\n"
        "Z̷̢̛a̶l̵g̸o̴ t̷e̶x̵t̸ w̶i̷t̴h̵ c̸o̷m̶b̵i̴n̷i̶n̵g̸ m̷a̶r̵k̸s̷.\n‮reversed‬ text and ‏marks‎.\n", True)
    put("big.txt", big_english(int(50_000_000 * scale)), True)
    # Names a shell or a careless script would trip over.
    put("name with spaces.txt", "Tim baru bekerja di Zurich.\n", True)
    put("quotes \"double\" and 'single'.txt", "Perusahaan itu merekrut peneliti top.\n", True)
    put("new\nline.txt", "Peneliti lain dari saingannya juga bergabung.\n", True)
    put("<script>alert(1)<\\script>.md", "# Judul\n\nTim baru <script>alert(1)</script> bekerja.\n", True)
    weird = os.fsdecode(b"latin1-\xe9t\xe9.txt")  # not UTF-8: a surrogate-escaped name
    put(weird, "Tim itu merekrut lagi.\n", True)
    # Links: a loop (a folder that contains itself) and one pointing nowhere.
    (folder / "loop").mkdir(exist_ok=True)
    if not (folder / "loop" / "again").exists():
        os.symlink("..", folder / "loop" / "again")
    if not (folder / "dangling.txt").is_symlink():
        os.symlink(folder / "does-not-exist.txt", folder / "dangling.txt")
    cases.append(Case("dangling.txt", False, "broken symbolic link"))
    # Unreadable: refused with a reason (root reads everything, so the case is dropped there).
    put("unreadable.txt", "Tim baru bekerja.\n", False, "permission denied")
    os.chmod(folder / "unreadable.txt", 0)
    if os.geteuid() == 0:
        os.chmod(folder / "unreadable.txt", 0o644)
        cases[-1] = Case("unreadable.txt", True)
    return cases
