#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""schema_tool.py - the JSON output of xdp-router, described once.

docs/schema/*.json describe what each command prints with --json, in a small
subset of JSON Schema: type (one or a list of: object, array, string,
integer, number, boolean, null), properties, required,
additionalProperties (false, or a schema for the other members), items,
enum, minimum, oneOf, plus title/description/command/unit for the
documentation. docs/json.md is generated from them, and the tests validate
real output against them, so the document, the schemas and the binary
cannot drift apart.

  schema_tool.py validate SCHEMA [FILE]   FILE (default stdin) is one JSON
                                          document, or one per line
  schema_tool.py markdown                 print docs/json.md
  schema_tool.py check-markdown           docs/json.md is up to date
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, "..", "json.md")
TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool,
    "null": type(None),
}


def type_ok(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def check(value, schema, path="$"):
    """Returns a list of problems ("PATH: what")."""
    if "oneOf" in schema:
        results = [check(value, s, path) for s in schema["oneOf"]]
        if sum(1 for r in results if not r) != 1:
            best = min(results, key=len)
            return [f"{path}: matches {sum(1 for r in results if not r)} "
                    f"of the oneOf shapes; closest: {'; '.join(best)}"]
        return []
    errs = []
    types = schema.get("type")
    if types:
        types = types if isinstance(types, list) else [types]
        if not any(type_ok(value, t) for t in types):
            return [f"{path}: {json.dumps(value)[:60]} is not {'/'.join(types)}"]
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{path}: {value!r} not one of {schema['enum']}")
    if "minimum" in schema and isinstance(value, (int, float)) \
            and value < schema["minimum"]:
        errs.append(f"{path}: {value} < {schema['minimum']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errs.append(f"{path}: no member '{key}'")
        extra = schema.get("additionalProperties", True)
        for key, member in value.items():
            if key in props:
                errs += check(member, props[key], f"{path}.{key}")
            elif extra is False:
                errs.append(f"{path}: unexpected member '{key}'")
            elif isinstance(extra, dict):
                errs += check(member, extra, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errs += check(item, schema["items"], f"{path}[{i}]")
    return errs


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def validate(schema_path, lines):
    schema = load(schema_path)
    n = 0
    try:	# one document over several lines (--pretty)
        lines = [json.dumps(json.loads("\n".join(lines)))]
    except json.JSONDecodeError:
        pass
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as e:
            print(f"line {lineno}: not JSON ({e}): {line[:100]!r}", file=sys.stderr)
            return 1
        errs = check(doc, schema)
        if errs:
            print(f"{os.path.basename(schema_path)}, line {lineno}: " +
                  "\n  ".join(errs[:10]), file=sys.stderr)
            return 1
        n += 1
    if not n:
        print(f"{os.path.basename(schema_path)}: no document to validate",
              file=sys.stderr)
        return 1
    return 0


# ---- markdown

def type_name(schema):
    if "oneOf" in schema:
        return " or ".join(type_name(s) for s in schema["oneOf"])
    t = schema.get("type", "any")
    t = " or ".join(t) if isinstance(t, list) else t
    if t == "array" and "items" in schema:
        t = f"array of {type_name(schema['items'])}"
    if "enum" in schema:
        t += ": " + ", ".join(f"`{json.dumps(e)}`" for e in schema["enum"])
    return t


def rows(schema, prefix, out):
    """Table rows for the members of an object schema, nested ones dotted."""
    if schema.get("type") == "array" or "items" in schema:
        schema = schema.get("items", {})
        prefix += "[]"
    for key, sub in schema.get("properties", {}).items():
        name = f"{prefix}.{key}" if prefix else key
        req = "" if key in schema.get("required", []) else " (optional)"
        unit = f" Unit: {sub['unit']}." if "unit" in sub else ""
        out.append(f"| `{name}` | {type_name(sub)}{req} | "
                   f"{sub.get('description', '')}{unit} |")
        if "properties" in sub or "properties" in sub.get("items", {}):
            rows(sub, name, out)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        name = f"{prefix}.*" if prefix else "*"
        out.append(f"| `{name}` | {type_name(extra)} | "
                   f"{extra.get('description', '')} |")
        rows(extra, name, out)


def markdown():
    out = [
        "# JSON output",
        "",
        "<!-- Generated by docs/schema/schema_tool.py markdown from",
        "     docs/schema/*.json: edit those, then regenerate. -->",
        "",
        "Every command that prints has a JSON form: `xdp-router --json "
        "COMMAND` (or `-j`; `-p`/`--pretty` indents it). One document per "
        "line: one for most commands, one per sample or event for those "
        "that keep running (`stats --interval`, `populate --watch`, "
        "`lb watch`). Failures print one error object on standard output "
        "and exit 1. `COMMAND --help` is text for people, and `lb export` "
        "prints YAML (its JSON equivalent is `lb show`); "
        "`stats --prometheus` writes its file and prints nothing.",
        "",
        "The shapes below are checked against the real output by the tests "
        "(`docs/schema/*.json`, `netns-tests/test_json_schema.sh`). "
        "Counters are unsigned 64-bit integers that only grow while the "
        "router stays loaded; members are never removed in a later version, "
        "new ones may be added.",
        "",
    ]
    for path in sorted(glob.glob(os.path.join(HERE, "*.json")),
                       key=lambda p: (load(p).get("order", 99), p)):
        s = load(path)
        out += [f"## {s['title']}", "", f"`{s['command']}`", "",
                s.get("description", ""), "",
                f"Shape: {type_name(s)}. Schema: "
                f"[`schema/{os.path.basename(path)}`]"
                f"(schema/{os.path.basename(path)}).", ""]
        shapes = s["oneOf"] if "oneOf" in s else [s]
        for shape in shapes:
            if "title" in shape and shape is not s:
                out += [f"**{shape['title']}**", ""]
            table = []
            rows(shape, "", table)
            if table:
                out += ["| member | type | meaning |", "|---|---|---|"]
                out += table + [""]
        if "example" in s:
            out += ["```json", s["example"], "```", ""]
    return "\n".join(out).rstrip() + "\n"


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "validate":
        if len(sys.argv) > 3:
            with open(sys.argv[3], encoding="utf-8") as f:
                return validate(sys.argv[2], f.read().splitlines())
        return validate(sys.argv[2], sys.stdin.read().splitlines())
    if cmd == "markdown":
        sys.stdout.write(markdown())
        return 0
    if cmd == "check-markdown":
        with open(DOC, encoding="utf-8") as f:
            if f.read() != markdown():
                print("docs/json.md is out of date: run "
                      "docs/schema/schema_tool.py markdown > docs/json.md",
                      file=sys.stderr)
                return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
