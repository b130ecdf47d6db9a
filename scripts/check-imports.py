#!/usr/bin/env python3
"""Every module a target imports is one it declares in Package.swift.

Reads the package as SwiftPM sees it (`swift package dump-package`) and every `import X` of each target's
sources, and prints the imports that are neither a declared target or product nor a system module. A
module that builds today only because another dependency happens to bring it in breaks when that
dependency changes. Exit 1 when any is found.

Usage: scripts/check-imports.py [--package-json FILE]
"""
import json
import pathlib
import re
import subprocess
import sys

# Modules of the toolchain and the platform, never declared.
SYSTEM = {"Foundation", "FoundationNetworking", "FoundationEssentials", "Glibc", "Darwin", "Musl", "Dispatch", "Synchronization",
          "Testing", "XCTest", "_Concurrency", "Observation", "os", "Android", "WinSDK", "ucrt"}
IMPORT = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)


def package(argv):
    if len(argv) > 2 and argv[1] == "--package-json":
        return json.loads(pathlib.Path(argv[2]).read_text())
    return json.loads(subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout)


def declared(target):
    names = set()
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.add(dependency[kind][0])
    return names


def source_dir(target):
    if target.get("path"):
        return pathlib.Path(target["path"])
    top = "Tests" if target["type"] == "test" else "Sources"
    return pathlib.Path(top) / target["name"]


def main(argv):
    manifest = package(argv)
    problems = []
    for target in manifest["targets"]:
        allowed = declared(target) | SYSTEM | {target["name"]}
        for path in sorted(source_dir(target).rglob("*.swift")):
            for module in IMPORT.findall(path.read_text(encoding="utf-8")):
                if module not in allowed:
                    problems.append(f"{path}: imports {module}, which {target['name']} does not declare in Package.swift")
    for problem in sorted(set(problems)):
        print(problem)
    if problems:
        print(f"check-imports: {len(set(problems))} undeclared imports", file=sys.stderr)
        return 1
    print("check-imports: every import is declared")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
