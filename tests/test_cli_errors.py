"""Every error a user can cause: one clear message, a non-zero exit, no traceback."""

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def newsfacts(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "newsfacts.cli", *args],
        capture_output=True, text=True, cwd=cwd, timeout=120,
    )


def assert_clean_failure(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in result.stderr


def test_bad_sources_toml(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text("[[source]\nname = 'x'\n")
    assert_clean_failure(newsfacts("run", "--sources", str(bad), "--db", str(tmp_path / "w.duckdb")),
                         "not valid TOML")


def test_unknown_kind(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nname = "x"\nkind = "mastodon"\nurl = "https://a.example"\n')
    assert_clean_failure(newsfacts("sources", "--sources", str(bad)), "unknown kind 'mastodon'")


def test_missing_sources_file(tmp_path):
    assert_clean_failure(newsfacts("run", "--sources", str(tmp_path / "none.toml")), "sources file not found")


def test_db_in_a_missing_folder(tmp_path):
    result = newsfacts("run", "--sources", str(PROJECT / "newsfacts" / "sources.toml"),
                       "--db", str(tmp_path / "no" / "such" / "w.duckdb"))
    assert_clean_failure(result, "does not exist")


def test_db_that_is_not_a_duckdb_file(tmp_path):
    garbage = tmp_path / "w.duckdb"
    garbage.write_bytes(b"this is not a database\n" * 100)
    assert_clean_failure(newsfacts("review", "--db", str(garbage)), str(garbage.name))


def test_db_that_is_missing_for_readers(tmp_path):
    assert_clean_failure(newsfacts("review", "--db", str(tmp_path / "absent.duckdb")), "absent.duckdb")


def test_sources_lists_every_source_with_its_url():
    result = newsfacts("sources", "--sources", str(PROJECT / "newsfacts" / "sources.toml"))
    assert result.returncode == 0, result.stderr
    assert "https://news.google.com/rss/search?q=Anthropic" in result.stdout
    assert "nvidia-newsroom" in result.stdout


def test_resolve_needs_exactly_one_decision(tmp_path):
    result = newsfacts("resolve", "abc", "--dismiss", "--value", "3", "--db", str(tmp_path / "w.duckdb"))
    assert_clean_failure(result, "exactly one of")
