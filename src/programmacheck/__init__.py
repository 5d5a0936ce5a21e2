"""programmacheck: which points of an advocacy checklist does a party programme address?"""

__version__ = "0.1.0"
