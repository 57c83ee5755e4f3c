"""Wording shared by every text that counts things: ``1 replication``, ``2 replications``."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, in the plural unless ``count`` is 1 (or −1).

    ``many`` is the plural form where adding "s" is wrong (``plural(2, "entry", "entries")``).

    >>> plural(1, "replication"), plural(10, "replication"), plural(0, "what-if")
    ('1 replication', '10 replications', '0 what-ifs')
    """
    form = word if abs(count) == 1 else (many or f"{word}s")
    return f"{count:,} {form}" if abs(count) >= 10_000 else f"{count} {form}"
