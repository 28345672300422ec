"""The package version (one place; provenance records it with every output)."""

__version__ = "0.2.0"
