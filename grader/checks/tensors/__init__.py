"""Checks for the tensors topic: creation, indexing, views, reductions, and puzzles whose rules are enforced."""
