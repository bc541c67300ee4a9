"""Pydantic's validation errors as one readable sentence per field, in the form's own words.

Every place that shows a validation error (the API's 422 answers, Final checks, the pipelines editor, the CLI)
goes through `field_errors`, so a field reads the same everywhere: "Integration in Source must be set." rather than
"String should have at least 1 character · Field required · Extra inputs are not permitted · …".

Two things make pydantic's raw errors noisy, and both are undone here:

- A union reports every branch's complaint (`source.FromIntegration.integration`, `source.FromPipeline.pipeline`,
  `source.literal['all','trigger']`). We keep only the branch that fits the shape the user gave (a mapping for a
  model branch, a string for a literal …, then the fewest complaints) and drop the branch labels from the path.
- Messages name nothing ("Field required"). We name the field by the title its JSON Schema gives it (the title the
  side panel shows), an unknown key as an unknown setting, and a list item by its own title when it has one.

Pure: no I/O, no store; `schema` is the model's `model_json_schema()` (titles), `data` the input that failed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Loc = tuple[str | int, ...]

# Pydantic's labels of union branches that are not class names: "literal['a','b']", "list[str]", "function-after[…]".
_BRACKETED_LABEL = re.compile(r"^[a-z][a-z0-9_-]*\[.*\]$", re.DOTALL)
_PLAIN_LABELS = frozenset(
    {"str", "int", "float", "bool", "none", "bytes", "decimal", "date", "datetime", "time", "timedelta", "dict", "list"}
    | {"constrained-str", "constrained-int", "constrained-float", "constrained-decimal", "constrained-bytes"}
)
# An error at a branch's root with one of these types means "the value is not of this branch's shape at all".
_SHAPE_TYPES = frozenset(
    {
        "model_type",
        "model_attributes_type",
        "dict_type",
        "list_type",
        "string_type",
        "int_type",
        "float_type",
        "bool_type",
        "decimal_type",
        "none_required",
        "is_instance_of",
        "dataclass_type",
        "tuple_type",
        "set_type",
    }
)
_NOT_A_CHOICE = frozenset({"literal_error", "enum"})
# Patterns our models use, in words.
_PATTERN_WORDS = {
    r"^[a-z0-9_-]+$": "may contain only lowercase letters, digits, - and _",
    r"^[a-z0-9_]+$": "may contain only lowercase letters, digits and _",
}


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field's problem: where it is in the document (union branch labels dropped) and the sentence to show."""

    loc: Loc
    sentence: str


def field_errors(
    errors: Sequence[Mapping[str, Any]],
    *,
    schema: Mapping[str, Any] | None = None,
    data: Any = None,
    owner: str | None = None,
) -> list[FieldError]:
    """One sentence per problem of a pydantic `ValidationError.errors()`, a union's branches collapsed to one.

    `owner` names the whole value in sentences about its top level ("step 'pick'" → "Unknown setting 'x' in
    step 'pick'."); without it the top level goes unnamed.
    """
    found: list[FieldError] = []
    seen: set[tuple[Loc, str]] = set()
    for error in collapse_unions(errors, data):
        loc = tuple(error["loc"])
        sentence = sentence_of(error, loc, schema=schema, data=data, owner=owner)
        if (loc, sentence) not in seen:
            seen.add((loc, sentence))
            found.append(FieldError(loc, sentence))
    return found


def collapse_unions(errors: Sequence[Mapping[str, Any]], data: Any = None) -> list[dict[str, Any]]:
    """The errors of the union branch that fits the data at each union, branch labels removed from `loc`."""
    pending = [dict(error, loc=tuple(error["loc"])) for error in errors]
    while True:
        labelled = [(error, _first_label(error, data)) for error in pending]
        if all(at is None for _, at in labelled):
            return pending
        # Collapse the outermost unions first; inner ones come up again on the next pass.
        depth = min(at for _, at in labelled if at is not None)
        groups: dict[Loc, dict[str | int, list[dict[str, Any]]]] = {}
        kept: list[dict[str, Any] | Loc] = []
        for error, at in labelled:
            if at != depth:
                kept.append(error)
                continue
            prefix = error["loc"][:at]
            if prefix not in groups:
                groups[prefix] = {}
                kept.append(prefix)  # the chosen branch's errors take the place of its first error
            groups[prefix].setdefault(error["loc"][at], []).append(error)
        pending = []
        for item in kept:
            if isinstance(item, dict):
                pending.append(item)
                continue
            branch = _best_branch(groups[item], _value_at(data, item), len(item))
            pending.extend(dict(error, loc=item + error["loc"][len(item) + 1 :]) for error in branch)


