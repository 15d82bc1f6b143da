"""Staff search: the Chinese analyzer, the index, queries and similar cases.

This package's modules import tantivy (and jieba on first use); only the paths
below are free of them, so that `caselog new` can see cheaply whether there is
an index at all.
"""

from pathlib import Path

INDEX_DIR = Path(".caselog") / "index"
MANIFEST = "manifest.json"
