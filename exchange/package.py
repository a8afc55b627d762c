"""Package files: writing (``exchange.writer``) and verifying (``exchange.reader``).

Pure library: no Django (the province simulator uses it). The names here are the ones the rest
of Jincai imports.
"""

from exchange.reader import Limits, PayloadFile, VerifiedItem, VerifiedPackage, verify_package
from exchange.writer import (
           BuiltPackage,
           OutFile,
           OutItem,
           PreparedPackage,
           build_package,
           prepare_package,
           write_package,
)

__all__ = ["BuiltPackage", "Limits", "OutFile", "OutItem", "PayloadFile", "PreparedPackage", "VerifiedItem",
           "VerifiedPackage", "build_package", "prepare_package", "verify_package", "write_package"]
