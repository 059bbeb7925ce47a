"""Okienko benchmarks: ``python -m bench`` seeds a database and prints one JSON object.

The main process (``bench.__main__``) never sets up Django: it prepares the environment of a
throw-away install (a temporary ``OKIENKO_VAR_DIR``, or the ``okienko_bench`` PostgreSQL database)
and runs every phase that needs Django as a subprocess, ``python -m bench.<phase>``, which prints
its result as JSON on stdout. The HTTP load generator runs in the main process against a real
``okienko web`` server. Progress goes to stderr; stdout carries only the final JSON object.
"""
