"""Reading input bytes as text, and writing outputs atomically.

Decoding order, strongest evidence first:
1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides;
2. strict UTF-8: text that decodes as UTF-8 is almost never anything else;
3. UTF-16 or UTF-32 without a BOM, where the bytes hold a zero byte (a line break or a
   space in UTF-16 has one): each byte order is decoded strictly, and a reading is kept
   when its characters are what text is made of (:func:`_wide_without_bom`); counting zero
   bytes alone cannot tell CJK in UTF-16, which has few;
   then binary refusal: a known binary signature, or more than a few NUL bytes (a few
   stray NULs in text are kept and removed by de-garbling as logged edits);
4. charset-normalizer on the rest (GB18030/GBK, Big5, Shift-JIS, cp1252, latin-1 ...).
   GBK and GB2312 answers are widened to GB18030, its superset, so no character is refused.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from mtfix.errors import InputError, OutputError

# Signatures of binary formats users drop into folders by accident.
BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF-": "a PDF file",
    b"PK\x03\x04": "a ZIP archive (or a .docx/.xlsx)",
    b"\x1f\x8b": "gzip-compressed",
    b"\x7fELF": "an executable (ELF)",
    b"BZh": "bzip2-compressed",
    b"\xfd7zXZ\x00": "xz-compressed",
}

BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# charset-normalizer names mapped to the codec we decode with.
WIDER_ENCODING = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs"}


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    sha256: str
    bom: bool = False
    # (offset, label) where the text was made from a file that is not text (a PDF's pages
    # and blocks): where a reviewer finds each part in the file.
    locations: tuple = ()


def decode_bytes(data: bytes, path: str = "<bytes>") -> DecodedText:
    """Decode ``data`` to text, recording the encoding; raise InputError for binary data."""
    digest = hashlib.sha256(data).hexdigest()
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding.replace("-sig", ""))
            except UnicodeDecodeError as error:
                raise InputError(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(byte 0x{error.start + len(bom):x})",
                    path,
                ) from None
            return DecodedText(text, encoding, digest, bom=True)

    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise InputError(f"looks binary ({what}); skipped", path)
    nul = data.find(b"\x00")
    # A few zero bytes in text that is valid UTF-8 are stray (see above); UTF-16 of mostly
    # ASCII is valid UTF-8 too, but half its bytes are zeros.
    if nul >= 0 and (data.count(b"\x00") * 100 > len(data) or not _is_utf8(data)):
        wide = _wide_without_bom(data)
        if wide is not None:
            return DecodedText(data.decode(wide), wide, digest)
        if data.count(b"\x00") * 100 > len(data):  # more than 1 % NULs: not text
            raise InputError(f"looks binary (NUL byte at 0x{nul:x}); skipped", path)

    try:
        return DecodedText(data.decode("utf-8"), "utf-8", digest)
    except UnicodeDecodeError:
        pass

    mixed = _mixed_lines(data)
    if mixed is not None:
        return DecodedText(mixed[0], mixed[1], digest)

    from charset_normalizer import from_bytes

    best = _best_match(from_bytes(data))
    if best is None:
        raise InputError("is not text in any encoding mtfix knows (not UTF-8, and no legacy "
                         "encoding fits); skipped", path)
    encoding = WIDER_ENCODING.get(best.encoding, best.encoding)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text = str(best)
        encoding = best.encoding
    if _control_ratio(text) > 0.05:
        raise InputError(f"looks binary (many control characters when read as {encoding}); "
                         "skipped", path)
    return DecodedText(text, encoding, digest)


def _mixed_lines(data: bytes) -> tuple[str, str] | None:
    """Text whose lines are in two encodings (a file pasted together from UTF-8 and GBK
    sources): UTF-8 lines read as UTF-8, the others in the one legacy encoding that reads
    all of them. None unless some lines are real (non-ASCII) UTF-8 and the rest fit one
    encoding strictly."""
    from charset_normalizer import from_bytes

    lines = data.splitlines(keepends=True)
    utf8_lines, other = 0, []
    for number, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
            continue
        if max(line, default=0) >= 0x80:
            utf8_lines += 1
    if not other or not utf8_lines:
        return None
    best = _best_match(from_bytes(b"".join(lines[number] for number in other)))
    if best is None:
        return None
    encoding = WIDER_ENCODING.get(best.encoding, best.encoding)
    wanted = set(other)
    try:
        text = "".join(line.decode(encoding if number in wanted else "utf-8") for number, line in enumerate(lines))
    except (UnicodeDecodeError, LookupError):
        return None
    return text, f"utf-8+{encoding}"


WIDE_ENCODINGS = (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2))

# The most a character may cost on average (mtfix.degarble.plausibility: 0 for ASCII, common
# ideographs, kana and Latin-1 letters, 0.5 for other letters, 2-6 for rare ideographs,
# symbols, unassigned and control characters) for a reading to be text. Bytes read in the
# wrong order or width give rare ideographs and unassigned code points (ASCII in UTF-16-LE
# read as big-endian is U+6100, U+6200 ...): 1 or more on average.
WIDE_MAX_COST = 0.5


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _wide_without_bom(data: bytes) -> str | None:
    """The UTF-16 or UTF-32 encoding and byte order that reads ``data`` strictly as the most
    plausible text, if that text is plausible at all (``WIDE_MAX_COST``); else None."""
    from mtfix.degarble.plausibility import char_cost

    best = None
    for encoding, width in WIDE_ENCODINGS:
        if len(data) < width or len(data) % width:
            continue
        try:
            text = data[: 1 << 16].decode(encoding)  # (a multiple of 4 bytes)
            if len(data) > 1 << 16:
                data.decode(encoding)  # strictly, all of it
        except UnicodeDecodeError:
            continue
        if not text:
            continue
        mean = sum(map(char_cost, text)) / len(text)
        # Text has a space or a line break somewhere, as its zero bytes said (they are the
        # high bytes of ASCII); eight bytes of a binary header read as four ideographs do not.
        if not any(ch in text for ch in " \n\t\u3000"):
            continue
        if mean <= WIDE_MAX_COST and (best is None or mean < best[0]):
            best = (mean, encoding)
    return None if best is None else best[1]


# When charset-normalizer finds several encodings equally plausible (cp1250 and cp1252 read
# most Western text identically), prefer the ones our users' documents come in.
PREFERRED_ENCODINGS = ["utf_8", "cp1252", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "shift_jis",
                       "cp932", "euc_jp", "euc_kr", "cp949", "latin_1", "iso8859_15"]


def _best_match(matches):
    if not matches:
        return None
    ranked = sorted(matches, key=lambda m: (m.chaos, -m.coherence))
    top = ranked[0]
    tied = [m for m in ranked if m.chaos <= top.chaos + 0.005 and m.coherence >= top.coherence - 0.005]

    def preference(match):
        name = match.encoding
        return PREFERRED_ENCODINGS.index(name) if name in PREFERRED_ENCODINGS else len(PREFERRED_ENCODINGS)

    return min(tied, key=preference)


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for ch in text[:100_000] if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
    return controls / min(len(text), 100_000)


# What one input may weigh when the user names no limit (``--max-bytes``): far above any
# document people translate, far below what would exhaust memory on a laptop.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024

_NOT_REGULAR = [
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
]


def _not_regular(mode: int) -> str | None:
    for test, reason in _NOT_REGULAR:
        if test(mode):
            return reason
    return None if stat.S_ISREG(mode) else "is not a regular file"


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count} bytes"


def read_bytes(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them; InputError with
    one sentence otherwise. Never blocks and never reads without end: a FIFO, a device or a
    socket is refused before a byte is read (the file is opened non-blocking and checked
    again once open, so swapping it for a pipe between the two looks does not help)."""
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except FileNotFoundError:
        if os.path.islink(name):
            raise InputError(f"is a broken symbolic link (to {os.readlink(name)})", name) from None
        raise InputError("no such file", name) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", name) from None
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror or error})", name) from None
    reason = _not_regular(info.st_mode)
    if reason:
        raise InputError(f"{reason}; skipped", name)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(name, flags)
    except PermissionError:
        raise InputError("cannot be read (permission denied)", name) from None
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror or error})", name) from None
    try:
        info = os.fstat(handle)
        reason = _not_regular(info.st_mode)
        if reason:
            raise InputError(f"{reason}; skipped", name)
        if info.st_size > max_bytes:
            raise InputError(f"is {_size(info.st_size)}, over the limit of {_size(max_bytes)} (--max-bytes)", name)
        chunks, total = [], 0
        while True:  # a file that grows while read (or a /proc file that says 0) stays bounded
            chunk = os.read(handle, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise InputError(f"is over the limit of {_size(max_bytes)} (--max-bytes)", name)
        return b"".join(chunks)
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror or error})", name) from None
    finally:
        os.close(handle)