def _first_label(error: Mapping[str, Any], data: Any) -> int | None:
    loc: Loc = error["loc"]
    here = data
    for index, part in enumerate(loc):
        if isinstance(part, str) and _is_branch_label(part, here, last=index == len(loc) - 1, kind=error["type"]):
            return index
        here = _step_into(here, part)
    return None


def _is_branch_label(part: str, here: Any, *, last: bool, kind: str) -> bool:
    if part[:1].isupper() or part in _PLAIN_LABELS or _BRACKETED_LABEL.match(part):
        return True
    # A tagged union's branch is labelled by its tag ("phrase_said"): a value of the mapping, not one of its keys.
    if isinstance(here, Mapping) and part not in here and not (last and kind == "missing"):
        return any(value == part for value in here.values() if isinstance(value, str))
    return False


def _best_branch(branches: Mapping[str | int, list[dict[str, Any]]], value: Any, depth: int) -> list[dict[str, Any]]:
    """The branch whose complaints say least that the value is not of its shape: fewest, in pydantic's order."""
    scalar = not isinstance(value, Mapping | list)

    def misfit(errors: list[dict[str, Any]]) -> tuple[bool, int]:
        at_root = [e for e in errors if len(e["loc"]) == depth + 1]
        wrong_shape = any(e["type"] in _SHAPE_TYPES or (e["type"] in _NOT_A_CHOICE and not scalar) for e in at_root)
        return wrong_shape, len(errors)

    return min(branches.values(), key=misfit)


def _step_into(value: Any, part: str | int) -> Any:
    if isinstance(part, int) and isinstance(value, list):
        return value[part] if -len(value) <= part < len(value) else None
    if isinstance(value, Mapping):
        return value.get(part)
    return None


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = _step_into(data, part)
    return data


# --- words -----------------------------------------------------------------------------------------------------


def humanize(key: str) -> str:
    """A key as words: "call_limit" → "Call limit"."""
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def _title(prop: Mapping[str, Any] | None, key: str) -> str:
    title = prop.get("title") if prop else None
    # Pydantic's generated title ("Call Limit") reads as a heading; sentences want "Call limit".
    if not isinstance(title, str) or title == key.replace("_", " ").title():
        return humanize(key)
    return title


