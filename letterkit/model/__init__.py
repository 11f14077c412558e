"""Building blocks for a kit's case model.

A kit's `model.py` defines its letter as a `Letter` subclass made of these parts and
of its own; everything here is common to medical determination letters.
"""

from .base import CaseModel, CaseTranslation, Letter, text_fields
from .clinical import GuidelineCitation, ReviewedDocument, Reviewer
from .parties import Address, CaseDeprecationWarning, CopyRecipient, Organisation, Party, Signature
from .pictures import Picture
from .text import RichText

__all__ = [
    "Address", "CaseDeprecationWarning", "CaseModel", "CaseTranslation", "CopyRecipient", "GuidelineCitation", "Letter",
    "Organisation", "Party", "Picture",
    "ReviewedDocument", "Reviewer", "RichText", "Signature", "text_fields",
]
