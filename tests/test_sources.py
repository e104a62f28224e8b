import codecs

import pytest

from mtfix.errors import InputError
from mtfix.sources import atomic_write, decode_bytes, read_text

ZH = "研究团队宣布，三位新成员将于下月加入。报告称，研究预算翻了一番。" * 3
JA = "研究チームは来月、三人の新しいメンバーが加わると発表した。予算は倍増した。" * 3
EN = "The café’s “naïve” résumé costs 5 €. " * 3


@pytest.mark.parametrize(
    "data, encoding",
    [
        (EN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ZH.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + ZH.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + ZH.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + ZH.encode("utf-32-le"), "utf-32-le"),
        (codecs.BOM_UTF32_BE + ZH.encode("utf-32-be"), "utf-32-be"),
    ],
)
def test_unicode_encodings_are_decided_by_bom_or_strict_utf8(data, encoding):
    decoded = decode_bytes(data)
    assert decoded.encoding == encoding
    assert decoded.text in (EN, ZH)


@pytest.mark.parametrize(
    "text, codec, expected",
    [
        (ZH, "gb18030", "gb18030"),
        (ZH, "gbk", "gb18030"),
        ("研究團隊宣佈，三位新成員將於下月加入。報告稱，研究預算翻了一番。" * 3, "big5", "big5"),
        (JA, "shift_jis", "shift_jis"),
        (EN, "cp1252", "cp1252"),
    ],
)
def test_legacy_encodings_are_detected(text, codec, expected):
    decoded = decode_bytes(text.encode(codec))
    assert decoded.text == text
    assert decoded.encoding.replace("_", "-").startswith(expected.replace("_", "-")[:5]) or decoded.encoding in (
        "big5hkscs", "cp932", "windows-1252", "latin-1", "iso8859-1",
    )


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"\x7fELF\x02\x01\x01\x00", "ELF"),
        (b"hello\x00world", "NUL byte at 0x5"),
    ],
)
def test_binary_input_is_refused_with_one_line(data, reason):
    with pytest.raises(InputError) as caught:
        decode_bytes(data, "notes.txt")
    message = str(caught.value)
    assert message.startswith("notes.txt: looks binary") and reason in message and "\n" not in message


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(InputError, match="is empty"):
        read_text(empty)
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "absent.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_text(tmp_path)


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "deep" / "out.txt"
    atomic_write(target, "翻译")
    atomic_write(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_a_few_stray_nuls_in_text_are_read_and_then_removed_as_edits():
    from mtfix.degarble import clean
    from mtfix.sources import decode_bytes

    data = "Tim baru bekerja di Zurich. ".encode() * 10 + b"Perusahaan\x00 itu.\n"
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8" and "\x00" in decoded.text
    cleaned, edits = clean(decoded.text)
    assert "\x00" not in cleaned and edits


def test_utf16_without_a_bom_and_mixed_encodings_are_read():
    from mtfix.sources import decode_bytes

    text = "Perusahaan itu merekrut peneliti top lain dari saingannya.\n"
    assert decode_bytes(text.encode("utf-16-le")).text == text
    assert decode_bytes(text.encode("utf-16-be")).text == text
    mixed = "第一行是UTF-8编码的中文。\n".encode() + "第二行是GBK编码的中文。\n".encode("gbk")
    decoded = decode_bytes(mixed)
    assert decoded.text == "第一行是UTF-8编码的中文。\n第二行是GBK编码的中文。\n"
    assert decoded.encoding.startswith("utf-8+")


KO = "연구팀은 다음 달 새로운 구성원 세 명이 합류한다고 발표했다. 예산은 두 배로 늘었다.\n" * 3
RU = "Исследовательская группа объявила, что в следующем месяце к ней присоединятся трое.\n" * 3


@pytest.mark.parametrize("text", [ZH + "\n", JA + "\n", KO, RU, EN + "\n", "中文\n", "第一行\n第二行\n"],
                         ids=["zh", "ja", "ko", "ru", "en", "two-characters", "lines"])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_bom_are_read_by_decoding_not_by_counting_zeros(text, encoding):
    # CJK in UTF-16 has a zero byte only at its line breaks and ASCII: too few to count.
    decoded = decode_bytes(text.encode(encoding))
    assert (decoded.text, decoded.encoding, decoded.bom) == (text, encoding, False)


@pytest.mark.parametrize("data", [
    b"\x00\x01\x02\x03" * 64,  # control characters in every reading
    bytes(range(256)) * 4,  # every byte
    b"\x00" * 40 + "A line of UTF-8 text, then zeros.".encode(),
    b"\x00\x01binary",  # four ideographs read as UTF-16, and no space or line break
])
def test_bytes_that_no_wide_reading_makes_text_of_are_refused(data):
    with pytest.raises(InputError, match="skipped"):
        decode_bytes(data)


def test_utf8_with_a_stray_zero_byte_is_not_taken_for_utf16():
    data = ("Tim baru bekerja di Zurich, kata laporan itu. " * 4).encode() + b"\x00\n"
    assert decode_bytes(data).encoding == "utf-8"
