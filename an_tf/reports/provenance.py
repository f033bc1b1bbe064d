"""Where a number comes from: the machine, the date, the code's commit and the library versions,
recorded with every study and benchmark so that results from different machines are not mixed up.

Imports neither TensorFlow nor the rest of an_tf (the versions are read from the installed
packages' metadata), so a parent process that only launches runs stays light.
"""

import datetime
import importlib.metadata
import os
import platform
import subprocess

# CPU features that change which kernels (and so which rounding) TensorFlow uses.
_NOTABLE_FEATURES = ("avx512f", "amx_tile", "avx512_bf16")
# Distribution names under which each library may be installed.
_PACKAGES = {"tensorflow": ("tensorflow", "tensorflow-cpu", "tf-nightly"), "keras": ("keras",),
             "numpy": ("numpy",)}


# The keys of `provenance()`: what a derived result (intervals of a study, a table) copies from
# the record it was computed from.
FIELDS = ("machine", "cpu", "cores", "cpu_features", "date_utc", "code_commit", "python",
          "tensorflow", "keras", "numpy")


def provenance(code_commit=None):
    """The machine, date, commit and versions of this process, as one flat dict.

    Args:
        code_commit: the commit the measured code came from (default: `git rev-parse HEAD` of
            the checkout holding an_tf, or "unknown" outside a git checkout).

    Returns:
        {"machine": e.g. "2x Intel Xeon ... (avx512f)", "cpu", "cores", "cpu_features",
         "date_utc", "code_commit", "python", "tensorflow", "keras", "numpy"}.
    """
    cpu, features = _cpu_model_and_features()
    notable = [name for name in _NOTABLE_FEATURES if name in features]
    return {"machine": f"{os.cpu_count()}x {cpu} ({', '.join(notable) or 'no avx512/amx'})",
            "cpu": cpu, "cores": os.cpu_count(), "cpu_features": notable,
            "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
            "code_commit": code_commit or git_commit(),
            "python": platform.python_version(),
            **{name: _version(distributions) for name, distributions in _PACKAGES.items()}}


def git_commit(directory=None):
    """`git rev-parse HEAD` of the checkout holding `directory` (default: this package's)."""
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True, cwd=directory or os.path.dirname(__file__)
                              ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def _cpu_model_and_features():
    """(CPU model name, set of /proc/cpuinfo flags); the platform's names off Linux."""
    model, features = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            lines = stream.read().splitlines()
    except OSError:
        return model, features
    fields = lambda key: [line.split(":", 1)[1] for line in lines  # noqa: E731
                          if line.startswith(key)]
    models, flags = fields("model name"), fields("flags")
    return (models[0].strip() if models else model), set(flags[0].split() if flags else [])


def _version(distributions):
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None
