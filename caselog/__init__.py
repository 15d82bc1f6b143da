"""caselog: a Git-backed case log and static transparency portal for citizens' online messages."""

__version__ = "0.1.0"
