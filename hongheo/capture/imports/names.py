"""Vectorised search names and Vietnamese sort keys, equal to ``hongheo.core.text`` per row.

``fold`` and ``sort_key`` work character by character, so the value for a name is the values
of its words joined by the value of a space: the words (a few thousand distinct in a province)
are computed once in Python, the names (a million) are assembled by polars.
"""

from __future__ import annotations

import polars as pl

from hongheo.core.text import fold, sort_key

_SPACE_PRIMARY, _SPACE_TONE = sort_key("a b").split("|")[0][4:8], "1"


def name_keys(names: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(search_name, sort_key) for full names (white space already collapsed, none empty).
    The sort key orders by given name, then family name, then middle names
    (``person_sort_key(*split_full_name(name))``)."""
    words = names.str.split(" ")
    distinct = words.explode().drop_nulls().unique().to_list()
    folded, primary, tones = {}, {}, {}
    for word in distinct:
        folded[word] = fold(word)
        primary[word], tones[word] = sort_key(word).split("|")
    frame = pl.DataFrame({"w": words})
    n = pl.col("w").list.len()
    reordered = (
        pl.when(n == 1)
        .then(pl.col("w"))
        .otherwise(
            pl.concat_list(
                pl.col("w").list.last(), pl.col("w").list.first(), pl.col("w").list.slice(1, n - 2)
            )
        )
    )

    def joined(source: pl.Expr, table: dict[str, str], sep: str) -> pl.Expr:
        return source.list.eval(pl.element().replace_strict(table, return_dtype=pl.String)).list.join(sep)

    out = frame.select(
        joined(pl.col("w"), folded, " ").alias("search"),
        (
            joined(reordered, primary, _SPACE_PRIMARY) + pl.lit("|") + joined(reordered, tones, _SPACE_TONE)
        ).alias("sort"),
    )
    return out.get_column("search"), out.get_column("sort")
