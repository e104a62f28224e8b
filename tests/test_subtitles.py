"""Subtitles (SubRip, WebVTT): webvtt-py's own sample files (a Spanish Netflix episode among
them, ``tests/data/peer/webvtt-py``), files written with the ``srt`` library, the identity
engine and a random model."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mtfix.engines.base import TranslateConfig
from mtfix.formats import choose, parse
from mtfix.pipeline import translate_file

PEER = Path(__file__).parent / "data" / "peer" / "webvtt-py"
VALID = ["netflix_chicas_del_cable.vtt", "youtube_dl.vtt", "sample.srt", "cue_tags.vtt", "comments.vtt", "styles.vtt",
         "using_identifiers.vtt", "captions_with_bom.vtt", "metadata_headers_multiline.vtt", "one_caption.srt"]
IDENTITY = TranslateConfig(engine="identity")


def english_of(path: Path, out: Path, config=IDENTITY) -> str:
    document = translate_file(path, out_dir=out, translate_config=config)
    suffix = path.suffix
    return (out / f"{path.stem}.en{suffix}").read_text(encoding="utf-8"), document


@pytest.mark.parametrize("name", VALID)
def test_the_identity_engine_gives_every_subtitle_file_back_byte_for_byte(tmp_path, name):
    source = PEER / name
    _, document = english_of(source, tmp_path)
    assert document.format == "subtitles"
    # (A byte-order mark included.)
    assert (tmp_path / f"{source.stem}.en{source.suffix}").read_bytes() == source.read_bytes()


def _spanish_cues(count: int, tmp_path: Path) -> Path:
    """The first ``count`` cues of the Netflix episode, as a file of their own."""
    import webvtt

    captions = webvtt.from_string((PEER / "netflix_chicas_del_cable.vtt").read_text(encoding="utf-8")).captions
    part = webvtt.WebVTT(captions=captions[:count])
    path = tmp_path / "episode.vtt"
    path.write_text(part.content, encoding="utf-8")
    return path


def test_a_random_model_changes_every_cue_and_keeps_every_timing(tmp_path, tiny_marian):
    import webvtt

    source = _spanish_cues(60, tmp_path)
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=24, guard="off")
    english, document = english_of(source, tmp_path / "out", config)
    before = webvtt.from_string(source.read_text(encoding="utf-8")).captions
    after = webvtt.from_string(english).captions
    assert [(c.start, c.end, c.identifier) for c in after] == [(c.start, c.end, c.identifier) for c in before]
    assert all(c.text.strip() for c in after)  # no cue left empty
    changed = sum(a.text != b.text for a, b in zip(after, before))
    assert changed >= 0.9 * len(before)
    # Cue settings (position, align, size, line) are the source's, byte for byte.
    settings = [line for line in source.read_text(encoding="utf-8").splitlines() if "-->" in line]
    assert [line for line in english.splitlines() if "-->" in line] == settings
    for caption in after:
        for line in caption.text.splitlines():
            assert len(line) <= 42 or " " not in line.strip(), line


def test_a_sentence_across_cues_is_translated_once_and_split_back_in_proportion(tmp_path):
    import srt

    cues = [srt.Subtitle(1, timedelta(seconds=1), timedelta(seconds=3), "Perusahaan itu mengumumkan bahwa tiga"),
            srt.Subtitle(2, timedelta(seconds=3), timedelta(seconds=5), "peneliti baru akan bergabung bulan depan."),
            srt.Subtitle(3, timedelta(seconds=6), timedelta(seconds=8), "Tim riset bekerja di Zurich.")]
    source = tmp_path / "talk.srt"
    source.write_text(srt.compose(cues), encoding="utf-8")
    layout = parse(source.read_text(encoding="utf-8"), "subtitles")
    assert [block.kind for block in layout.blocks] == ["subtitle", "subtitle"]  # cues 1-2, then 3

    class Upper:
        name = "upper"

        def __init__(self):
            self.sent = []

        def check(self):
            pass

        def model_for(self, lang):
            return "upper"

        def translate(self, texts, lang, terms=None):
            self.sent += texts
            return [type("Out", (), {"text": t.upper(), "score": 0.0, "model": "upper", "flags": [], "links": [],
                                     "checks": [], "attempts": []})() for t in texts]

    engine = Upper()
    document = translate_file(source, out_dir=tmp_path / "out", engine=engine,
                              translate_config=TranslateConfig(engine="identity", guard="off"))
    assert "Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung bulan depan." in engine.sent
    english = (tmp_path / "out" / "talk.en.srt").read_text(encoding="utf-8")
    after = list(srt.parse(english))
    assert [(c.index, c.start, c.end) for c in after] == [(c.index, c.start, c.end) for c in cues]
    # The break falls where it stood: six words of the sentence's twelve... in the English too.
    assert after[0].content == "PERUSAHAAN ITU MENGUMUMKAN BAHWA TIGA"
    assert after[1].content == "PENELITI BARU AKAN BERGABUNG BULAN DEPAN."
    assert len(document.segments) == 2


def test_a_cue_too_long_for_a_line_is_rewrapped_and_dialogue_keeps_its_lines():
    from mtfix.formats.subtitles import rewrap

    assert rewrap("The lab hired three researchers from its rivals to build a new model") == (
        "The lab hired three researchers from its\nrivals to build a new model")
    assert rewrap("- Are you coming? - Yes.") == "- Are you coming?\n- Yes."
    assert rewrap("   ") == "…" and rewrap("<i></i><i> </i>") == "…" and rewrap("<i>Yes</i><i></i>") == "<i>Yes</i>"


@pytest.mark.parametrize("name, reason", [("invalid_format1.srt", "is not a valid SubRip file"),
                                          ("invalid.vtt", "is not a valid WebVTT file")])
def test_a_broken_subtitle_file_is_one_line_and_nothing_written(tmp_path, name, reason):
    from typer.testing import CliRunner

    from mtfix.cli import app

    result = CliRunner().invoke(app, ["translate", str(PEER / name), "--engine", "identity", "--out",
                                      str(tmp_path / "out"), "--no-memory"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if name in line]
    assert lines and reason in lines[0]
    assert not list((tmp_path / "out").glob(f"*.en{Path(name).suffix}"))


def test_subtitles_are_found_by_suffix_and_by_content_and_picked_up_in_folders(tmp_path):
    from mtfix.inputs import find_inputs

    text = (PEER / "sample.srt").read_text(encoding="utf-8")
    assert choose("talk.srt", text) == "subtitles" and choose("talk.txt", text) == "subtitles"
    assert choose("notes.txt", "1\nNot a subtitle at all.\n") == "plain"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.srt").write_text(text, encoding="utf-8")
    (folder / "b.vtt").write_text((PEER / "sample.vtt").read_text(encoding="utf-8")
                                  if (PEER / "sample.vtt").exists() else "WEBVTT\n\n00:01.000 --> 00:02.000\nHola.\n",
                                  encoding="utf-8")
    assert sorted(p.name for p in find_inputs(folder, tmp_path / "out").files) == ["a.srt", "b.vtt"]


def test_each_segment_says_where_it_is_its_cue_or_its_line(tmp_path):
    import json

    _, document = english_of(PEER / "using_identifiers.vtt", tmp_path / "vtt")
    records = [json.loads(line) for line in
               (tmp_path / "vtt" / "using_identifiers.vtt.align.jsonl").read_text(encoding="utf-8").splitlines()]
    cues = [r["location"] for r in records if r["type"] == "segment"]
    assert cues and all(c.startswith("cue ") and " at 00:" in c for c in cues)
    assert document.segments[0].location == cues[0]
    page = (tmp_path / "vtt" / "using_identifiers.vtt.review.html").read_text(encoding="utf-8")
    assert f"<small>{cues[0]}</small>" in page
    source = tmp_path / "notes.txt"
    source.write_text("Judul laporan.\n\nPerusahaan itu merekrut peneliti.\nTim baru bekerja.\n", encoding="utf-8")
    document = translate_file(source, out_dir=None, translate_config=IDENTITY)
    assert [s.location for s in document.segments] == ["line 1", "line 3", "line 4"]
