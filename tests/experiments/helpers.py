"""Shared by the entry-point tests: the flagfiles' folder and a fresh parse of an entry point's
flags (absl's global FLAGS is never touched)."""

import os

from absl import flags

CONFIGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "experiments",
                       "configs")


def parse_flags(module, *args):
    """The flags of `module` (an experiments entry point) parsed from `args`, its command line."""
    flag_values = flags.FlagValues()
    module.define_flags(flag_values)
    flag_values([module.__name__, *args])
    return flag_values
