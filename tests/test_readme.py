"""The README's Python example runs as written (so it never rots)."""

from __future__ import annotations

import re

from conftest import ROOT


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert blocks, "README has no python example"
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "news").symlink_to(ROOT / "examples" / "news")
    (tmp_path / "examples" / "news.metadata.jsonl").symlink_to(ROOT / "examples" / "news.metadata.jsonl")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "added" in printed and "Nice" in printed
    assert (tmp_path / "news.db").is_file()
