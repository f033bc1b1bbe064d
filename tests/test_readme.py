"""The user docs stay true: README's test command is the one CI runs, every `python -m` command in
README.md and docs/*.md parses with its entry point's flags, every cited results JSON says where and
when its numbers come from, every relative link resolves, and no development-process words leak."""

import importlib
import importlib.util
import json
import pathlib
import re
import shlex
import subprocess
import sys

import pytest
from absl import flags

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
USER_DOCS = [path for path in DOCS if path.name != "DEVELOPMENT_NOTES.md"]
# A command asking for help only needs its module (absl defines these in app.run).
HELP_FLAGS = {"help", "helpfull", "helpshort", "helpxml"}
PROVENANCE_FIELDS = ("machine", "date", "code_commit")


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


def test_readme_is_short():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 220, f"README.md has {len(lines)} lines: move detail into docs/"


def _code_segments(text):
    """Fenced blocks, 4-space-indented lines and inline code spans, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", text)
    fence = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
    segments = fence.findall(text)
    rest = fence.sub("", text)
    segments += re.findall(r"^(?: {4}|\t)(.*)$", rest, re.M)
    segments += re.findall(r"`([^`\n]+)`", rest)
    return segments


def _commands(pattern):
    """(doc name, module or script, args) of every command matching `pattern` in the docs."""
    found = []
    for path in DOCS:
        for segment in _code_segments(path.read_text()):
            for match in re.finditer(pattern + r"((?:[ \t]+[^\s#&|;`]+)*)", segment):
                args = [arg for arg in shlex.split(match.group(2)) if not arg.startswith("<")]
                found.append((path.name, match.group(1), args))
    return found


def _flag_names(args):
    return [arg[2:].split("=", 1)[0] for arg in args if arg.startswith("--")]


PARSE_IN_CHILD = r"""
import importlib, json, sys
from absl import flags
errors = []
for name, commands in json.loads(sys.argv[1]).items():
    before = set(flags.FLAGS)
    importlib.import_module(name)
    for args in commands:
        try:
            if len(flags.FLAGS([name, *args])) > 1:
                errors.append(f"{name} {args}: positional arguments")
        except Exception as error:
            errors.append(f"{name} {args}: {error}")
        flags.FLAGS.unparse_flags()
    for flag in set(flags.FLAGS) - before:  # the next entry point may define the same names
        delattr(flags.FLAGS, flag)
print(json.dumps(errors))
"""


def _defines_flags_itself(name):
    """True for entry points with define_flags(flag_values) (defined or bound to a shared flag
    helper); read, not imported: importing the others would define their flags in absl's global
    FLAGS."""
    source = pathlib.Path(importlib.util.find_spec(name).origin).read_text()
    return re.search(r"^(def define_flags\(flag_values|define_flags = )", source, re.M) is not None


def _parse_errors(by_module):
    """Why each command ({entry point: [args, ...]}) does not parse with its entry point's flags."""
    errors, at_import = [], {}
    for name, commands in sorted(by_module.items()):
        if not _defines_flags_itself(name):
            at_import[name] = commands
            continue
        for args in commands:
            flag_values = flags.FlagValues()
            importlib.import_module(name).define_flags(flag_values)
            try:
                if len(flag_values([name, *args])) > 1:
                    errors.append(f"{name} {args}: positional arguments")
            except Exception as error:  # pylint: disable=broad-except
                errors.append(f"{name} {args}: {error}")
    if at_import:
        # Flags defined at import time go to absl's global FLAGS: parse them in a fresh process.
        result = subprocess.run([sys.executable, "-c", PARSE_IN_CHILD, json.dumps(at_import)],
                                capture_output=True, text=True, cwd=ROOT, check=True)
        errors += json.loads(result.stdout.strip().splitlines()[-1])
    return errors


def test_python_m_commands_parse(monkeypatch):
    monkeypatch.chdir(ROOT)  # flagfiles are named relative to the repository
    by_module, errors = {}, []
    for doc, name, args in _commands(r"python -m ([\w.]+)"):
        if importlib.util.find_spec(name) is None:
            errors.append(f"{doc}: no module {name}")
        elif name.startswith("benchmarks."):
            source = pathlib.Path(importlib.util.find_spec(name).origin).read_text()
            errors += [f"{doc}: {name} has no option --{flag}" for flag in _flag_names(args)
                       if f'"--{flag}"' not in source]
        elif name.startswith("experiments.") and not HELP_FLAGS & set(_flag_names(args)):
            by_module.setdefault(name, []).append(args)
    assert by_module, "the docs must show experiments' commands"
    errors += [f"python -m {error}" for error in _parse_errors(by_module)]
    assert not errors, "\n".join(errors)


def test_benchmark_scripts_exist_with_their_options():
    errors = []
    for doc, script, args in _commands(r"python (benchmarks/\w+\.py)"):
        path = ROOT / script
        if not path.exists():
            errors.append(f"{doc}: no {script}")
            continue
        source = path.read_text()
        errors += [f"{doc}: {script} has no option --{flag}" for flag in _flag_names(args)
                   if f'"--{flag}"' not in source]
    assert not errors, "\n".join(errors)


def _cited_results():
    cited = set()
    for path in DOCS:
        cited.update(re.findall(r"(?:docs/)?results/([\w.-]+\.json)", path.read_text()))
    return sorted(cited)


def test_cited_results_say_machine_date_and_commit():
    cited = _cited_results()
    assert cited, "the docs must cite their results JSONs"
    for name in cited:
        path = ROOT / "docs" / "results" / name
        assert path.exists(), f"cited {path} does not exist"
        document = json.loads(path.read_text())
        provenance = {**document, **document.get("provenance", {})}
        missing = [field for field in PROVENANCE_FIELDS if not provenance.get(field)]
        assert not missing, f"{name} lacks {missing} (top level or under 'provenance')"


def _anchors(path):
    """GitHub's heading anchors of a Markdown file."""
    headings = re.findall(r"^#+ (.*)$", path.read_text(), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_relative_links_resolve(path):
    for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part) if file_part else path
        assert linked.exists(), f"{path.name}: broken link {target}"
        if anchor and linked.suffix == ".md":
            assert anchor in _anchors(linked), f"{path.name}: no heading #{anchor} in {linked.name}"


PROCESS_WORDS = re.compile(r"\b(round \d|previous round|this round|issue #?\d+|item \d+|"
                           r"this change|design card|helper [A-Z]\b)", re.I)


@pytest.mark.parametrize("path", USER_DOCS, ids=lambda p: p.name)
def test_user_docs_hold_no_development_history(path):
    found = sorted({m.group(0) for m in PROCESS_WORDS.finditer(path.read_text())})
    assert not found, f"{path.name} speaks of the development process: {found}"
