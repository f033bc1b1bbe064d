"""Tests of benchmarks/: each benchmark's --quick mode runs in a subprocess (as a user runs it)."""

import json
import os
import subprocess
import sys

BENCHMARKS = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks")
sys.path.insert(0, os.path.abspath(BENCHMARKS))  # so that tests can import _common


def run_benchmark(name, *flags, timeout=900):
    """Runs benchmarks/<name>.py with `flags`; returns (JSON document of stdout, stderr, rc)."""
    done = subprocess.run(
        [sys.executable, os.path.join(BENCHMARKS, f"{name}.py"), *flags], capture_output=True,
        text=True, timeout=timeout, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"), check=False)
    document = json.loads(done.stdout) if done.returncode == 0 else None
    return document, done.stderr, done.returncode


def table_lines(stderr):
    """The Markdown table rows a benchmark prints on stderr (TF's own log lines skipped)."""
    return [line for line in stderr.splitlines() if line.startswith("|")]
