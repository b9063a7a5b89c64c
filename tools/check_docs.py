#!/usr/bin/env python3
"""Checks that the documentation stays true (run by ctest, see tests/docs/CMakeLists.txt).

  check_docs.py links ROOT     every relative link and picture of README.md and docs/**/*.md
                               leads to a file that exists, and every #anchor to a heading
  check_docs.py headers ROOT   every public header (dsl/kiln, runtime/kiln) opens with a comment
                               of one to three lines saying what it is for
  check_docs.py errors ROOT    every error template of dsl/kiln/dsl/diagnostics.hpp is named in
                               docs/dsl.md, and every one docs/dsl.md names exists
Exit status 1 with one `file:line: error: ...` per problem."""
import os
import re
import sys
import unicodedata


def pages(root):
    out = [os.path.join(root, "README.md")]
    for d, _, files in os.walk(os.path.join(root, "docs")):
        out += [os.path.join(d, f) for f in sorted(files) if f.endswith(".md")]
    return sorted(out)


FENCE = re.compile(r"^\s*(```|~~~)")


def prose_lines(text):
    """(line number, line) outside fenced code blocks, inline code spans blanked out."""
    fenced = False
    for n, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield n, re.sub(r"`+[^`]*`+", lambda m: " " * len(m.group(0)), line)


def github_anchor(heading):
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "-_" or cat[0] in "LN" or cat == "Mn":
            kept.append(ch)
        elif ch == " ":
            kept.append("-")
    return "".join(kept)


def anchors(path, cache={}):
    if path not in cache:
        seen, ids = {}, set()
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for _, line in prose_lines(text):
            m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if not m:
                continue
            # prose_lines blanked code spans; read the heading from the original line instead
            base = github_anchor(text.splitlines()[_ - 1].lstrip("#").strip())
            k = seen.get(base, 0)
            seen[base] = k + 1
            ids.add(base if k == 0 else f"{base}-{k}")
        ids |= set(re.findall(r'<a\s+(?:name|id)="([^"]+)"', text))
        cache[path] = ids
    return cache[path]


LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMG = re.compile(r"<img\s[^>]*src=\"([^\"]+)\"")
REF = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)")


def check_links(root):
    problems = []
    for page in pages(root):
        with open(page, encoding="utf-8") as f:
            text = f.read()
        rel = os.path.relpath(page, root)
        for n, line in prose_lines(text):
            targets = LINK.findall(line) + IMG.findall(line) + REF.findall(line)
            for t in targets:
                if re.match(r"^[a-z][a-z0-9+.-]*:", t):  # http:, https:, mailto:
                    continue
                path, _, anchor = t.partition("#")
                dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
                if not os.path.exists(dest):
                    problems.append(f"{rel}:{n}: error: link to {t}: no file "
                                    f"{os.path.relpath(dest, root)}")
                    continue
                if anchor and dest.endswith(".md") and anchor not in anchors(dest):
                    problems.append(f"{rel}:{n}: error: link to {t}: "
                                    f"{os.path.relpath(dest, root)} has no heading #{anchor}")
    return problems


def check_headers(root):
    problems = []
    for base in ("dsl/kiln", "runtime/kiln"):
        for d, _, files in os.walk(os.path.join(root, base)):
            for f in sorted(files):
                if not f.endswith(".hpp"):
                    continue
                path = os.path.join(d, f)
                with open(path, encoding="utf-8") as fh:
                    lines = fh.read().splitlines()
                count = 0
                while count < len(lines) and lines[count].startswith("//"):
                    count += 1
                rel = os.path.relpath(path, root)
                if count == 0:
                    problems.append(f"{rel}:1: error: a public header opens with a comment "
                                    "saying what it is for (one to three `//` lines)")
                elif count > 3:
                    problems.append(f"{rel}:1: error: the opening comment has {count} lines; "
                                    "one to three say what the header is for")
    return problems


def check_errors(root):
    with open(os.path.join(root, "dsl/kiln/dsl/diagnostics.hpp"), encoding="utf-8") as f:
        diag = f.read()
    ns = diag[diag.index("namespace error {"):]
    declared = set(re.findall(r"^struct (\w+)\s*[:{]", ns, re.M))
    doc = os.path.join(root, "docs/dsl.md")
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    problems = []
    if not declared:
        problems.append("dsl/kiln/dsl/diagnostics.hpp: error: no error template found in "
                        "namespace kiln::error")
    for name in sorted(declared):
        if not re.search(rf"`{name}[<`]", text):
            problems.append(f"docs/dsl.md:1: error: the error template kiln::error::{name} "
                            "(dsl/kiln/dsl/diagnostics.hpp) has no row in the table of mistakes")
    for n, line in enumerate(text.splitlines(), 1):
        for name in re.findall(r"`(\w+_\w+)<[^`]*>`", line):
            if re.search(r"(must|needs)", name) and name not in declared:
                problems.append(f"docs/dsl.md:{n}: error: `{name}` is not an error template of "
                                "dsl/kiln/dsl/diagnostics.hpp")
    return problems


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("links", "headers", "errors"):
        sys.exit(__doc__)
    root = os.path.abspath(sys.argv[2])
    problems = {"links": check_links, "headers": check_headers,
                "errors": check_errors}[sys.argv[1]](root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check_docs {sys.argv[1]}: ok")


if __name__ == "__main__":
    main()
