"""Weighted results of a wave: the kept counts handed to `analysis` as arrays, and the report."""
