"""ccm: what states promised and did about cluster munitions, with a source on every fact."""

__version__ = "0.1.0"
