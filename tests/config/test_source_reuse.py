"""The YAML parser's class is made once (`compose._LibyamlComposer`): nothing of one file — its
anchors, even those of a file that broke off mid-document — reaches the next file parsed."""

from __future__ import annotations

from layers_reconcile.config.source import parse_yaml


def test_an_anchor_of_one_file_is_unknown_in_the_next() -> None:
    first = parse_yaml("base: &shared {x: 1}\nuse: *shared\n", "a.yaml")
    assert first.issues == []
    assert first.data == {"base": {"x": 1}, "use": {"x": 1}}

    second = parse_yaml("use: *shared\n", "b.yaml")

    assert second.data is None
    assert [(i.mark.file, i.mark.line, i.mark.col) for i in second.issues] == [("b.yaml", 1, 6)]
    assert "found undefined alias 'shared'" in second.issues[0].message


def test_an_anchor_of_a_broken_file_is_unknown_in_the_next() -> None:
    broken = parse_yaml("base: &shared {x: 1}\nlist: [1, &other\n", "a.yaml")
    assert broken.issues
    assert "YAML syntax error" in broken.issues[0].message

    after = parse_yaml("use: *shared\nmore: *other\n", "b.yaml")

    assert after.data is None
    assert "found undefined alias 'shared'" in after.issues[0].message


def test_the_same_text_parses_the_same_every_time() -> None:
    text = "project:\n  name: Acme\n  timezone: UTC\nlist: [1, 2.5, true, null, '7']\n"
    runs = [parse_yaml(text, "c.yaml") for _ in range(3)]
    assert all(run.data == runs[0].data for run in runs)
    assert all(run.source.entries == runs[0].source.entries for run in runs)
    assert runs[0].data["list"] == [1, 2.5, True, None, "7"]
    timezone = runs[0].source.mark(("project", "timezone"))
    assert (timezone.file, timezone.line, timezone.col) == ("c.yaml", 3, 13)
