"""The centre's national microdata on PostgreSQL: partitions per province, and the analytics copy
(DuckDB over Parquet) giving the same national table."""

from __future__ import annotations

import pytest
from django.db import connection

from hongheo.oversight import microdata

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_partitioned_table_and_analytics_copy_agree(tmp_path):
    if connection.vendor != "postgresql":
        with pytest.raises(microdata.MicrodataError):
            microdata.ensure_tables(connection, [46])
        pytest.skip("the partitioned store runs in the PostgreSQL pass (DATABASE_URL=postgres://…)")
    import polars as pl

    microdata.drop_tables(connection)
    try:
        microdata.ensure_tables(connection, [1, 46])
        frame = pl.DataFrame(
            {
                "household_id": [1, 2, 3, 4, 5],
                "province_code": [46, 46, 46, 1, 1],
                "commune_code": [19900, 19900, 19901, 4, 4],
                "klass": [1, 2, 0, 1, 1],
                "size": [3, 4, 2, 5, 1],
                "ethnic_minority": [True, False, False, False, True],
                "merit": [False] * 5,
                "no_working_capacity": [False] * 5,
            }
        )
        microdata.load_province(connection, 46, frame.filter(pl.col("province_code") == 46))
        microdata.load_province(connection, 1, frame.filter(pl.col("province_code") == 1))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {microdata.partition_name(46)}")  # noqa: S608
            assert cursor.fetchone()[0] == 3
        table = microdata.national_table(connection).sort(["province_code", "commune_code"])
        assert table.rows() == [(1, 4, 2, 2, 0), (46, 19900, 2, 1, 1), (46, 19901, 1, 0, 0)]
        result = microdata.rebuild_analytics(connection, tmp_path / "national", [1, 46])
        assert result["rows"] == 5
        duck = microdata.national_table_analytics(tmp_path / "national")
        assert duck.select(table.columns).cast(table.schema).sort(
            ["province_code", "commune_code"]
        ).rows() == (table.rows())
    finally:
        microdata.drop_tables(connection)
