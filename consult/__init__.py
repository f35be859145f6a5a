"""Consult: structured citizen consultations with weighted, honest results.

See ARCHITECTURE.md for the layers, the capabilities and where a request goes.
"""

from consult.app import create_app

__all__ = ["create_app"]
