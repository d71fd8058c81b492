"""The one reader of the book's ``_config.yml`` (osmcourse.bookconfig)."""

from __future__ import annotations

import pytest

from osmcourse.bookconfig import BookConfig, BookConfigError
from osmcourse.student.copies import repository_url
from osmcourse.student.markdown import read_config

from conftest import ROOT


def write_config(tmp_path, text: str):
    (tmp_path / "_config.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_courses_config_reads_through_the_accessors():
    config = BookConfig.read(ROOT)
    assert config.path == ROOT / "_config.yml"
    assert config.title
    assert config.repository_url.startswith("https://github.com/")
    assert config.https_repository_url() == repository_url(ROOT)
    assert config.book_url.startswith("https://") and config.book_url.endswith("/")
    assert config.bibtex_cite_id == "cite-{key}"
    assert config.bibtex_bibfiles == ["references.bib"]
    # Every caller sees the same parse.
    assert read_config(ROOT) == config.settings


def test_accessors_of_a_small_config(tmp_path):
    config = BookConfig.read(
        write_config(
            tmp_path,
            "title: T\nrepository:\n  url: https://github.com/Org/repo/\n"
            "bibtex_bibfiles: refs.bib\nsphinx:\n  config:\n    bibtex_cite_id: 'id-{key}'\n",
        )
    )
    assert config.title == "T"
    assert config.https_repository_url() == "https://github.com/Org/repo"
    assert config.book_url == "https://org.github.io/repo/"
    assert config.bibtex_bibfiles == ["refs.bib"]
    assert config.bibtex_cite_id == "id-{key}"


def test_a_missing_config_is_named(tmp_path):
    with pytest.raises(BookConfigError, match=r"_config\.yml: cannot read the book's config"):
        BookConfig.read(tmp_path)
    with pytest.raises(ValueError, match=str(tmp_path)):
        repository_url(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "title: [unclosed\n",  # not YAML
        "- a list\n- not a mapping\n",
        "",  # empty file
    ],
)
def test_a_malformed_config_is_named(tmp_path, text):
    write_config(tmp_path, text)
    with pytest.raises(BookConfigError) as raised:
        BookConfig.read(tmp_path)
    assert str(tmp_path / "_config.yml") in str(raised.value)


def test_missing_or_wrong_settings_say_which(tmp_path):
    config = BookConfig.read(write_config(tmp_path, "title: T\n"))
    with pytest.raises(BookConfigError, match="repository.url"):
        config.repository_url
    with pytest.raises(BookConfigError, match="set book_url"):
        config.book_url
    assert config.bibtex_cite_id == "" and config.bibtex_bibfiles == []
    config = BookConfig.read(write_config(tmp_path, "repository: https://github.com/o/r\n"))
    with pytest.raises(BookConfigError, match="repository must be a mapping"):
        config.repository_url
    config = BookConfig.read(write_config(tmp_path, "repository:\n  url: http://x.org/r\n"))
    with pytest.raises(BookConfigError, match="must be an https URL"):
        config.https_repository_url()


def test_publish_check_reports_a_malformed_config(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from publish_check import PublishRefused, configured_url
    finally:
        sys.path.remove(str(ROOT / "tools"))
    path = write_config(tmp_path, "title: [unclosed\n") / "_config.yml"
    with pytest.raises(PublishRefused, match=str(path)):
        configured_url(path)
