"""The data layer: the export contract, reading files, validating them, and loading a folder."""
