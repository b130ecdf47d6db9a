#!/usr/bin/env python3
"""Lints and renders charts/serin with the real Helm engine (PyPI helm-python-sdk) for one set of values.

Usage: render.py CHART VALUES_JSON NAMESPACE OUT_FILE
Prints the lint report as JSON on stdout; writes the rendered manifests (CRDs first) to OUT_FILE.
Exit 1 when lint reports an error or rendering fails (the error is printed).
"""
import json
import sys

import helm_python as helm

chart_path, values_json, namespace, out_file = sys.argv[1:5]
values = json.loads(values_json)
report = helm.lint(chart_path, values, strict=True, namespace=namespace)
print(json.dumps(report))
if report.get("errors") or any(m.get("severity", 0) >= 2 for m in report.get("messages", [])):
    sys.exit(1)
with helm.Chart.load(chart_path) as chart:
    chart.validate_schema(values)
    manifests = chart.render(values, name="serin", namespace=namespace, is_install=True)
    crds = [crd.get("data", "") for crd in chart.crds]
documents = crds + [text for path, text in sorted(manifests.items()) if path.endswith(".yaml") and text.strip()]
with open(out_file, "w") as out:
    out.write("\n---\n".join(documents))
