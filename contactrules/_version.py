"""The library version, recorded in every decision's fingerprint."""

__version__ = "0.1.0"
