"""Parse content files into records, collecting every problem with its file and line.

YAML is parsed twice on purpose: ``yaml.compose`` gives each key's line for error
messages, ``yaml.safe_load`` gives the values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# libyaml's C parser when installed (it is, with PyYAML wheels): ~10x faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ContentError(Exception):
    """content/ is broken; ``problems`` lists each problem with its file and line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            "content/ has problems:\n" + "\n".join(f"  {problem}" for problem in problems)
        )


@dataclass
class Record:
    """One mapping read from a file: its values and the line of each key."""

    path: str
    data: dict
    lines: dict[str, int]
    first_line: int = 1

    def line(self, key: str) -> int:
        return self.lines.get(key, self.first_line)


class Reader:
    def __init__(self, content_dir: Path):
        self.root = content_dir
        self.problems: list[Problem] = []

    def problem(self, path: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def rel(self, path: Path) -> str:
        return str(Path(self.root.name) / path.relative_to(self.root))

    # -- parsing -----------------------------------------------------------------

    def read_text(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.problem(self.rel(path), None, f"not UTF-8 text (bad byte at offset {exc.start})")
            return None

    def read_yaml(self, path: Path, text: str, line_offset: int = 0) -> tuple[bool, object, object]:
        """Parse YAML into (ok, node, value); ok is False after a reported problem."""
        rel = self.rel(path)
        try:
            node = yaml.compose(text, Loader=YAML_LOADER)
            value = yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 (a safe loader)  # nosec B506
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 + line_offset if mark else None
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(rel, line, f"invalid YAML: {reason}")
            return False, None, None
        # PyYAML keeps the last of two equal keys without a word; in reviewed content a
        # repeated key is always a mistake.
        duplicates = list(_duplicate_keys(node))
        for key, line in duplicates:
            self.problem(rel, line + 1 + line_offset, f"duplicate key '{key}'")
        return not duplicates, node, value

    def read_front_matter(self, path: Path) -> tuple[Record | None, str]:
        text = self.read_text(path)
        if text is None:
            return None, ""
        rel = self.rel(path)
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            self.problem(rel, 1, "no YAML front matter: the file must start with a line '---'")
            return None, ""
        try:
            end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
        except StopIteration:
            self.problem(rel, 1, "front matter is not closed by a line '---'")
            return None, ""
        ok, node, data = self.read_yaml(path, "\n".join(lines[1:end]), line_offset=1)
        if not ok:
            return None, ""
        if not isinstance(data, dict):
            self.problem(rel, 2, "front matter must be a mapping of fields")
            return None, ""
        record = Record(rel, data, _key_lines(node, offset=2), first_line=1)
        return record, "\n".join(lines[end + 1 :])

    def check_fields(self, record: Record, spec: dict) -> bool:
        ok = True
        for name, (types, required) in spec.items():
            if name not in record.data:
                if required:
                    self.problem(record.path, record.first_line, f"missing field '{name}'")
                    ok = False
                continue
            value = record.data[name]
            # bool is an int in Python; a "yes" in an int field is still a mistake
            if not isinstance(value, types) or (isinstance(value, bool) and types is int):
                self.problem(record.path, record.line(name), f"field '{name}' {_expected(types)}")
                ok = False
        for name in record.data.keys() - spec.keys():
            self.problem(record.path, record.line(name), f"unknown field '{name}'")
            ok = False
        slug = record.data.get("slug")
        if isinstance(slug, str) and not SLUG_RE.match(slug):
            self.problem(
                record.path,
                record.line("slug"),
                f"slug '{slug}' must be lowercase-with-dashes",
            )
            ok = False
        return ok

    def check_string_list(self, record: Record, key: str) -> tuple[str, ...]:
        values = record.data.get(key) or []
        if not all(isinstance(v, str) and v.strip() for v in values):
            self.problem(record.path, record.line(key), f"field '{key}' must list non-empty text")
            return ()
        return tuple(values)

    # -- files -------------------------------------------------------------------

    def read_list_file(self, name: str, key: str, spec: dict) -> list[Record]:
        path = self.root / name
        if not path.exists():
            self.problem(self.rel(path), None, "file is missing")
            return []
        text = self.read_text(path)
        if text is None:
            return []
        ok, node, data = self.read_yaml(path, text)
        if not ok:
            return []
        items = data.get(key) if isinstance(data, dict) else None
        if not isinstance(items, list):
            self.problem(self.rel(path), 1, f"the file must hold a list under '{key}:'")
            return []
        item_nodes = _mapping_value(node, key).value
        records = []
        for item, item_node in zip(items, item_nodes, strict=True):
            first_line = item_node.start_mark.line + 1
            if not isinstance(item, dict):
                self.problem(self.rel(path), first_line, "each entry must be a mapping")
                continue
            record = Record(self.rel(path), item, _key_lines(item_node, 1), first_line)
            if self.check_fields(record, spec):
                records.append(record)
        return records


def _duplicate_keys(node):
    """Yield (key, 0-based line) for each key repeated within one mapping, at any depth."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                yield key.value, key.start_mark.line
            seen.add(key.value)
            yield from _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item)


def _key_lines(node, offset: int) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + offset for key, _ in node.value}


def _mapping_value(node, key: str):
    return next(value for k, value in node.value if k.value == key)


def _expected(types) -> str:
    names = {
        str: "text",
        int: "a whole number",
        list: "a list",
        bool: "true or false",
        dict: "a mapping of names to values",
    }
    if isinstance(types, tuple):
        return "must be " + " or ".join(names.get(t, "empty") for t in types)
    return f"must be {names[types]}"
