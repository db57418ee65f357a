"""Convention files are read with their aliases bounded: a "billion laughs" file stops at once,
with a message naming the file and the line."""

from __future__ import annotations

import pytest

from jalon.conventions.errors import ConventionError
from jalon.conventions.loader import load
from jalon.conventions.yamlsource import MAX_NODES, YamlSource

LAUGHS = "format: jalon-convention/1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10)
)


def test_a_billion_laughs_file_fails_naming_the_file_and_line(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS, "utf-8")
    assert len(LAUGHS) < 1024
    with pytest.raises(ConventionError) as error:
        load(path)
    [message] = error.value.errors
    assert message.startswith(f"{path}:")
    assert message.endswith(f": (YAML): aliases expand to more than {MAX_NODES:,} values")


def test_an_alias_inside_its_own_value_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("format: jalon-convention/1\na: &a [1, *a]\n", "utf-8")
    with pytest.raises(ConventionError, match="loop.yaml:2: \\(YAML\\): an alias refers to the value that contains it"):
        load(path)


def test_ordinary_aliases_still_read():
    source = YamlSource("c.yaml", "targets: &t {P1: 4h, P2: 1j}\nother: *t\nmore: [*t, *t]\n")
    assert source.data["more"] == [{"P1": "4h", "P2": "1j"}] * 2
