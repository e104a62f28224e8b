"""The command line: one-line errors, exit codes, folders that go on past a bad file."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from typer.testing import CliRunner

from conftest import REPO
from mtfix.cli import app

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_help_does_not_import_torch_or_transformers():
    code = (
        "import sys; from mtfix.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'transformers') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in result.stdout
    assert "translate" in result.stdout and "clean" in result.stdout


def test_translate_a_file(tmp_path, tiny_marian):
    code, output = run("translate", REPO / "seeds" / "mixed-id-en.txt", "--model", tiny_marian, "--out", tmp_path,
                       "--beam", 1, "--max-new-tokens", 8)
    assert code == 0, output
    for name in ("mixed-id-en.en.txt", "mixed-id-en.txt.align.jsonl", "mixed-id-en.txt.review.html"):
        assert (tmp_path / name).is_file()


def test_legacy_encoded_file_is_read(tmp_path, tiny_marian):
    code, output = run("translate", REPO / "seeds" / "legacy-gb18030.txt", "--model", tiny_marian, "--out", tmp_path,
                       "--beam", 1, "--max-new-tokens", 4)
    assert code == 0, output
    header = (tmp_path / "legacy-gb18030.txt.align.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert '"encoding": "gb18030"' in header


def test_bad_inputs_give_one_line_and_nonzero_exit(tmp_path, tiny_marian):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    for path, reason in ((binary, "looks binary"), (empty, "is empty"), (tmp_path / "absent.txt", "no such file")):
        code, output = run("translate", path, "--model", tiny_marian, "--out", tmp_path / "out")
        assert code != 0
        lines = [line for line in output.splitlines() if line.strip()]
        assert len(lines) == 1 and reason in lines[0] and str(path.name) in lines[0], output
        assert "Traceback" not in output


def test_unreadable_file(tmp_path, tiny_marian):
    locked = tmp_path / "locked.txt"
    locked.write_text("Perusahaan itu mengumumkan.")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads anything
            import pytest

            pytest.skip("running as root: permissions do not stop reads")
        code, output = run("translate", locked, "--model", tiny_marian, "--out", tmp_path / "out")
        assert code == 1 and "permission denied" in output and "Traceback" not in output
    finally:
        locked.chmod(0o644)


def test_missing_model_via_cli(tmp_path, hf_cache):
    source = tmp_path / "id.txt"
    source.write_text("Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung.\n")
    code, output = run("translate", source, "--out", tmp_path / "out")
    assert code == 1
    assert output.strip().count("\n") == 0 and "mtfix models pull id" in output and "Traceback" not in output


def test_folder_goes_on_past_a_bad_document(tmp_path, tiny_marian):
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung.\n")
    (folder / "sub" / "b.md").write_text("# Judul\n\nTim riset di Zurich bekerja sama dengan laboratorium.\n")
    (folder / "bad.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00")
    (folder / ".hidden.txt").write_text("Tidak dibaca.\n")
    out = folder / "out"  # inside the input folder: never read back
    # The second run skips what the first translated, and retries (and reports) the bad one.
    for summary in ("wrote 2 documents (", ", 2 unchanged, 1 failed — open"):
        code, output = run("translate", folder, "--model", tiny_marian, "--out", out, "--beam", 1, "--max-new-tokens", 4)
        assert code == 1
        assert "bad.txt: looks binary" in output and summary in output
    assert (out / "a.en.txt").is_file() and (out / "sub" / "b.en.md").is_file()
    assert not (out / ".hidden.en.txt").exists()


def test_clean_command_writes_clean_text_and_edit_log(tmp_path):
    code, output = run("clean", REPO / "seeds" / "broken-engine-en.md", "--out", tmp_path, "--diff")
    assert code == 0, output
    cleaned = (tmp_path / "broken-engine-en.clean.md").read_text(encoding="utf-8")
    assert "â€" not in cleaned and "Â·" not in cleaned
    edits = (tmp_path / "broken-engine-en.md.edits.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(edits) > 1 and " mojibake: " in output


def test_models_list_shows_routing(hf_cache):
    code, output = run("models", "list", "zh", "ms")
    assert code == 0
    assert "Helsinki-NLP/opus-mt-zh-en (not cached)" in output
    assert "Helsinki-NLP/opus-mt-mul-en" in output


def test_unknown_engine_is_a_usage_error(tmp_path):
    code, output = run("translate", REPO / "seeds" / "mixed-id-en.txt", "--engine", "nope", "--out", tmp_path)
    assert code == 2 and "--engine nope: unknown engine; known: ct2, identity, marian, nllb" in output


def test_models_pull_fails_with_one_line_per_model_when_offline(monkeypatch, hf_cache):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    code, output = run("models", "pull", "zh", "id")
    assert code == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 2 and lines[0].startswith("mtfix: Helsinki-NLP/opus-mt-zh-en: download failed")


def test_clean_skip_leaves_a_repair_out_and_rejects_unknown_ones(tmp_path):
    sample = REPO / "seeds" / "broken-engine-en.md"
    code, output = run("clean", sample, "--out", tmp_path, "--skip", "glue,filler")
    assert code == 0, output
    cleaned = (tmp_path / "broken-engine-en.clean.md").read_text(encoding="utf-8")
    assert "fromVisionLabHire" in cleaned and "I don't know." in cleaned
    assert "â€" not in cleaned
    code, output = run("clean", sample, "--out", tmp_path, "--skip", "glue,nonsense")
    assert code == 2 and "unknown repair nonsense" in output


def test_clean_diff_names_every_kind_it_repaired(tmp_path):
    code, output = run("clean", REPO / "seeds" / "mixed-id-en.txt", "--out", tmp_path, "--diff")
    assert code == 0, output
    for kind in ("spacing", "loop", "markup", "garbage"):
        assert re.search(rf"^# \d+:\d+ {kind}: ", output, re.MULTILINE), kind


def test_a_second_run_skips_unchanged_documents_and_redoes_changed_ones(tmp_path, tiny_marian):
    import json

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Perusahaan itu merekrut peneliti top.\n", encoding="utf-8")
    (folder / "sub" / "b.md").write_text("# Judul\n\nTim riset di Zurich bekerja.\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ("translate", folder, "--model", tiny_marian, "--out", out, "--beam", 1, "--max-new-tokens", 4)
    code, output = run(*args)
    assert code == 0 and f"wrote 2 documents (3 segments) to {out}/ — open {out / 'index.html'} (file://" in output
    first = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {name: entry["status"] for name, entry in manifest["documents"].items()} == {"a.txt": "done", "sub/b.md": "done"}

    code, output = run(*args)
    assert code == 0 and f"nothing to do: 2 unchanged since the last run in {out}/" in output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"} == first

    (folder / "a.txt").write_text("Perusahaan itu merekrut peneliti baru.\n", encoding="utf-8")
    code, output = run(*args)
    assert code == 0 and f"wrote 1 document (1 segments) to {out}/, 1 unchanged — open" in output
    assert "b.md" in (out / "index.html").read_text(encoding="utf-8")  # skipped documents stay in the index
    code, output = run(*args[:-2], "--max-new-tokens", 5)  # another plan: everything again
    assert "wrote 2 documents" in output


def test_model_options_that_cannot_work_are_usage_errors(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Perusahaan itu merekrut peneliti.\n", encoding="utf-8")
    for args, said in [(("--model", "a", "--model", "b"), "given twice"),
                       (("--model", "zh=a", "--model", "zh=b"), "zh is given a model twice"),
                       (("--engine", "nllb", "--model", "zh=a"), "nllb is one model")]:
        code, output = run("translate", source, *args, "--out", tmp_path / "out")
        assert code == 2 and said in output, output


def test_plan_says_what_a_run_would_do_without_loading_a_model(tmp_path, tiny_marian):
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "zh.md").write_text("# 新动向\n\n翟晓华加入了新实验室。报告称，研究预算翻了一番。\n\n`--brief`\n", encoding="utf-8")
    (folder / "id.txt").write_text("Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung bulan depan.\n",
                                   encoding="utf-8")
    (folder / "en.txt").write_text("The company announced three new researchers.\n", encoding="utf-8")
    code, output = run("plan", folder, "--model", f"zh={tiny_marian}", "--beam", 1, "--json")
    assert code == 0, output
    plan = json.loads(output)
    languages = {entry["lang"]: entry for entry in plan["languages"]}
    assert plan["documents"] == 3 and set(languages) == {"zh", "id"}
    assert languages["zh"]["model"] == str(tiny_marian) and languages["zh"]["segments"] == 3
    assert languages["id"]["model"] is None and "mtfix models pull id" in languages["id"]["missing"]
    assert plan["glossary_terms"] == {"Zhai Xiaohua": 1} and plan["passed_through"]["English"] == 1
    assert plan["estimated_seconds"] > 0
    code, output = run("plan", folder)
    assert code == 0 and "NO MODEL" in output and "glossary terms: Zhai Xiaohua ×1" in output
    code = subprocess.run([sys.executable, "-c", "import sys; from mtfix.cli import app\ntry:\n    app(['plan', sys.argv[1]])\n"
                           "except SystemExit:\n    pass\nprint('HEAVY', [m for m in ('torch', 'transformers') if m in sys.modules])",
                           str(folder)], capture_output=True, text=True, timeout=120).stdout
    assert "HEAVY []" in code


def test_a_named_model_that_is_missing_says_how_to_pull_that_model(tmp_path, hf_cache):
    source = tmp_path / "a.txt"
    source.write_text("Perusahaan itu merekrut peneliti.\n", encoding="utf-8")
    code, output = run("translate", source, "--model", "nope-model", "--out", tmp_path / "out")
    assert code != 0 and "mtfix models pull --model nope-model" in output and "Traceback" not in output
    code, output = run("translate", source, "--model", tmp_path / "nope", "--out", tmp_path / "out")
    assert code != 0 and f"--model {tmp_path / 'nope'}: no such folder" in output


def test_a_missing_model_is_said_in_full_once_for_a_folder(tmp_path, hf_cache):
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(3):
        (folder / f"d{number}.txt").write_text(f"Perusahaan itu merekrut peneliti top lain {number}.\n", encoding="utf-8")
    code, output = run("translate", folder, "--out", tmp_path / "out")
    assert code == 1 and output.count("is not in the local Hugging Face cache") == 1
    assert output.count("opus-mt-id-en is missing (as said above)") == 2


def test_files_in_formats_mtfix_does_not_read_are_said_in_one_line_and_listed_in_json(tmp_path):
    import json

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Perusahaan itu merekrut peneliti.\n", encoding="utf-8")
    for name in ("sub/notes.rtf", "b.xlsx", "c.ods", "d.ass"):
        (folder / name).write_bytes(b"x")
    code, output = run("translate", folder, "--engine", "identity", "--out", tmp_path / "out")
    assert code == 0 and output.count("in formats mtfix does not read") == 1
    assert ".xlsx ×1" in output and ".rtf ×1" in output and "it reads .docx .epub .htm .html .markdown .md .odp .odt .pdf .pptx .srt .text .txt .vtt" in output
    code, output = run("translate", folder, "--engine", "identity", "--out", tmp_path / "out2", "--json")
    unsupported = json.loads(output[output.index("{"):])["unsupported"]
    assert sorted(unsupported) == sorted(str(folder / name) for name in ("sub/notes.rtf", "b.xlsx", "c.ods", "d.ass"))


def test_standard_input_and_output_as_unix_tools_have_them(tmp_path):
    import json

    text = "# Judul\n\nPerusahaan itu merekrut peneliti top.\n"
    result = runner.invoke(app, ["translate", "-", "--engine", "identity", "--stdout"], input=text.encode())
    assert result.exit_code == 0 and result.stdout == text  # identity: the English is the input
    result = runner.invoke(app, ["translate", "-", "--engine", "identity", "--format", "markdown", "--out",
                                 str(tmp_path / "out")], input=text.encode())
    assert result.exit_code == 0 and (tmp_path / "out" / "stdin.en.md").read_text(encoding="utf-8") == text
    header = json.loads((tmp_path / "out" / "stdin.md.align.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert header["path"] == "-" and header["format"] == "markdown"
    source = tmp_path / "a.txt"
    source.write_text("Perusahaan itu merekrut peneliti.\n", encoding="utf-8")
    code, output = run("translate", source, "--engine", "identity", "--stdout")
    assert code == 0 and output == "Perusahaan itu merekrut peneliti.\n" and not (REPO / "outputs" / "a.en.txt").exists()
    code, output = run("translate", tmp_path, "--stdout")
    assert code == 2 and "is a folder" in output


def test_clean_diff_is_a_unified_diff_with_each_hunks_repairs_and_json_for_scripts(tmp_path):
    import json

    source = tmp_path / "g.txt"
    long_line = "Perusahaan itu merekrut peneliti top lain dari saingannya, " * 3 + "dan juga fromOpenAI minggu ini."
    source.write_text(f"Dia pindah ke lab baru sebuah sebuah sebuah sebuah kemarin.\nBaris kedua tetap.\n{long_line}\n",
                      encoding="utf-8")
    code, output = run("clean", source, "--out", tmp_path / "out", "--diff", "--always-repair")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == f"--- {source}" and lines[1] == f"+++ {source} (cleaned)" and lines[2].startswith("@@ -1,")
    assert "-Dia pindah ke lab baru sebuah sebuah sebuah sebuah kemarin." in lines
    assert "+Dia pindah ke lab baru sebuah kemarin." in lines
    assert any(line.startswith("~") and "[-fromOpenAI-]{+from OpenAI+}" in line for line in lines)  # by words
    assert any(re.match(r"# 1:\d+ loop: ", line) for line in lines) and any(re.match(r"# 3:\d+ glue: ", line) for line in lines)
    code, output = run("clean", source, "--out", tmp_path / "out2", "--json", "--always-repair")
    assert code == 0 and {edit["kind"] for edit in json.loads(output)} == {"loop", "glue"}


def test_models_list_shows_models_given_by_path_and_converted_ct2_models(tmp_path, hf_cache, tiny_marian, monkeypatch):
    converted = tmp_path / "ct2" / "Helsinki-NLP--opus-mt-zh-en--0123--int8"
    converted.mkdir(parents=True)
    (converted / "model.bin").write_bytes(b"")
    monkeypatch.setenv("MTFIX_CT2_CACHE", str(tmp_path / "ct2"))
    code, output = run("models", "list", "zh", "id", "--model", f"zh={tiny_marian}", "--model", f"id={tmp_path / 'nope'}")
    assert code == 0, output
    assert "Helsinki-NLP--opus-mt-zh-en--0123--int8" in output
    assert f"zh     → {tiny_marian} (--model)" in output and f"id     → {tmp_path / 'nope'} (--model, not found)" in output


def test_help_reads_as_unix_tools_write_it():
    # typer 0.29 alone shows flags as taking a value and arguments in braces.
    commands = [[], ["translate"], ["clean"], ["report"], ["plan"], ["models"], ["models", "list"], ["memory"],
                ["memory", "export"], ["glossary", "check"]]
    for command in commands:
        result = CliRunner().invoke(app, [*command, "--help"], terminal_width=120)
        assert result.exit_code == 0
        assert "<bool>" not in result.stdout and "{" not in result.stdout, command
    usage = CliRunner().invoke(app, ["translate", "--help"], prog_name="mtfix", terminal_width=120).stdout
    assert "Usage: mtfix translate [OPTIONS] PATH" in usage and "<list[" not in usage  # --glossary takes one <path>


def test_no_links_skips_the_alignment_pass_and_is_part_of_the_signature(tmp_path, tiny_marian):
    import json

    source = tmp_path / "id.txt"
    source.write_text("Perusahaan itu merekrut peneliti top.\n\nTim baru bekerja di Zurich.\n", encoding="utf-8")
    found = {}
    for choice in ("--links", "--no-links"):
        out = tmp_path / choice
        code, output = run("translate", source, "--model", tiny_marian, "--beam", 1, "--max-new-tokens", 4,
                           "--no-memory", "--out", out, choice)
        assert code == 0, output
        records = [json.loads(line) for line in (out / "id.txt.align.jsonl").read_text(encoding="utf-8").splitlines()]
        segments = [r for r in records if r.get("type") == "segment" and r.get("translated")]
        header = next(r for r in records if r.get("type") == "header")
        found[choice] = ([bool(r["links"]) for r in segments], "links:off" in header["signature"])
    assert found["--links"] == ([True, True], False)
    assert found["--no-links"] == ([False, False], True)
