"""Reporting of studies, benchmarks and runs."""
