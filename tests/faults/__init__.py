"""Fault injection on the real pipelines (issue #16): disk full, read-only, damaged checkpoints, signals, two runs."""
