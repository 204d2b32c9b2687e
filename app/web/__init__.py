"""The web layer: the only package that imports FastAPI."""
