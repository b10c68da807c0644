"""Tests for parse_template (YAML reading, variable substitution) and locate."""

from __future__ import annotations

import pytest
import yaml

from localcas.errors import PolicyError
from localcas.policy import locate, parse_template
from localcas.policy import template as template_module


def parse(text: str, **variables: str) -> dict[str, object]:
    return parse_template(text, filename="session.yml", variables=variables)


def parse_error(text: str, **variables: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse(text, **variables)
    return info.value


# --- scalars -------------------------------------------------------------------------


def test_plain_scalars_resolve_to_null_bool_or_source_text() -> None:
    data = parse(
        "a: ~\nb:\nc: null\nd: true\ne: no\nf: 007\ng: 0.3\nh: 1e3\ni: 0x1F\nj: text\n"
        "k: 2001-12-14\n"
    )
    assert data == {
        "a": None,
        "b": None,
        "c": None,
        "d": True,
        "e": False,
        "f": "007",
        "g": "0.3",
        "h": "1e3",
        "i": "0x1F",
        "j": "text",
        "k": "2001-12-14",
    }


def test_quoted_scalars_are_always_strings() -> None:
    data = parse("a: 'true'\nb: \"007\"\nc: '~'\nd: \"\"\n")
    assert data == {"a": "true", "b": "007", "c": "~", "d": ""}


def test_explicit_str_tag_keeps_text() -> None:
    assert parse("a: !!str yes\n") == {"a": "yes"}


def test_keys_are_source_text_and_never_substituted() -> None:
    data = parse("$KEY: 1\n007: x\ntrue: y\n", KEY="replaced")
    assert data == {"$KEY": "1", "007": "x", "true": "y"}


def test_nested_lists_and_mappings() -> None:
    data = parse("s:\n  - {name: a, n: [1, '2']}\n  - name: b\n")
    assert data == {"s": [{"name": "a", "n": ["1", "2"]}, {"name": "b"}]}


def test_small_aliases_are_expanded() -> None:
    assert parse("a: &x [1, 2]\nb: *x\n") == {"a": ["1", "2"], "b": ["1", "2"]}


# --- variables -----------------------------------------------------------------------


def test_dollar_and_braced_variables_are_substituted() -> None:
    data = parse("name: $NS\nb: pre-${NS}-post\nc: '$NS/child'\nd: ${NS}x\n", NS="ns1")
    assert data == {"name": "ns1", "b": "pre-ns1-post", "c": "ns1/child", "d": "ns1x"}


def test_variable_name_extends_over_all_name_characters() -> None:
    err = parse_error("a: $NS_suffix\n", NS="x")
    assert err.message == "Value for variable $NS_suffix is missing"


def test_scone_placeholders_are_left_untouched() -> None:
    text = 'a: $$SCONE::otp_secret$$\nb: "$$SCONE::k:hex$$-$V"\nc: $${V}\n'
    assert parse(text, V="v") == {
        "a": "$$SCONE::otp_secret$$",
        "b": "$$SCONE::k:hex$$-v",
        "c": "$${V}",
    }


def test_lone_dollar_is_literal() -> None:
    assert parse("a: cost 5$\nb: $-x\n") == {"a": "cost 5$", "b": "$-x"}


def test_comments_are_not_substituted() -> None:
    assert parse("# - $MRENCLAVE\nname: x  # $ALSO_MISSING\n") == {"name": "x"}


def test_missing_variable_reads_like_the_documented_scone_message() -> None:
    err = parse_error('# session\nversion: "0.3"\nname: $SESSION\n')
    assert err.describe() == "name: Value for variable $SESSION is missing at line 3 column 7"
    assert err.path == ("name",)


def test_missing_variable_inside_a_list_has_the_full_path() -> None:
    err = parse_error("secrets:\n  - name: s\n    value: x${V}\n")
    assert err.path == ("secrets", 0, "value")
    assert (err.line, err.column) == (3, 12)


def test_variable_values_lose_trailing_whitespace_and_carriage_return() -> None:
    data = parse("name: $NS\nb: '[$X]'\n", NS="my-ns\r", X=" a b \r\n")
    assert data == {"name": "my-ns", "b": "[ a b]"}


def test_plain_scalar_is_re_resolved_after_substitution() -> None:
    for value in ("~", "null"):
        assert parse("predecessor: $P\n", P=value) == {"predecessor": None}
    assert parse("p: $P\n", P="") == {"p": None}
    assert parse("p: $P\n", P="true") == {"p": True}
    assert parse("p: $P\n", P="007") == {"p": "007"}


def test_quoted_scalar_is_not_re_resolved() -> None:
    assert parse("p: '$P'\nq: \"$P\"\n", P="~") == {"p": "~", "q": "~"}


# --- errors --------------------------------------------------------------------------


def test_syntax_error_has_plain_message_and_position() -> None:
    err = parse_error("name: x\nbad: a: b\n")
    assert err.message == "invalid YAML: mapping values are not allowed here"
    assert (err.line, err.column) == (2, 7)


def test_syntax_error_message_does_not_depend_on_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: [1\n"
    first = parse_error(text)
    monkeypatch.setattr(template_module, "_LOADERS", (yaml.SafeLoader,))
    second = parse_error(text)
    assert first.describe() == second.describe()
    assert first.line == 2


def test_unterminated_quote_is_reported() -> None:
    err = parse_error('name: "x\n')
    assert err.message.startswith("invalid YAML: found unexpected end of stream")


def test_duplicate_key_is_reported_with_position() -> None:
    err = parse_error("name: a\nsecrets:\n  - name: s\n    kind: ascii\n    name: t\n")
    assert err.message == "duplicate key 'name'"
    assert err.path == ("secrets", 0, "name")
    assert (err.line, err.column) == (5, 5)


def test_empty_and_comment_only_files_are_rejected_clearly() -> None:
    for text in ("", "\n\n", "# only a comment\n"):
        err = parse_error(text)
        assert "'session.yml' is empty" in err.message


def test_top_level_must_be_a_mapping() -> None:
    for text in ("- a\n- b\n", "just text\n"):
        assert "mapping" in parse_error(text).message


def test_second_document_is_rejected() -> None:
    err = parse_error("name: a\n---\nname: b\n")
    assert "single document" in err.message
    assert err.line == 2


def test_control_character_is_rejected_with_position() -> None:
    err = parse_error("name: a\nb: x\x01\n")
    assert "#x0001" in err.message
    assert (err.line, err.column) == (2, 5)


def test_unsupported_constructs_are_rejected() -> None:
    assert "tag" in parse_error("a: !custom 1\n").message
    assert "tag" in parse_error("a: !!set {x}\n").message
    assert "merge" in parse_error("b: &m {x: 1}\na:\n  <<: *m\n").message
    assert "keys" in parse_error("? [a, b]\n: 1\n").message
    assert "recursive" in parse_error("a: &x [*x]\n").message


def test_alias_bomb_is_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    err = parse_error("\n".join(lines) + "\n")
    assert "too large" in err.message


# --- locate --------------------------------------------------------------------------

LOCATE_TEXT = """\
name: ns
access_policy:
  read: [CREATOR]
secrets:
  - name: a
    kind: ascii
  - name: b
"""


def test_locate_points_at_scalar_values_keys_and_items() -> None:
    assert locate(LOCATE_TEXT, ("name",)) == (1, 7)
    assert locate(LOCATE_TEXT, ("access_policy",)) == (2, 1)
    assert locate(LOCATE_TEXT, ("access_policy", "read", 0)) == (3, 10)
    assert locate(LOCATE_TEXT, ("secrets", 1)) == (7, 5)
    assert locate(LOCATE_TEXT, ("secrets", 0, "kind")) == (6, 11)
    assert locate(LOCATE_TEXT, ()) == (1, 1)


def test_locate_falls_back_to_the_deepest_existing_ancestor() -> None:
    assert locate(LOCATE_TEXT, ("secrets", 1, "kind")) == (7, 5)
    assert locate(LOCATE_TEXT, ("secrets", 9)) == (4, 1)


def test_locate_returns_none_for_unparsable_text() -> None:
    assert locate("a: b: c\n", ("a",)) is None
    assert locate("", ("a",)) is None
