"""Malformed configuration files stop with the documented one-line messages."""

import pytest

from discourse.config import ImportMapping, load
from discourse.errors import ConfigError


def write(tmp_path, text: str | bytes):
    path = tmp_path / "mapping.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_valid_mapping_loads(tmp_path):
    path = write(
        tmp_path,
        'text = "body"\n[columns]\ntitle = "headline"\n[defaults]\nactor_type = "charity"\n',
    )
    mapping = load(path, ImportMapping)
    assert mapping.text == "body"
    assert mapping.columns == {"title": "headline"}
    assert mapping.defaults == {"actor_type": "charity"}


@pytest.mark.parametrize(
    "content, message",
    [
        (
            'text = "body"\ntitel = "x"\n',
            "mapping.toml:2: unknown key 'titel' (expected one of: columns, defaults, format, source, text)",
        ),
        ("text = 3\n", "mapping.toml:1: key 'text': input should be a valid string, got 3"),
        (
            'format = "xlsx"\n',
            "mapping.toml:1: key 'format': input should be 'csv', 'jsonl' or 'parquet', got 'xlsx'",
        ),
        (
            '[columns]\nheadline = "title"\n',
            "mapping.toml:1: key 'columns': unknown document field(s) headline; fields are id, url",
        ),
        ('text = "body\n', "mapping.toml: invalid TOML: "),
        (b'text = "caf\xe9"\n', "mapping.toml: not UTF-8 text (byte 11)"),
    ],
)
def test_malformed_mapping_gives_documented_message(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(ConfigError) as excinfo:
        load(path, ImportMapping)
    assert str(excinfo.value).startswith(f"{tmp_path}/{message}")
    assert excinfo.value.exit_code == 2


def test_toml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, 'text = "body"\nsource = \n')
    with pytest.raises(ConfigError, match=r"invalid TOML: .*line 2"):
        load(path, ImportMapping)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="nothere.toml: configuration file not found"):
        load(tmp_path / "nothere.toml", ImportMapping)


def test_prefix_names_the_full_key_and_its_line(tmp_path):
    from discourse.config import read_toml, validate

    path = write(
        tmp_path, '[project]\nname = "x"\n\n[sources.blog]\ntext = "body"\nquery = "big society"\n'
    )
    data = read_toml(path)
    with pytest.raises(ConfigError) as excinfo:
        validate(data["sources"]["blog"], ImportMapping, path, prefix=("sources", "blog"))
    assert str(excinfo.value) == (
        f"{path}:6: unknown key 'sources.blog.query' (expected one of: columns, defaults, format, source, text)"
    )
