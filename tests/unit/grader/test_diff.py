"""The structural diff, its rendering for learners, and the path syntax."""

from __future__ import annotations

from typing import Any

import pytest

from grader.diff import Change, diff, format_path, parse_path, render_diff, select


def _doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "sessions": {
            "<NS1>": {
                "versions": 1,
                "current": {"version": "0.3", "access_policy": {"read": ["CREATOR"]}},
            }
        },
        "files": {"a2-namespace/state.env": 'export NS="<NS1>"\nexport HASH=<hash:<NS1>@1>\n'},
        "names": {"<NS1>": "ns-1"},
    }
    doc.update(overrides)
    return doc


def test_equal_documents_have_no_changes_and_names_are_ignored() -> None:
    assert diff(_doc(), _doc(names={"<NS1>": "ns-2"})) == []
    assert render_diff([]) == ""
    changed = diff(_doc(), _doc(names={"<NS1>": "ns-2"}), ignore=())
    assert [c.path for c in changed] == ["names.<NS1>"]


def test_mappings_key_by_key_and_lists_by_length() -> None:
    after = _doc()
    after["sessions"]["<NS1>"]["versions"] = 2
    after["sessions"]["<NS1>"]["current"]["access_policy"]["read"] = ["<other>"]
    after["sessions"]["<NS1>"]["current"]["access_policy"]["update"] = ["CREATOR"]
    after["sessions"]["<NS2>"] = {"versions": 1}
    del after["files"]["a2-namespace/state.env"]
    assert diff(_doc(), after) == [
        Change("sessions.<NS1>.versions", 1, 2, "changed"),
        Change("sessions.<NS1>.current.access_policy.read[0]", "CREATOR", "<other>", "changed"),
        Change("sessions.<NS1>.current.access_policy.update", None, ["CREATOR"], "added"),
        Change("sessions.<NS2>", None, {"versions": 1}, "added"),
        Change(
            'files["a2-namespace/state.env"]',
            _doc()["files"]["a2-namespace/state.env"],
            None,
            "removed",
        ),
    ]
    longer = diff({"h": [1]}, {"h": [1, 2]})
    assert longer == [Change("h", [1], [1, 2], "changed")]
    assert diff({"x": True}, {"x": 1}) == [Change("x", True, 1, "changed")]


def test_render_shows_scalars_inline_blocks_and_a_text_diff() -> None:
    after = _doc()
    after["sessions"]["<NS1>"]["versions"] = 2
    after["sessions"]["<NS2>"] = {
        "versions": 1,
        "creator": "<learner>",
        "current": {"name": "<NS2>", "predecessor": None, "secrets": [{"name": "s"}]},
    }
    after["files"]["a2-namespace/state.env"] = 'export NS="<NS2>"\nexport HASH=<hash:<NS2>@1>\n'
    lines = render_diff(diff(_doc(), after)).splitlines()
    assert lines == [
        "~ changed sessions.<NS1>.versions: 1 -> 2",
        "+ added   sessions.<NS2>",
        "    versions: 1",
        "    creator: <learner>",
        "    current:",
        "      name: <NS2>",
        "      predecessor: null",
        "      secrets:",
        "        - name: s",
        '~ changed files["a2-namespace/state.env"]',
        "    @@ -1,2 +1,2 @@",
        '    -export NS="<NS1>"',
        "    -export HASH=<hash:<NS1>@1>",
        '    +export NS="<NS2>"',
        "    +export HASH=<hash:<NS2>@1>",
    ]


def test_render_new_file_quotes_and_limits() -> None:
    changes = [
        Change("files.f", None, "a\nb\n", "changed"),
        Change("x", "", " padded", "changed"),
        Change("y", "true", "007", "changed"),
        *[Change(f"k{i}", None, i, "added") for i in range(5)],
    ]
    lines = render_diff(changes, limit=4).splitlines()
    assert lines == [
        "~ changed files.f",
        "    (did not exist before)",
        "    @@ -0,0 +1,2 @@",
        "    +a",
        "    +b",
        '~ changed x: "" -> " padded"',
        '~ changed y: "true" -> 007',
        "+ added   k0: 0",
        "… and 4 more",
    ]


def test_big_values_are_truncated() -> None:
    big = {f"key{i}": "v" * 200 for i in range(30)}
    lines = render_diff([Change("big", None, big, "added")]).splitlines()
    assert len(lines) == 14 and lines[-1] == "    … (18 more lines)"
    assert max(len(line) for line in lines) < 100 and lines[1].endswith("…")


@pytest.mark.parametrize(
    "parts",
    [
        ["sessions", "<NS1>/private_public_values", "current", "secrets", 0, "value"],
        ["files", "a2-namespace/state.env"],
        ["weird", 'a "quoted" [key]', "", "with space", "ünïcode"],
    ],
)
def test_paths_round_trip(parts: list[str | int]) -> None:
    assert parse_path(format_path(parts)) == parts


def test_path_syntax() -> None:
    assert format_path(["sessions", "<NS1>/x", "history", 1]) == "sessions.<NS1>/x.history[1]"
    assert format_path(["files", "a/state.env"]) == 'files["a/state.env"]'
    assert parse_path('sessions["<NS1>/x"].current') == ["sessions", "<NS1>/x", "current"]
    for bad in (".a", "a..b", "a[x]", 'a["x"', "a[1", "a b"):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_select() -> None:
    doc = {"a": {"b.c": [{"d": 1}]}, "n": None}
    assert select(doc, 'a["b.c"][0].d') == 1
    assert select(doc, 'a["b.c"].0.d') == 1
    assert select(doc, "n") is None
    assert select(doc, "") == doc
    with pytest.raises(KeyError, match=r"nothing at a\.x"):
        select(doc, "a.x.y")
    assert select(doc, 'a["b.c"][3]', default=None) is None


def test_lists_of_scalars_are_shown_in_flow_style() -> None:
    value = {"access_policy": {"read": ["CREATOR"], "update": []}, "secrets": [{"name": "s"}]}
    assert render_diff([Change("sessions.<NS2>.current", None, value, "added")]).splitlines() == [
        "+ added   sessions.<NS2>.current",
        "    access_policy:",
        "      read: [CREATOR]",
        "      update: []",
        "    secrets:",
        "      - name: s",
    ]
