"""Scheduled and background work: refresh, retrain, score."""
