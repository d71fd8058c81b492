"""Data loaders: the real files load, malformed files fail with the file's name and problem."""

from __future__ import annotations


import pytest

from osmcourse.data import (
    DATA_DIR,
    DataFileError,
    Range,
    load_bass_sales,
    load_bass_series,
    read_csv_checked,
    read_source_line,
)

from conftest import copy_data_file, rewrite


def test_bass_sales_loads_three_products():
    frame = load_bass_sales()
    assert set(frame["product"]) == {"room_air_conditioners", "color_televisions", "clothes_dryers"}
    assert (frame["sales_thousands"] > 0).all()


def test_bass_series_is_indexed_by_year():
    series = load_bass_series("room_air_conditioners")
    assert series.index.name == "year"
    assert series.index.min() == 1949 and series.index.max() == 1961
    assert series.loc[1953] == 1045


def test_unknown_product_names_the_choices():
    with pytest.raises(KeyError, match="clothes_dryers"):
        load_bass_series("bicycles")


def test_every_data_file_has_a_source_line_and_a_sources_entry():
    sources = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    files = sorted(DATA_DIR.glob("*.csv"))
    assert files
    for path in files:
        assert read_source_line(path)
        assert f"`{path.name}`" in sources, f"{path.name} is not described in SOURCES.md"


@pytest.fixture
def bass_copy(tmp_path):
    return copy_data_file("bass_classic_sales.csv", tmp_path)


def test_missing_column_names_file_and_column(bass_copy):
    rewrite(bass_copy, "product,year,sales_thousands", "product,yr,sales_thousands")
    with pytest.raises(
        DataFileError, match=r"^bass_classic_sales\.csv: missing column\(s\) \['year'\]"
    ):
        load_bass_sales(bass_copy)


def test_non_numeric_value_names_file_line_and_value(bass_copy):
    rewrite(bass_copy, "room_air_conditioners,1953,1045", "room_air_conditioners,1953,lots")
    with pytest.raises(
        DataFileError,
        match=r"bass_classic_sales\.csv: column 'sales_thousands' must be numeric, found 'lots' on line 7",
    ):
        load_bass_sales(bass_copy)


def test_out_of_range_value_is_rejected(bass_copy):
    rewrite(bass_copy, "room_air_conditioners,1953,1045", "room_air_conditioners,1953,-5")
    with pytest.raises(DataFileError, match="outside"):
        load_bass_sales(bass_copy)


def test_missing_source_line_is_rejected(bass_copy):
    lines = bass_copy.read_text(encoding="utf-8").splitlines()[1:]
    bass_copy.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataFileError, match="source"):
        load_bass_sales(bass_copy)


def test_duplicate_rows_are_rejected(bass_copy):
    with bass_copy.open("a", encoding="utf-8") as handle:
        handle.write("clothes_dryers,1961,1\n")
    with pytest.raises(DataFileError, match="repeated product-year"):
        load_bass_sales(bass_copy)


def test_empty_cell_and_missing_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"t\.csv: column 'b' is empty on line\(s\) \[2\]"):
        read_csv_checked(path, {"a": "int", "b": "int"})
    assert read_csv_checked(path, {"a": "int", "b": "int"}, allow_missing=("b",))["a"].tolist() == [
        1
    ]
    with pytest.raises(DataFileError, match="nope.csv: no such file"):
        read_csv_checked(tmp_path / "nope.csv", {"a": "int"})


def test_bool_and_whole_number_checks(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("flag,n\nyes,1.5\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="true/false"):
        read_csv_checked(path, {"flag": "bool", "n": "float"})
    with pytest.raises(DataFileError, match="whole numbers"):
        read_csv_checked(path, {"flag": "string", "n": "int"})
    frame = read_csv_checked(path, {"flag": "string", "n": "float"}, {"n": Range(0, 2)})
    assert frame["n"].tolist() == [1.5]


def test_loader_never_changes_the_file(bass_copy):
    before = bass_copy.read_bytes()
    load_bass_sales(bass_copy)
    rewrite(bass_copy, "year", "yr")
    broken = bass_copy.read_bytes()
    with pytest.raises(DataFileError):
        load_bass_sales(bass_copy)
    assert bass_copy.read_bytes() == broken != before
