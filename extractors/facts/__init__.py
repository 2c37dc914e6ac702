"""Deal and capacity facts from news text, with spaCy rules on spacy.blank("en")."""
from .extractor import FactExtractor, build_pipeline, extract_facts
from .model import Fact
from .version import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION", "Fact", "FactExtractor", "build_pipeline", "extract_facts"]
