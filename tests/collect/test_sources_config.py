"""corpus/sources.toml is validated on load with one-line messages naming file, line and key."""

import tomllib
from pathlib import Path

import pytest

from discourse.config import SourcesFile, load
from discourse.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
HEAD = '[project]\nname = "study"\ncontact = "me@example.org"\n'


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_is_complete_but_asks_for_a_contact():
    with pytest.raises(ConfigError) as failure:
        load(REPO / "corpus" / "sources.toml", SourcesFile)
    assert str(failure.value).startswith(
        f"{REPO}/corpus/sources.toml:10: key 'project.contact': give an email address or "
        "http(s) URL where site owners can reach you"
    )
    text = (
        (REPO / "corpus" / "sources.toml")
        .read_text()
        .replace('contact = ""', 'contact = "me@example.org"')
    )
    config = SourcesFile.model_validate(tomllib.loads(text))
    assert (
        config.fetch == SourcesFile.model_fields["fetch"].default
    )  # the file spells out the defaults
    assert config.archive.dir == "archive"
    assert config.sources and all("adapter" in table for table in config.sources.values())


def test_defaults_and_a_source_table(tmp_path):
    config = load(
        write(tmp_path, HEAD + '[sources.blog]\nadapter = "wordpress"\nsite = "x"\n'), SourcesFile
    )
    assert config.fetch.delay == 1.0 and config.fetch.ceilings == {"web.archive.org": 60.0}
    assert config.sources == {"blog": {"adapter": "wordpress", "site": "x"}}


@pytest.mark.parametrize(
    "text, message",
    [
        (
            HEAD + "[fetch]\ndelai = 2\n",
            "sources.toml:5: unknown key 'fetch.delai' (expected one of: allow_private, backoff,",
        ),
        (
            HEAD + "[fetch]\ndelay = -1\n",
            "sources.toml:5: key 'fetch.delay': input should be greater than or equal to 0, got -1",
        ),
        (
            HEAD + '[fetch]\nresolve = { "a.invalid" = "127.0.0.1" }\n',
            "sources.toml:5: key 'fetch.resolve': resolve.a.invalid must be ADDRESS:PORT, like '127.0.0.1:8000'",
        ),
        (
            HEAD + "[sources.blog]\nsite = 'x'\n",
            "sources.toml: key 'sources': [sources.blog] needs adapter = \"...\" naming its adapter",
        ),
        (
            HEAD + "[sources.blog]\nadapter = 'x'\nallowed_hosts = 'a.org'\n",
            "sources.toml: key 'sources': sources.blog.allowed_hosts must be a list of host names",
        ),
        (
            '[project]\nname = "my study"\ncontact = "me@example.org"\n',
            "sources.toml:2: key 'project.name': use letters, digits, '.', '_' or '-'",
        ),
        ("[fetch]\ndelay = 1\n", "sources.toml: missing required key 'project'"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, text, message):
    with pytest.raises(ConfigError) as failure:
        load(write(tmp_path, text), SourcesFile)
    assert str(failure.value).startswith(f"{tmp_path}/{message}")
    assert "\n" not in str(failure.value)
