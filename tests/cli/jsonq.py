# SPDX-License-Identifier: Apache-2.0
"""jsonq.py EXPR - evaluate a Python expression over a JSON document on stdin.

Exit 0 when the value is truthy (and print it unless it is a bool), 1 when it
is falsy, 2 when stdin is not one JSON document. Used by the CLI tests so
that they assert on parsed --json output without depending on its exact
layout beyond what docs/cli.md promises.

Names available to EXPR:
  doc        the parsed document
  items      the list of records: doc itself when it is a list, else the
             first value of doc that is a list of objects (e.g. "keys",
             "records", "tokens"), else [doc]
  flat(d)    all scalar values of d (recursively), lowercased strings
  has(d, v)  True when some scalar of d equals v (case-insensitive for str)
  field(d, *names)  the first of d[name] that exists (case-insensitive
             name match, also looked up one level down), else None
  pairs(d)   every (name, value) of d, recursively; an attribute written
             as {"type"|"name"|"attribute": N, "value": V} yields (N, V)
  istrue(v) / isfalse(v)   JSON or textual booleans (true, "CK_TRUE", 1...)
  re         the re module
"""
import json
import re
import sys


def flat(d):
    out = []
    if isinstance(d, dict):
        for v in d.values():
            out.extend(flat(v))
    elif isinstance(d, list):
        for v in d:
            out.extend(flat(v))
    elif isinstance(d, str):
        out.append(d.lower())
    else:
        out.append(d)
    return out


def has(d, v):
    if isinstance(v, str):
        v = v.lower()
        return any(isinstance(x, str) and x == v for x in flat(d))
    return any(x == v and not isinstance(x, bool) for x in flat(d)) or str(v) in [
        str(x) for x in flat(d)
    ]


def field(d, *names):
    if not isinstance(d, dict):
        return None
    low = {k.lower(): v for k, v in d.items()}
    for n in names:
        if n.lower() in low:
            return low[n.lower()]
    for v in d.values():
        if isinstance(v, dict):
            r = field(v, *names)
            if r is not None:
                return r
    return None


def pairs(d):
    out = []
    if isinstance(d, dict):
        name = None
        for k in ("type", "name", "attribute", "attr"):
            if isinstance(d.get(k), str) and "value" in d:
                name = d[k]
                break
        for k, v in d.items():
            if name is not None and k == "value":
                out.append((name, v))
            else:
                out.append((k, v))
            out.extend(pairs(v))
    elif isinstance(d, list):
        for v in d:
            out.extend(pairs(v))
    return out


def istrue(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v == 1
    return isinstance(v, str) and v.lower() in ("true", "ck_true", "yes", "1")


def isfalse(v):
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v == 0
    return isinstance(v, str) and v.lower() in ("false", "ck_false", "no", "0")


def main():
    if len(sys.argv) != 2:
        print("usage: jsonq.py EXPR", file=sys.stderr)
        return 2
    try:
        doc = json.load(sys.stdin)
    except ValueError as e:
        print("not JSON: %s" % e, file=sys.stderr)
        return 2
    if isinstance(doc, list):
        items = doc
    else:
        items = None
        if isinstance(doc, dict):
            for v in doc.values():
                if isinstance(v, list) and all(isinstance(x, dict) for x in v):
                    items = v
                    break
        if items is None:
            items = [doc]
    env = {"doc": doc, "items": items, "flat": flat, "has": has, "field": field, "re": re,
           "pairs": pairs, "istrue": istrue, "isfalse": isfalse}
    val = eval(sys.argv[1], env)  # noqa: S307 - test helper, trusted input
    if not isinstance(val, bool):
        print(val)
    return 0 if val else 1


if __name__ == "__main__":
    sys.exit(main())
