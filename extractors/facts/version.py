"""The version stamped on every stored fact (`fact_rows.extractor_version`)."""

EXTRACTOR_VERSION = "rules-1"
