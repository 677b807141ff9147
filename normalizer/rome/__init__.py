"""ROME coding of job offers: referential, classifier and command-line helpers.

Source : France Travail, ROME, Licence Ouverte (see ``data/PROVENANCE.md``).
"""

from normalizer.rome.classifier import RomeCandidate, RomeClassifier, RomeInput, RomeResult
from normalizer.rome.referential import Referential

__all__ = ["Referential", "RomeCandidate", "RomeClassifier", "RomeInput", "RomeResult"]
