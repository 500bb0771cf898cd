"""Typed, keyword-only query functions that return DataFrames with documented columns."""
