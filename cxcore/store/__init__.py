"""The store layer: immutable published versions, publishing, rollups and what may publish."""
