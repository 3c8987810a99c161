"""Collection: bring texts into the store (crawls, archives, imports of existing corpora)."""