def _resolve(node: Any, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not isinstance(node, Mapping):
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(root.get("$defs", {}).get(ref.removeprefix("#/$defs/")), root)
    return node


def _options(node: Any, root: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The schemas a value at `node` may take (a union's branches, flattened)."""
    resolved = _resolve(node, root)
    branches = [*resolved.get("anyOf", []), *resolved.get("oneOf", []), *resolved.get("allOf", [])]
    if not branches:
        return [resolved]
    return [option for branch in branches for option in _options(branch, root)]


def _child(node: Any, part: str | int, root: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for option in _options(node, root):
        if isinstance(part, int):
            items = option.get("items")
            if isinstance(items, Mapping):
                return items
        else:
            prop = option.get("properties", {}).get(part)
            if isinstance(prop, Mapping):
                return prop
    return None


def _item_noun(list_prop: Mapping[str, Any] | None, list_key: str | int | None) -> str:
    noun = list_prop.get("item_noun") if list_prop else None
    if isinstance(noun, str):
        return noun
    title = _title(list_prop, list_key) if isinstance(list_key, str) else "item"
    title = title.lower()
    return title[:-1] if title.endswith("s") and not title.endswith("ss") else title


def _item_name(item: Any) -> str | None:
    if isinstance(item, Mapping):
        for key in ("title", "name", "id"):
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def place_words(loc: Loc, *, schema: Mapping[str, Any] | None, data: Any) -> list[str]:
    """The words of each step of `loc`: a field's title, a list item's noun and name ("criterion 'Short calls'")."""
    root = schema or {}
    node: Any = root
    parent_prop: Mapping[str, Any] | None = None
    parent_key: str | int | None = None
    value = data
    words: list[str] = []
    for part in loc:
        child = _child(node, part, root) if node is not None else None
        value = _step_into(value, part)
        if isinstance(part, int):
            noun = _item_noun(parent_prop, parent_key)
            name = _item_name(value)
            words.append(f"{noun} '{name}'" if name else f"{noun} {part + 1}")
        else:
            words.append(_title(child, part))
        parent_prop, parent_key, node = child, part, child
    return words


def _subject(loc: Loc, words: Sequence[str]) -> str:
    """What a sentence is about: the field, and where it sits when that is not the top level."""
    if not words:
        return ""
    leaf = _cap(words[-1])
    # A list item's own words already say which list it is in ("recipient 2", not "recipient 2 in Recipients").
    context = words[:-2] if isinstance(loc[-1], int) else words[:-1]
    return f"{leaf} in {context[-1]}" if context else leaf


def _quote_choices(expected: str) -> str:
    return expected.replace("'", "")


def _with_stop(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence_of(
    error: Mapping[str, Any],
    loc: Loc | None = None,
    *,
    schema: Mapping[str, Any] | None = None,
    data: Any = None,
    owner: str | None = None,
) -> str:
    """One error as one sentence naming its field (its union already collapsed: `loc` has no branch labels)."""
    loc = tuple(error["loc"]) if loc is None else loc
    kind = str(error["type"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "extra_forbidden" and loc:
        where = place_words(loc[:-1], schema=schema, data=data)
        inside = where[-1] if where else owner
        return f"Unknown setting '{loc[-1]}'" + (f" in {inside}." if inside else ".")
    words = place_words(loc, schema=schema, data=data)
    subject = _subject(loc, words) or (_cap(owner) if owner else "")
    predicate = _predicate(kind, ctx, str(error.get("msg", "")))
    if predicate is None:
        # A validator's own words are kept as written; the field they are about is shown with them (under the
        # field, or by its path). Only a list item's own check says which item, since nothing else can.
        message = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        own_check_of_an_item = bool(loc) and isinstance(loc[-1], int) and isinstance(_value_at(data, loc), Mapping)
        return _with_stop(f"{subject}: {message}") if own_check_of_an_item and subject else message
    return _with_stop(f"{subject} {predicate}" if subject else _cap(predicate.removeprefix("is ")))


def _predicate(kind: str, ctx: Mapping[str, Any], message: str) -> str | None:
    """What is wrong, after the field's name ("is required"); None for a validator's own message."""
    match kind:
        case "missing":
            return "must be set"
        case "string_too_short":
            n = ctx.get("min_length", 1)
            return "must be set" if n == 1 else f"must have at least {n} characters"
        case "string_too_long":
            return f"can have at most {ctx.get('max_length')} characters"
        case "too_short":
            n = ctx.get("min_length", 1)
            return "must have at least one entry" if n == 1 else f"must have at least {n} entries"
        case "too_long":
            return f"can have at most {ctx.get('max_length')} entries"
        case "greater_than_equal":
            return f"must be {ctx.get('ge')} or more"
        case "greater_than":
            return f"must be more than {ctx.get('gt')}"
        case "less_than_equal":
            return f"must be {ctx.get('le')} or less"
        case "less_than":
            return f"must be less than {ctx.get('lt')}"
        case "literal_error" | "enum":
            return f"must be {_quote_choices(str(ctx.get('expected', '')))}"
        case "string_pattern_mismatch":
            return _PATTERN_WORDS.get(str(ctx.get("pattern")), "is not in the expected form")
        case "int_parsing" | "int_type" | "int_from_float":
            return "must be a whole number"
        case "float_parsing" | "float_type" | "decimal_parsing" | "decimal_type" | "finite_number":
            return "must be a number"
        case "bool_parsing" | "bool_type":
            return "must be on or off (true or false)"
        case "string_type":
            return "must be text"
        case "list_type" | "tuple_type" | "set_type":
            return "must be a list"
        case "dict_type" | "model_type" | "model_attributes_type" | "dataclass_type":
            return "must be a group of settings, not a single value"
        case "union_tag_invalid":
            choices = _quote_choices(str(ctx.get("expected_tags", "")))
            return f"has an unknown kind '{ctx.get('tag')}' (use one of {choices})"
        case "union_tag_not_found":
            return f"needs its '{ctx.get('discriminator', 'kind').strip(chr(39))}'"
        case "decimal_max_places" | "decimal_max_digits" | "decimal_whole_digits":
            return "has too many digits"
        case "value_error" | "assertion_error":
            return None
    return f"is not valid: {message[:1].lower()}{message[1:]}" if message else "is not valid"
