"""Deal and capacity facts from news text, with spaCy rules on spacy.blank("en")."""
from .extractor import FactExtractor, build_pipeline, extract_facts
from .model import Fact

__all__ = ["Fact", "FactExtractor", "build_pipeline", "extract_facts"]
