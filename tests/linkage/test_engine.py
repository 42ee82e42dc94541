"""The linkage engine: normalisation tables, properties, the exact pass, the pipeline, incremental."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hongheo.linkage.engine.errors import LinkInputError
from hongheo.linkage.engine.incremental import IncrementalMatcher
from hongheo.linkage.engine.normalise import dob_frame, fold, name_columns, name_keys, parse_dob, parse_sex
from hongheo.linkage.engine.pipeline import exact_pass, link
from hongheo.linkage.engine.prepare import decode_csv_bytes, prepare_population, prepare_registry
from hongheo.linkage.engine.synth import make_linkage_data


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("  TRẦN   thị hoa ", "tran thi hoa"),
        ("ĐẶNG Thị Ánh-Nguyệt", "dang thi anh nguyet"),
        ("Hồ Thị Phương", "ho thi phuong"),
        ("", ""),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded
    frame = pl.DataFrame({"n": [raw]}).select(name_columns("n"))
    assert (frame.item(0, "name_norm") or "") == folded


def test_name_keys_order_and_missing_middle() -> None:
    a, b, c = name_keys("Nguyễn Văn An"), name_keys("Văn An Nguyễn"), name_keys("Nguyen An")
    assert a["name_sorted"] == b["name_sorted"] == "an nguyen van"
    assert a["name_fg"] == c["name_fg"] == "an nguyen"


@pytest.mark.parametrize(
    ("raw", "ymd"),
    [
        ("1980-03-25", (1980, 3, 25)),
        ("1980-25-03", (1980, 3, 25)),  # day and month swapped
        ("1980-03-04", (1980, 3, 4)),  # ambiguous: read as written
        ("1980", (1980, None, None)),
        ("25/03/1980", (1980, 3, 25)),
        ("5/3/1980", (1980, 3, 5)),
        ("25-03-1980", (1980, 3, 25)),
        ("19800325", (1980, 3, 25)),
        ("1980-03-25 00:00:00", (1980, 3, 25)),
        ("", (None, None, None)),
    ],
)
def test_parse_dob(raw: str, ymd: tuple[int | None, ...]) -> None:
    assert parse_dob(raw) == ymd
    row = dob_frame(pl.Series([raw])).row(0)
    assert row == (*ymd, False)


@pytest.mark.parametrize("raw", ["abc", "1980-13-13", "1980-02-30", "31/31/1980", "80"])
def test_parse_dob_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_dob(raw)
    assert dob_frame(pl.Series([raw])).item(0, "dob_bad") is True


@given(
    st.dates(
        min_value=__import__("datetime").date(1900, 1, 1), max_value=__import__("datetime").date(2100, 12, 31)
    )
)
@settings(max_examples=200, deadline=None)
def test_dob_forms_agree(d) -> None:  # type: ignore[no-untyped-def]
    forms = [d.isoformat(), d.strftime("%d/%m/%Y"), d.strftime("%Y%m%d")]
    frame = dob_frame(pl.Series(forms))
    for i, form in enumerate(forms):
        assert parse_dob(form) == (d.year, d.month, d.day)
        assert frame.row(i)[:3] == (d.year, d.month, d.day)


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẠẢÃĐàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ -", max_size=30))
@settings(max_examples=200, deadline=None)
def test_fold_scalar_and_vector_agree(text: str) -> None:
    vec = pl.DataFrame({"n": [text]}).select(name_columns("n")).row(0, named=True)
    keys = name_keys(text)
    for col in ("name_norm", "name_sorted", "name_fg"):
        assert vec[col] == keys[col]
    assert fold(fold(text)) == fold(text)


def test_parse_sex() -> None:
    assert [parse_sex(v) for v in ("Nam", "Nữ", "NỮ", "male", "female", "")] == [
        "male",
        "female",
        "female",
        "male",
        "female",
        None,
    ]
    with pytest.raises(ValueError):
        parse_sex("x")


def test_decode_encodings(cp1258) -> None:  # type: ignore[no-untyped-def]
    text = "person_id,full_name\n1,Nguyễn Thị Hương\n"
    assert decode_csv_bytes(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_csv_bytes(cp1258(text)) == text  # Windows-1258 (decomposed tones) → NFC


def _pop(**over: list[str]) -> pl.DataFrame:
    base = {
        "person_id": ["P1", "P2", "P3"],
        "personal_id": ["046090001234", "046185004321", "046090001234"],
        "full_name": ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"],
        "dob": ["1990-05-06", "1985-01-02", "1990-07-08"],
        "sex": ["Nam", "Nữ", "Nam"],
        "commune_code": ["19768", "19768", "19771"],
        "residence_household_no": ["H1", "H1", "H2"],
        "status": ["alive", "deceased", "alive"],
    }
    base.update(over)
    return pl.DataFrame(base)


def test_population_issues_name_row_and_column() -> None:
    prepared = prepare_population(_pop(dob=["1990-05-06", "1985-02-30", "x"], sex=["Nam", "?", "Nữ"]))
    errors = {(e.row, e.column) for e in prepared.errors}
    assert errors == {(2, "dob"), (3, "dob"), (2, "sex")}
    # the same ID number twice in an extract is a warning on both rows, and neither is used exactly
    warned = {(w.row, w.column) for w in prepared.warnings if "trùng" in w.message}
    assert warned == {(1, "personal_id"), (3, "personal_id")}


def test_missing_columns_and_duplicate_keys() -> None:
    with pytest.raises(LinkInputError) as exc:
        prepare_population(_pop().drop("full_name"))
    assert exc.value.column == "full_name"
    prepared = prepare_population(_pop(person_id=["P1", "P1", "P3"]))
    assert [(e.row, e.column) for e in prepared.errors] == [(1, "person_id"), (2, "person_id")]


def test_exact_pass_needs_agreeing_name_and_dob() -> None:
    pop = prepare_population(_pop(personal_id=["046090001234", "046185004321", "046090009999"])).frame
    reg = prepare_registry(
        pl.DataFrame(
            {
                "registry_row": ["r1", "r2", "r3"],
                "household_code": ["A", "A", "B"],
                # r1: right; r2: P2's number but another person entirely; r3: missing middle name, year only
                "personal_id": ["046090001234", "046185004321", "046090009999"],
                "full_name": ["Nguyen Van An", "Hoàng Văn Dũng", "Lê Cường"],
                "dob": ["1990-06-05", "1972-01-02", "1990"],
                "sex": ["Nam", "Nữ", "Nam"],
                "commune_code": ["19768", "19768", "19771"],
            }
        )
    ).frame
    got = dict(exact_pass(pop, reg).iter_rows())
    assert got == {"r1": "P1", "r3": "P3"}


@pytest.fixture(scope="module")
def small() -> tuple[object, object]:
    data = make_linkage_data(6000, 5000, seed=11)
    pop = prepare_population(data.population)
    reg = prepare_registry(data.registry)
    assert not pop.errors and not reg.errors
    return data, link(pop.frame, reg.frame, seed=1)


def test_pipeline_accuracy_on_noisy_data(small) -> None:  # type: ignore[no-untyped-def]
    data, result = small
    m = result.matches.join(data.truth.rename({"person_id": "true_id"}), on="registry_row")
    auto = m.filter(pl.col("decision") == "auto")
    correct = int((auto["person_id"] == auto["true_id"]).fill_null(False).sum())
    true_links = int(data.truth["person_id"].is_not_null().sum())
    assert correct / auto.height >= 0.995
    assert correct / true_links >= 0.98
    assert (m["decision"] == "review").sum() / data.registry.height <= 0.03
    assert result.summary["exact_pass"]["matched"] < correct  # the probabilistic pass added matches
    # people not in the extract are reported as not found
    outside = set(data.truth.filter(pl.col("person_id").is_null())["registry_row"])
    not_found = set(result.findings.filter(pl.col("finding") == "not_found")["registry_row"])
    assert len(outside & not_found) / len(outside) >= 0.98


def test_findings_kinds(small) -> None:  # type: ignore[no-untyped-def]
    _, result = small
    kinds = set(result.findings["finding"])
    assert {"not_found", "deceased", "moved", "several_households", "differs", "invalid_id"} <= kinds
    differs = result.findings.filter(pl.col("finding") == "differs")["detail"]
    assert differs.str.contains("full_name").any() and differs.str.contains("dob").any()


def test_incremental_equals_batch(small) -> None:  # type: ignore[no-untyped-def]
    data, result = small
    pop = prepare_population(data.population).frame
    matcher = IncrementalMatcher(pop, result.model)
    probabilistic = result.matches.filter(pl.col("method") == "probabilistic").head(40)
    by_row = {r["registry_row"]: r for r in data.registry.iter_rows(named=True)}
    for row in probabilistic.iter_rows(named=True):
        best = matcher.match(by_row[row["registry_row"]])[0]
        assert best.person_id == row["person_id"]
        assert best.match_probability == pytest.approx(row["match_probability"], abs=1e-9)
        assert best.decision == row["decision"]
        assert set(best.weights) == {"personal_id", "full_name", "dob", "sex", "commune"}


def test_incremental_rejects_bad_dob(small) -> None:  # type: ignore[no-untyped-def]
    data, result = small
    matcher = IncrementalMatcher(prepare_population(data.population.head(10)).frame, result.model)
    with pytest.raises(ValueError):
        matcher.match({"full_name": "A", "dob": "31/31/1990"})
    assert matcher.match({"full_name": "Không Ai Có Tên Này", "dob": "1900-01-01"}) == []
