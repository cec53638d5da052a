"""Journey files: YAML and JSON, versioned schema, strict and safe.

A journey file is a mapping with ``version: 1``, an optional ``name``, ``currency`` (such
as ``EUR``) and ``period`` (``year``, ``quarter``, ``month``, ``week`` or ``day``: what the
journey's money is counted per), and one list per
entity kind (``stages``, ``touchpoints``, ``personas``, ``owners``, ``pain_points``,
``improvements``). Each item is a mapping whose keys are the attribute names of the
model class. Improvement quantities are a number, an estimate mapping
(``{low: 2, likely: 4, high: 12}``, ``{low: 2, high: 12}``, ``{tshirt: M}``,
``{point: 5}``) or the estimate shorthand (``"2..4..12"``).

The JSON Schema of the format ships with the package (:func:`journey_schema`), so
editors can check journey files as they are typed.

Loading is safe: YAML is read with a safe loader (tags that would build Python objects
are refused), duplicate keys are an error, unknown keys are an error, and nothing in the
file is ever evaluated. Errors about a file say where: ``line`` and ``column`` (1-based,
None when unknown) on the error and on each of its ``problems``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import yaml

from frictionkit._atomic import write_text
from frictionkit.estimates import Estimate
from frictionkit.exceptions import (
    FileAccessError,
    FrictionkitError,
    SchemaError,
    did_you_mean,
)
from frictionkit.io.frames import QUANTITY_FIELDS
from frictionkit.model import ENTITIES, Journey, require_journey
from frictionkit.model._frames import _prefixed

__all__ = [
    "SCHEMA_VERSION",
    "journey_from_dict",
    "journey_schema",
    "journey_to_dict",
    "load_journey",
    "save_journey",
]

#: The journey file format version this frictionkit reads and writes.
SCHEMA_VERSION = 1
_TOP_KEYS = ("version", "name", *ENTITIES, "currency", "period")
_YAML_SUFFIXES = (".yaml", ".yml")
_JSON_SUFFIXES = (".json",)

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML loader that refuses duplicate keys."""


_MERGE_TAG = "tag:yaml.org,2002:merge"

# Unicode line breaks (NEL, LS, PS). PyYAML writes them raw inside single-quoted or plain
# text when allow_unicode is on, and reading folds a raw NEL into a space: such text is
# written double-quoted, where they are escaped.
_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


