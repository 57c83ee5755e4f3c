"""The report's blocks drawn with Streamlit: headings, paragraphs, tables and charts.

The blocks are :mod:`forlopsim.report.document`'s, the same the HTML and PDF are written from,
so the app shows exactly the report's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from forlopsim.report.document import Block, Figure, Heading, Paragraph, Table

MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$~])")
"""Characters Markdown would read as markup."""


def plain(text: str) -> str:
    """``text`` escaped, so Markdown shows it as written (a ``*`` stays a star)."""
    return MARKDOWN.sub(r"\\\1", text)


def table(block: Table) -> pd.DataFrame:
    """A report table as a frame indexed by its first column; a section is a row of its own."""
    rows: list[list[str]] = []
    for i, row in enumerate(block.rows):
        if i in block.sections:
            rows.append([block.sections[i], *[""] * (len(block.header) - 1)])
        rows.append(row)
    return pd.DataFrame(rows, columns=block.header).set_index(block.header[0])


def draw(blocks: Sequence[Block]) -> None:
    """Draw every block in order."""
    for block in blocks:
        if isinstance(block, Heading):
            st.markdown(f"{'#' * (block.level + 2)} {plain(block.text)}")
        elif isinstance(block, Paragraph):
            lead = f"**{plain(block.lead.strip())}** " if block.lead else ""
            st.markdown(lead + plain(block.text))
        elif isinstance(block, Table):
            st.table(table(block))
        elif isinstance(block, Figure):
            st.image(block.png, caption=block.caption, width="stretch")
