"""Predictions, recommendations and summaries computed on DataFrames: no Dash, no Flask, no SQL."""
