"""catoscan: find personal data in Cato Cloud logs and exports and write a data inventory."""

__version__ = "0.1.0"

#: Version of the inventory dataset layout and columns; bump on any incompatible change.
SCHEMA_VERSION = "2"