class _Dumper(yaml.SafeDumper):
    """The safe dumper, with text holding Unicode line breaks written double-quoted."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if any(ch in data for ch in _UNICODE_BREAKS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


_Dumper.add_representer(str, _represent_str)


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
    # Duplicates are looked for among the keys written in this mapping; keys merged in
    # with "<<: *anchor" may be overridden, as YAML intends.
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            raise SchemaError(
                f"a key on line {key_node.start_mark.line + 1} is a "
                f"{'list' if isinstance(key_node, yaml.SequenceNode) else 'mapping'}; "
                "keys of a journey file are names",
                field="key",
                value=key_node.start_mark.line + 1,
                hint="Write plain keys such as 'id' or 'stages'",
                line=key_node.start_mark.line + 1,
                column=key_node.start_mark.column + 1,
            )
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise SchemaError(
                f"duplicate key {key!r} on line {key_node.start_mark.line + 1} (first on "
                f"line {seen[key] + 1}); YAML would silently keep only the last one",
                field=str(key),
                value=key,
                hint="Remove or rename one of them",
                line=key_node.start_mark.line + 1,
                column=key_node.start_mark.column + 1,
            )
        seen[key] = key_node.start_mark.line
    loader.flatten_mapping(node)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

#: Deepest nesting a journey file may have (a real one nests about 5 levels).
MAX_DEPTH = 64
#: Most values a journey file may hold once YAML aliases are expanded.
MAX_NODES = 2_000_000


def _too_big(source: str, what: str, hint: str) -> SchemaError:
    return SchemaError(f"{source}: {what}", field="document", value=what, hint=hint)


def _check_nodes(root: yaml.Node, source: str) -> None:
    """Refuse YAML node graphs that are too deep, cyclic, or expand without bound.

    Aliases let a short document stand for a huge one ("billion laughs"): the node graph
    is walked once, iteratively, counting each alias as the size of what it expands to.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children: list[yaml.Node]
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if depth[key] > MAX_DEPTH:
                raise _too_big(
                    source,
                    f"the document nests deeper than {MAX_DEPTH} levels",
                    "A journey file nests a few levels (journey, list, item, estimate)",
                )
            if size[key] > MAX_NODES:
                raise _too_big(
                    source,
                    f"YAML aliases expand the document to more than {MAX_NODES:,} values",
                    "Remove the anchors (&) and aliases (*) or write the values out",
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise _too_big(
                source,
                "a YAML alias refers to a value that contains it (a cycle)",
                "Remove the recursive alias",
            )
        if len(on_path) >= MAX_DEPTH:
            raise _too_big(
                source,
                f"the document nests deeper than {MAX_DEPTH} levels",
                "A journey file nests a few levels (journey, list, item, estimate)",
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def _check_depth(data: Any, source: str) -> None:
    """Refuse parsed JSON deeper than :data:`MAX_DEPTH` (iteratively, no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if level > MAX_DEPTH:
            raise _too_big(
                source,
                f"the document nests deeper than {MAX_DEPTH} levels",
                "A journey file nests a few levels (journey, list, item, estimate)",
            )
        if isinstance(value, Mapping):
            stack.extend((v, level + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, level + 1) for v in value)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SchemaError(
                f"duplicate key {key!r} in a JSON object; JSON readers would silently keep "
                "only the last one",
                field=key,
                value=key,
                hint="Remove or rename one of them",
            )
        out[key] = value
    return out


def _load_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (which knows the line and column of each value)."""
    # The event stream is produced without recursion; the composer that builds nodes from
    # it recurses (in C with libyaml), so nesting is bounded before composing.
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_big(
                    source,
                    f"the document nests deeper than {MAX_DEPTH} levels",
                    "A journey file nests a few levels (journey, list, item, estimate)",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_nodes(node, source)
        return loader.construct_document(node), node
    finally:
        loader.dispose()


def unreadable(path: Path, err: OSError, field: str = "path") -> FileAccessError:
    """The error for a file the system would not let us read (a folder, permissions)."""
    if isinstance(err, IsADirectoryError) or path.is_dir():
        return FileAccessError(
            f"{str(path)!r} is a folder, not a file",
            field=field,
            value=str(path),
            hint="give the name of a file inside that folder",
        )
    reason = err.strerror or str(err) or type(err).__name__
    return FileAccessError(
        f"cannot read {str(path)!r}: {reason}",
        field=field,
        value=str(path),
        hint="check the file's permissions"
        if isinstance(err, PermissionError)
        else "check that the file exists and can be read",
    )


def _plain(value: float) -> int | float:
    """Integral floats are written as integers, for readable files (read back as floats)."""
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def journey_to_dict(journey: Journey) -> dict[str, Any]:
    """The file form of a journey, as plain Python data (defaults left out).

    Examples
    --------
    >>> import frictionkit as fk
    >>> d = journey_to_dict(fk.datasets.load_autoparts())
    >>> d["version"], d["stages"][0]
    (1, {'id': 'discovery', 'name': 'Discovery'})
    """
    out: dict[str, Any] = {"version": SCHEMA_VERSION}
    if journey.name is not None:
        out["name"] = journey.name
    for key in ("currency", "period"):
        if getattr(journey, key) is not None:
            out[key] = getattr(journey, key)
    for kind in ENTITIES:
        items = []
        for item in getattr(journey, kind):
            entry: dict[str, Any] = {}
            for f in attrs.fields(type(item)):
                value = getattr(item, f.name)
                if value == f.default and f.name != "id":
                    continue
                if isinstance(value, Estimate):
                    value = {
                        k: _plain(v) if isinstance(v, float) else v
                        for k, v in value.to_dict().items()
                    }
                elif isinstance(value, tuple):
                    value = list(value)
                elif isinstance(value, float):
                    value = _plain(value)
                entry[f.name] = value
            items.append(entry)
        if items:
            out[kind] = items
    return out


def _quantity_from_file(value: Any, where: str) -> Any:
    if isinstance(value, Mapping):
        return Estimate.from_dict(value, field=where)
    if isinstance(value, str):
        return Estimate.parse(value)
    return value


class _Places:
    """Line and column (1-based) of the parts of a journey file, from its YAML node tree.

    Errors found while building the journey are placed by what they are about: a
    top-level key, an entity (``touchpoints[3]``) or one of its keys; errors of the
    journey as a whole (unknown references, duplicate ids) by their ``field`` and
    ``value``: the entity kind of the field's class, and the item holding that value.
    """

    def __init__(self, root: yaml.Node | None) -> None:
        self.top: dict[str, yaml.Node] = {}
        if isinstance(root, yaml.MappingNode):
            self.top = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
        self.keys: dict[str, yaml.Node] = {}
        if isinstance(root, yaml.MappingNode):
            self.keys = {k.value: k for k, _ in root.value if isinstance(k, yaml.ScalarNode)}

    @classmethod
    def of_text(cls, text: str) -> _Places:
        """From the text of a YAML or JSON file; knows nothing when it cannot be read."""
        try:
            return cls(yaml.compose(text, Loader=yaml.SafeLoader))
        except Exception:  # the loader's own message already says what is wrong
            return cls(None)

    @staticmethod
    def _at(node: yaml.Node | None) -> tuple[int | None, int | None]:
        if node is None:
            return None, None
        return int(node.start_mark.line) + 1, int(node.start_mark.column) + 1

    def key(self, name: str) -> tuple[int | None, int | None]:
        """A top-level key."""
        return self._at(self.keys.get(name))

    def value(self, name: str) -> tuple[int | None, int | None]:
        """The value of a top-level key."""
        return self._at(self.top.get(name))

    def item(self, kind: str, pos: int, attr: str | None = None) -> tuple[int | None, int | None]:
        """Entity ``pos`` of ``kind``, or its key ``attr`` when it has one."""
        seq = self.top.get(kind)
        if not isinstance(seq, yaml.SequenceNode) or pos >= len(seq.value):
            return self._at(seq)
        node = seq.value[pos]
        if attr is not None and isinstance(node, yaml.MappingNode):
            for key, _ in node.value:
                if getattr(key, "value", None) == attr:
                    return self._at(key)
        return self._at(node)

    def problem(self, err: FrictionkitError) -> tuple[int | None, int | None]:
        """A problem of the journey as a whole, found by its field and value."""
        kinds = {cls.__name__: kind for kind, cls in ENTITIES.items()}
        cls_name, _, attr = (err.field or "").partition(".")
        if cls_name == "Journey" and attr in self.top:  # duplicate ids: the second one
            kind, attr, nth = attr, "id", 2
        elif cls_name in kinds and kinds[cls_name] in self.top:
            kind, nth = kinds[cls_name], 1
        else:
            return None, None
        seq = self.top[kind]
        if not isinstance(seq, yaml.SequenceNode):
            return self._at(seq)
        values = err.value if isinstance(err.value, tuple) else (err.value,)
        wanted = {str(v) for v in values}
        hits = 0
        for node in seq.value:
            if not isinstance(node, yaml.MappingNode):
                continue
            for key, value in node.value:
                if getattr(key, "value", None) != attr:
                    continue
                found = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for v in found:
                    if isinstance(v, yaml.ScalarNode) and v.value in wanted:
                        hits += 1
                        if hits == nth:
                            return self._at(v)
        return self._at(seq)


def _placed(err: FrictionkitError, where: tuple[int | None, int | None]) -> FrictionkitError:
    """Set the error's line and column (unless already known); returns it."""
    if err.line is None:
        err.line, err.column = where
    return err


def journey_from_dict(data: Any, *, source: str = "journey") -> Journey:
    """Build a journey from its file form (see the module docs for the format).

    Parameters
    ----------
    data : mapping
        As read from YAML or JSON.
    source : str
        Where the data came from, for messages.

    Returns
    -------
    Journey

    Raises
    ------
    SchemaError
        Not a mapping, wrong or missing version, unknown keys (allowed keys listed).
    FrictionkitError
        Any validation error of the model, prefixed with the entity's position and id.
    """
    return _journey_from_data(data, source, _Places(None))


def _journey_from_data(data: Any, source: str, places: _Places) -> Journey:
    """:func:`journey_from_dict`, placing each error in the file that ``places`` knows."""
    if not isinstance(data, Mapping):
        raise SchemaError(
            f"{source}: a journey file holds a mapping (version, name, stages, …), got "
            f"{type(data).__name__}",
            field="document",
            value=type(data).__name__,
            hint="Start the file with 'version: 1' and list stages, touchpoints, …",
        )
    unknown = [str(k) for k in data if k not in _TOP_KEYS]
    if unknown:
        raise _placed(
            SchemaError(
                f"{source}: unknown key {unknown[0]!r}" + did_you_mean(unknown[0], _TOP_KEYS),
                field=unknown[0],
                value=unknown[0],
                hint=f"Allowed keys: {', '.join(_TOP_KEYS)}",
            ),
            places.key(unknown[0]),
        )
    version = data.get("version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise _placed(
            SchemaError(
                f"{source}: unsupported journey file version {version!r}; this frictionkit "
                f"reads version {SCHEMA_VERSION}",
                field="version",
                value=version,
                hint=f"Add 'version: {SCHEMA_VERSION}' at the top"
                if version is None
                else "Upgrade frictionkit or convert the file",
            ),
            places.value("version"),
        )
    entities: dict[str, Any] = {}
    for kind, cls in ENTITIES.items():
        raw = data.get(kind)
        if raw is None:
            continue
        if not isinstance(raw, list):
            raise _placed(
                SchemaError(
                    f"{source}: {kind} must be a list, got {type(raw).__name__}",
                    field=kind,
                    value=type(raw).__name__,
                ),
                places.value(kind),
            )
        allowed = [f.name for f in attrs.fields(cls) if f.init]
        items = []
        for pos, entry in enumerate(raw):
            where = f"{kind}[{pos}]"
            if isinstance(entry, Mapping) and "id" in entry:
                where += f" (id {entry['id']!r})"
            if not isinstance(entry, Mapping):
                raise _placed(
                    SchemaError(
                        f"{source}: {where} must be a mapping of fields, got {entry!r}",
                        field=kind,
                        value=entry,
                    ),
                    places.item(kind, pos),
                )
            bad = [str(k) for k in entry if k not in allowed]
            if bad:
                raise _placed(
                    SchemaError(
                        f"{source}: {where} has unknown key {bad[0]!r}"
                        + did_you_mean(bad[0], allowed),
                        field=f"{cls.__name__}.{bad[0]}",
                        value=bad[0],
                        hint=f"Allowed keys: {', '.join(allowed)}",
                    ),
                    places.item(kind, pos, bad[0]),
                )
            kwargs = dict(entry)
            try:
                if kind == "improvements":
                    for q in QUANTITY_FIELDS:
                        if q in kwargs:
                            kwargs[q] = _quantity_from_file(kwargs[q], f"{where}.{q}")
                items.append(cls(**kwargs))
            except FrictionkitError as err:
                attr = (err.field or "").partition(".")[2] or None
                raise _placed(
                    _prefixed(err, f"{source}: {where}"), places.item(kind, pos, attr)
                ) from err
            except TypeError as err:  # a required key is missing
                required = [
                    f.name for f in attrs.fields(cls) if f.init and f.default is attrs.NOTHING
                ]
                missing = [k for k in required if k not in entry]
                raise _placed(
                    SchemaError(
                        f"{source}: {where} lacks required key(s) {', '.join(missing)}",
                        field=f"{cls.__name__}.{missing[0] if missing else '?'}",
                        value=missing,
                        hint=f"Required keys: {', '.join(required)}",
                    ),
                    places.item(kind, pos),
                ) from err
        entities[kind] = items
    name = data.get("name")
    try:
        return Journey(
            **entities, name=name, currency=data.get("currency"), period=data.get("period")
        )
    except FrictionkitError as err:
        for problem in (err, *err.problems):
            _placed(problem, places.problem(problem))
        raise _prefixed(err, source) from err


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _YAML_SUFFIXES + _JSON_SUFFIXES:
        raise SchemaError(
            f"cannot tell the format of {str(path)!r} from its suffix {suffix!r}",
            field="path",
            value=str(path),
            hint="Use .yaml, .yml or .json",
        )
    return suffix


def _reject_constant(name: str) -> Any:
    raise SchemaError(
        f"JSON value {name} is not allowed: numbers must be finite",
        field="value",
        value=name,
    )


def load_journey(path: str | os.PathLike[str]) -> Journey:
    """Read and validate a journey file (YAML or JSON, chosen by the suffix).

    Parameters
    ----------
    path : str or path-like
        A ``.yaml``, ``.yml`` or ``.json`` file.

    Returns
    -------
    Journey

    Raises
    ------
    SchemaError
        Unreadable YAML/JSON, a refused YAML tag, a duplicate or unknown key, a wrong
        version, a document that is not a mapping.
    FrictionkitError
        The journey does not validate; the message names the entity and field.

    Every error says where the problem is in the file: ``line`` and ``column`` (1-based;
    None when unknown), on the error and on each of its ``problems``.

    Notes
    -----
    A UTF-8 byte order mark is accepted. Documents nesting deeper than ``MAX_DEPTH`` (64)
    levels, YAML aliases that would expand beyond ``MAX_NODES`` values ("billion laughs")
    or refer to themselves, non-text keys and duplicate keys (YAML and JSON) are refused
    with a :class:`SchemaError`, before anything large is built.

    Examples
    --------
    >>> import frictionkit as fk
    >>> fk.save_journey(fk.datasets.load_autoparts(), "autoparts.yaml")
    >>> fk.load_journey("autoparts.yaml").name
    'Autoparts B2B supplier'
    """
    p = Path(path)
    suffix = _suffix(p)
    try:
        # utf-8-sig: a byte order mark, as some editors on Windows write, is dropped.
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SchemaError(f"no journey file at {str(p)!r}", field="path", value=str(p)) from None
    except UnicodeDecodeError as err:
        raise SchemaError(
            f"{p.name} is not UTF-8 text: {err.reason}", field="path", value=str(p)
        ) from None
    except OSError as err:
        raise unreadable(p, err) from None
    node: yaml.Node | None = None
    try:
        if suffix in _JSON_SUFFIXES:
            data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_json_object)
            _check_depth(data, p.name)
        else:
            data, node = _load_yaml(text, p.name)
    except FrictionkitError as err:
        raise err if err.message.startswith(p.name) else _prefixed(err, p.name) from None
    except RecursionError:
        raise SchemaError(
            f"{p.name}: the document nests too deeply to be read",
            field="document",
            value=str(p),
            hint="A journey file nests a few levels (journey, list, item, estimate)",
        ) from None
    except ValueError as err:
        if isinstance(err, json.JSONDecodeError):
            raise SchemaError(
                f"{p.name} is not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})",
                field="path",
                value=str(p),
                line=err.lineno,
                column=err.colno,
            ) from None
        # e.g. an integer of more than 4300 digits (Python's int-conversion limit)
        raise SchemaError(
            f"{p.name}: a value cannot be read: {err}", field="path", value=str(p)
        ) from None
    except yaml.constructor.ConstructorError as err:
        raise _placed(
            SchemaError(
                f"{p.name}: refused YAML content: {err.problem} {err.problem_mark or ''}".strip(),
                field="path",
                value=str(p),
                hint="Journey files are read with a safe loader: tags that build Python "
                "objects (!!python/…) are not allowed",
            ),
            _mark(err.problem_mark),
        ) from None
    except yaml.YAMLError as err:
        raise _placed(
            SchemaError(f"{p.name} is not valid YAML: {err}", field="path", value=str(p)),
            _mark(getattr(err, "problem_mark", None)),
        ) from None
    if node is not None or suffix not in _JSON_SUFFIXES:
        return _journey_from_data(data, p.name, _Places(node))
    try:
        return _journey_from_data(data, p.name, _Places(None))
    except FrictionkitError:
        # JSON is read without positions; they are looked up only to place the errors.
        return _journey_from_data(data, p.name, _Places.of_text(text))


def _mark(mark: Any) -> tuple[int | None, int | None]:
    """1-based line and column of a YAML mark (None when there is none)."""
    if mark is None:
        return None, None
    return int(mark.line) + 1, int(mark.column) + 1


def save_journey(journey: Journey, path: str | os.PathLike[str]) -> None:
    """Write a journey file (YAML or JSON, chosen by the suffix); loads back equal.

    The file is written to a temporary file in the same folder first and moved into
    place, so a failed write (a full disk, an interruption) leaves the previous file as
    it was. An existing file keeps its permission bits; a symbolic link is followed (the
    file it points at is replaced).

    Parameters
    ----------
    journey : Journey
    path : str or path-like
        A ``.yaml``, ``.yml`` or ``.json`` file; overwritten if it exists.

    Raises
    ------
    FileAccessError
        The folder does not exist, ``path`` is a folder, or the system refused the write
        (permissions, a full disk); the previous file is unchanged.

    Examples
    --------
    >>> import frictionkit as fk
    >>> j = fk.datasets.load_autoparts()
    >>> fk.save_journey(j, "autoparts.json")
    >>> fk.load_journey("autoparts.json") == j
    True
    """
    require_journey(journey, "save_journey")
    p = Path(path)
    suffix = _suffix(p)
    data = journey_to_dict(journey)
    if suffix in _JSON_SUFFIXES:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    else:
        header = (
            "# frictionkit journey file: https://frictionkit.readthedocs.io (schema version "
            f"{SCHEMA_VERSION})\n"
        )
        text = header + yaml.dump(
            data,
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
            default_flow_style=None,
        )
    write_text(p, text, field="path")


def journey_schema() -> dict[str, Any]:
    """The JSON Schema of journey files, as shipped with the package.

    Point your editor at it (for YAML, a ``# yaml-language-server: $schema=...`` line).
    The file itself is ``frictionkit/io/journey.schema.json``.

    Examples
    --------
    >>> journey_schema()["properties"]["version"]["const"]
    1
    """
    text = resources.files("frictionkit.io").joinpath("journey.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
