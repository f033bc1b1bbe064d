"""The README's first screen stays true: its test command is the one CI runs."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    return [line.strip() for line in re.findall(r"^    (pip install .*)$", text, re.M)]


def test_ci_runs_the_readme_test_command():
    commands = _readme_commands()
    assert len(commands) >= 2, "README must give a run command and a test command"
    test_command = [c for c in commands if re.search(r"python -m pytest( -n \d+ --dist loadfile)?$", c)]
    assert test_command, "README must give the test command ending in 'python -m pytest [...]'"
    ci_lines = [l.strip() for l in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command[0] in ci_lines
