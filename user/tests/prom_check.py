#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""prom_check.py FILE [--dump] - validate a Prometheus text exposition file
(format 0.0.4, as node_exporter's textfile collector reads it).

Checks: every line is a HELP, TYPE, comment or sample line; metric and
label names are valid; label values use only the \\\\ \\" \\n escapes; a
family has at most one HELP and one TYPE, both before its samples, and its
samples are contiguous; no series appears twice; values are numbers;
counters are named *_total and are not negative; the file ends with a
newline. Also runs `promtool check metrics` when promtool is installed.

--dump prints the samples as JSON: {"name": [[{labels}, value], ...]}.
Exit status 0 when valid; 1 with the first problem on stderr.
"""
import json
import re
import shutil
import subprocess
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class Invalid(Exception):
    pass


def parse_labels(text, lineno):
    """'{a="x",b="y"}' (without the braces) -> dict."""
    labels, i = {}, 0
    while i < len(text):
        m = re.match(LABEL, text[i:])
        if not m:
            raise Invalid(f"line {lineno}: bad label name at '{text[i:]}'")
        name = m.group(0)
        i += len(name)
        if text[i:i + 2] != '="':
            raise Invalid(f"line {lineno}: label {name} without =\"value\"")
        i += 2
        value = []
        while True:
            if i >= len(text):
                raise Invalid(f"line {lineno}: unterminated label value")
            c = text[i]
            if c == "\\":
                esc = text[i + 1:i + 2]
                if esc not in ("\\", '"', "n"):
                    raise Invalid(f"line {lineno}: bad escape \\{esc}")
                value.append("\n" if esc == "n" else esc)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise Invalid(f"line {lineno}: newline in a label value")
            else:
                value.append(c)
                i += 1
        if name in labels:
            raise Invalid(f"line {lineno}: label {name} twice")
        labels[name] = "".join(value)
        if i < len(text):
            if text[i] != ",":
                raise Invalid(f"line {lineno}: expected ',' after label {name}")
            i += 1
    return labels


def split_sample(line, lineno):
    """'name{labels} value [ts]' -> (name, labels, value)."""
    m = re.match(NAME, line)
    if not m:
        raise Invalid(f"line {lineno}: bad metric name: {line!r}")
    name, rest = m.group(0), line[m.end():]
    labels = {}
    if rest.startswith("{"):
        # The closing brace: the first '}' outside a quoted value.
        i, quoted = 1, False
        while i < len(rest):
            if quoted and rest[i] == "\\":
                i += 2
                continue
            if rest[i] == '"':
                quoted = not quoted
            elif rest[i] == "}" and not quoted:
                break
            i += 1
        else:
            raise Invalid(f"line {lineno}: unterminated label set")
        labels = parse_labels(rest[1:i], lineno)
        rest = rest[i + 1:]
    fields = rest.split()
    if not rest.startswith(" ") or len(fields) not in (1, 2):
        raise Invalid(f"line {lineno}: expected ' value [timestamp]': {line!r}")
    try:
        value = float(fields[0])
        if len(fields) == 2:
            int(fields[1])
    except ValueError:
        raise Invalid(f"line {lineno}: bad number in {line!r}") from None
    return name, labels, value


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return name


def check(text):
    if text and not text.endswith("\n"):
        raise Invalid("the file does not end with a newline")
    helps, types, samples, seen = {}, {}, {}, set()
    done, current = set(), None
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not re.fullmatch(NAME, name):
                    raise Invalid(f"line {lineno}: bad metric name {name}")
                if name in samples or name in done:
                    raise Invalid(f"line {lineno}: {parts[1]} of {name} after its samples")
                table = helps if parts[1] == "HELP" else types
                if name in table:
                    raise Invalid(f"line {lineno}: second {parts[1]} for {name}")
                arg = parts[3] if len(parts) > 3 else ""
                if parts[1] == "TYPE" and arg not in TYPES:
                    raise Invalid(f"line {lineno}: unknown type {arg!r}")
                table[name] = arg
            continue
        name, labels, value = split_sample(line, lineno)
        fam = family_of(name, types)
        if fam != current:
            if fam in done:
                raise Invalid(f"line {lineno}: samples of {fam} not contiguous")
            if current:
                done.add(current)
            current = fam
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise Invalid(f"line {lineno}: series {name}{labels} twice")
        seen.add(key)
        if types.get(fam) == "counter":
            if not name.endswith("_total"):
                raise Invalid(f"line {lineno}: counter {name} not named *_total")
            if value < 0:
                raise Invalid(f"line {lineno}: counter {name} is negative")
        samples.setdefault(name, []).append([labels, value])
    for name in samples:
        if family_of(name, types) not in types:
            raise Invalid(f"{name} has no TYPE line")
    return samples


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        samples = check(text)
    except Invalid as e:
        print(f"{path}: {e}", file=sys.stderr)
        return 1
    promtool = shutil.which("promtool")
    if promtool:
        r = subprocess.run([promtool, "check", "metrics"], input=text,
                           text=True, capture_output=True, check=False)
        if r.returncode:
            print(f"{path}: promtool: {r.stdout}{r.stderr}", file=sys.stderr)
            return 1
    if "--dump" in sys.argv[2:]:
        print(json.dumps(samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
