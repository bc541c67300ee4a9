"""Validation errors as one readable sentence per field: the words every form, Final checks and the CLI show."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from redflare.domain.validation_messages import FieldError, collapse_unions, field_errors, sentence_of
from redflare.steps.select_conversations import Config as SelectConfig

NOISE = re.compile(r"Field required|Extra inputs|Input should|String should|List should|Value error|literal\[")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FromIntegration(_Strict):
    integration: str = Field(min_length=1, title="Integration")


class FromPipeline(_Strict):
    pipeline: str = Field(min_length=1, title="Pipeline")


class Item(_Strict):
    title: str | None = None
    low: int = Field(default=0, title="Lowest")
    high: int = Field(default=0, ge=0, title="Highest")


class Form(_Strict):
    source: Annotated[FromIntegration | FromPipeline | Literal["all", "trigger"], Field(union_mode="left_to_right")] = (
        Field(default="all", title="Source")
    )
    call_limit: int | None = Field(default=None, ge=1)
    items: list[Item] = Field(default_factory=list, title="Items", json_schema_extra={"item_noun": "rule"})


def errors_of(model: type[BaseModel], data: dict[str, Any], owner: str | None = None) -> list[FieldError]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return field_errors(raised.value.errors(), schema=model.model_json_schema(), data=data, owner=owner)


def sentences(model: type[BaseModel], data: dict[str, Any], owner: str | None = None) -> list[str]:
    return [found.sentence for found in errors_of(model, data, owner)]


class TestUnions:
    def test_choosing_integration_without_one_says_one_sentence(self) -> None:
        """Source = Integration left empty: the integration is required, not four branches' complaints."""
        assert [(found.loc, found.sentence) for found in errors_of(Form, {"source": {"integration": ""}})] == [
            (("source", "integration"), "Integration in Source must be set.")
        ]

    def test_an_unknown_key_in_the_chosen_branch_is_named(self) -> None:
        """The branch that fits the mapping is kept; its unknown key is an unknown setting."""
        assert sentences(Form, {"source": {"integration": "crm", "colour": "red"}}) == [
            "Unknown setting 'colour' in Source."
        ]

    def test_a_pipeline_source_reads_as_a_pipeline(self) -> None:
        assert sentences(Form, {"source": {"pipeline": ""}}) == ["Pipeline in Source must be set."]

    def test_a_text_that_is_no_choice_lists_the_choices(self) -> None:
        assert sentences(Form, {"source": "everything"}) == ["Source must be all or trigger."]

    def test_the_real_select_step_says_the_same(self) -> None:
        """Select Conversations' own schema gives the same plain sentence, owned by its step."""
        found = errors_of(SelectConfig, {"source": {"integration": ""}, "sourc": 1}, owner="step 'pick'")
        assert [f.sentence for f in found] == [
            "Integration in Source must be set.",
            "Unknown setting 'sourc' in step 'pick'.",
        ]


class TestWords:
    def test_a_field_without_a_title_is_named_by_its_key_in_words(self) -> None:
        assert sentences(Form, {"call_limit": 0}) == ["Call limit must be 1 or more."]

    def test_a_list_item_is_named_by_its_title_or_its_number(self) -> None:
        found = sentences(Form, {"items": [{"title": "Short calls", "high": -1}, {"high": -2}]})
        assert found == ["Highest in rule 'Short calls' must be 0 or more.", "Highest in rule 2 must be 0 or more."]

    def test_an_unknown_key_at_the_top_is_named_with_its_owner(self) -> None:
        assert sentences(Form, {"x": 1}, owner="step 'pick'") == ["Unknown setting 'x' in step 'pick'."]
        assert sentences(Form, {"x": 1}) == ["Unknown setting 'x'."]

    def test_a_validators_own_words_are_kept_and_a_list_item_says_which(self) -> None:
        """A validator's message stays as written; on a list item it is said of that item."""
        error = {"type": "value_error", "loc": ("call_limit",), "msg": "Value error, too many calls", "ctx": {}}
        assert sentence_of(error) == "too many calls"
        data = {"items": [{"title": "Short calls"}]}
        assert sentence_of({**error, "loc": ("items", 0)}, data=data, schema=Form.model_json_schema()) == (
            "Rule 'Short calls': too many calls."
        )


BRANCH_LABEL = re.compile(r"^[A-Z]|\[")


def _sources() -> st.SearchStrategy[Any]:
    names = st.sampled_from(["integration", "pipeline", "colour", "x", "all"])
    values = st.one_of(st.text(max_size=4), st.integers(), st.none())
    return st.one_of(
        st.text(max_size=8),
        st.integers(),
        st.dictionaries(names, values, max_size=3),
        st.lists(st.integers(), max_size=2),
    )


class TestProperties:
    @given(source=_sources(), extra=st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), st.integers()))
    def test_every_refusal_reads_as_sentences_without_pydantic_words(self, source: Any, extra: dict[str, int]) -> None:
        """Whatever is given as Source (and any stray keys), each problem is one sentence in plain words, at a path
        without union branch labels, and no path gets two sentences that say the same."""
        data = {
            "source": source,
            **{key: value for key, value in extra.items() if key not in SelectConfig.model_fields},
        }
        try:
            SelectConfig.model_validate(data)
        except ValidationError as exc:
            found = field_errors(exc.errors(), schema=SelectConfig.model_json_schema(), data=data, owner="step 'a'")
        else:
            return
        assert found
        assert len({(f.loc, f.sentence) for f in found}) == len(found)
        for item in found:
            assert not NOISE.search(item.sentence), item.sentence
            assert item.sentence
            assert not any(isinstance(part, str) and BRANCH_LABEL.search(part) for part in item.loc), item.loc
        unknown = sorted(key for key in data if key not in SelectConfig.model_fields)
        named = sorted(
            m.group(1) for f in found if (m := re.match(r"Unknown setting '(\w+)' in step 'a'\.", f.sentence))
        )
        assert unknown == named

    @given(
        locs=st.lists(
            st.lists(st.one_of(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), st.integers(0, 5)), max_size=4),
            max_size=5,
        )
    )
    def test_errors_without_unions_pass_through_unchanged(self, locs: list[list[str | int]]) -> None:
        """Collapsing touches only unions: errors of plain fields keep their paths and order."""
        errors = [{"type": "missing", "loc": tuple(loc), "msg": "Field required"} for loc in locs]
        assert [tuple(loc) for loc in locs] == [e["loc"] for e in collapse_unions(errors, data={})]

    @given(low=st.integers(-50, 50), high=st.integers(-50, 50), title=st.text("abc XYZ", min_size=1, max_size=10))
    def test_a_criterion_range_names_the_criterion_by_its_title(self, low: int, high: int, title: str) -> None:
        """A pipeline whose range has its minimum above its maximum is refused naming the criterion's title."""
        from redflare.domain.errors import InvalidInput
        from redflare.services.pipelines import parse_definition

        criterion = {"kind": "measure_range", "name": "talk", "measure": "turns", "min": low, "max": high}
        data = {"name": "p", "scorecard": [{**criterion, "title": title}]}
        if low <= high:
            parse_definition(data)
            return
        with pytest.raises(InvalidInput) as raised:
            parse_definition(data)
        shown = title.strip() or "talk"
        assert [("scorecard[0]", f"Criterion '{shown}': the minimum must not be above the maximum.")] == [
            (issue.path, issue.message) for issue in raised.value.issues
        ]
