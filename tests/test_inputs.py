"""The input walk: which files a run reads, and links that would publish what lies outside."""

from __future__ import annotations

import os

from mtfix.inputs import find_inputs


def test_folder_walk_globs_excludes_hidden_and_link_loops(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "drafts").mkdir(parents=True)
    (folder / "posts" / ".private").mkdir(parents=True)
    for name in ("a.md", "b.txt", "drafts/c.md", "posts/d.md", "posts/e.html", "posts/.f.md", "posts/.private/g.md", "x.ods"):
        (folder / name).write_text("text\n", encoding="utf-8")
    (folder / "posts" / "loop").symlink_to(folder, target_is_directory=True)  # a link loop
    out = folder / "out"
    (out).mkdir()
    (out / "old.en.md").write_text("never read back\n", encoding="utf-8")

    def names(**options):
        return sorted(p.relative_to(folder).as_posix() for p in find_inputs(folder, out, **options).files)

    everything = names()
    assert "a.md" in everything and "posts/d.md" in everything and "x.ods" not in everything
    assert not any(n.startswith("out/") or "/.f" in n or ".private" in n for n in everything)
    assert len(everything) == len(set(everything))  # the loop adds nothing twice... or at all beyond its target
    assert names(globs=["*.md"], excludes=["drafts/**"]) == [n for n in names(globs=["*.md"]) if not n.startswith("drafts/")]
    assert "drafts/c.md" in names(globs=["*.md"])
    assert "posts/.f.md" in names(hidden=True)


def test_links_that_leave_the_folder_are_not_read_unless_asked(tmp_path):
    secret = tmp_path / "home" / "id_rsa.txt"
    secret.parent.mkdir()
    secret.write_text("PRIVATE KEY\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    elsewhere = tmp_path / "home" / "notes"
    elsewhere.mkdir()
    (elsewhere / "diary.md").write_text("dear diary\n", encoding="utf-8")
    folder = tmp_path / "repo"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "a.md").write_text("text\n", encoding="utf-8")
    (folder / "notes.md").symlink_to(secret)
    (folder / "diary").symlink_to(elsewhere, target_is_directory=True)
    (folder / "inside.md").symlink_to(folder / "docs" / "a.md")  # stays inside: read
    found = find_inputs(folder, tmp_path / "out")
    assert sorted(p.relative_to(folder).as_posix() for p in found.files) == ["docs/a.md", "inside.md"]
    skipped = {p.name: reason for p, reason in found.skipped}
    assert set(skipped) == {"notes.md", "diary"}
    assert all("outside the input folder" in reason and "--follow-links" in reason for reason in skipped.values())
    followed = find_inputs(folder, tmp_path / "out", follow_links=True)
    assert {"notes.md", "diary/diary.md"} <= {p.relative_to(folder).as_posix() for p in followed.files}
    assert followed.skipped == []