def read_text(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedText:
    """Read a file as text. Raises InputError with one sentence naming the problem."""
    name = os.fspath(path)
    data = read_bytes(path, max_bytes)
    from mtfix.formats import packaged

    kind = packaged(data)  # a PDF, a Word document, an EPUB...: its format's text of it
    if kind is not None:
        text, locations = kind.extract(data, name)
        return DecodedText(text, kind.ENCODING, hashlib.sha256(data).hexdigest(), locations=tuple(locations))
    decoded = decode_bytes(data, name)
    if not decoded.text.strip():
        raise InputError("is empty (nothing to translate)", name)
    return decoded


# Temporary files of atomic writes carry this process's token, so that a later run can
# remove exactly the ones a killed run left behind (``temporary_name``) and never touches a
# file of the user's that merely looks like a temporary file.
RUN_TOKEN = "mtfix-" + secrets.token_hex(6)


def temporary_name(target: Path, token: str = RUN_TOKEN) -> Path:
    return target.with_name(f".{target.name}.{token}.tmp")


def default_mode() -> int:
    """Permissions of a new output under the current umask (0o644 under the usual 022)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | os.PathLike, content: str | bytes, mode: int | None = None) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename, so a file under its
    real name is always complete. ``mode``: the permissions (default: 0o666 under the umask);
    the file never has wider ones at any moment, the temporary one included."""
    target = Path(path)
    final_mode = default_mode() if mode is None else mode & default_mode()
    temporary = temporary_name(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
                os.fchmod(stream.fileno(), final_mode)
            os.replace(temporary, target)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
    except OSError as error:
        raise OutputError(f"cannot be written ({error.strerror or error})", os.fspath(path)) from None
