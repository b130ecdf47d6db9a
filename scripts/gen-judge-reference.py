#!/usr/bin/env python3
"""Generates Tests/CanaryCoreTests/Reference/judge-reference.json: the statistics Serin's judge computes
(`Sources/CanaryCore/Judge/`), computed by SciPy on a fixed table of seeded samples. JudgeReferenceTests holds the
Swift implementation to these numbers (1e-6). Regenerate with: python3 scripts/gen-judge-reference.py

Each case: two samples (baseline, canary) and
- mannwhitneyu (method="asymptotic", use_continuity=True, tie-corrected) for the three alternatives;
- the Hodges-Lehmann shift (median of canary_j - baseline_i) and its 95% distribution-free interval from the
  normal approximation of the Wilcoxon rank-sum distribution (Bauer 1972; the formula is spelled out below);
- Brown-Forsythe (scipy.stats.levene, center="median");
and for counts, Fisher's exact test (alternative="greater": canary errors more likely than baseline's).
"""
import json
import math
import sys

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


def hodges_lehmann(baseline, canary, confidence=CONFIDENCE):
    differences = np.sort(np.subtract.outer(np.asarray(canary, float), np.asarray(baseline, float)).ravel())
    n1, n2 = len(baseline), len(canary)
    m = n1 * n2
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    c = math.floor(m / 2 - z * math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12))
    c = min(max(c, 1), m)
    return float(np.median(differences)), float(differences[c - 1]), float(differences[m - c])


def sample(rng, kind, n, scale=1.0):
    if kind == "lognormal":
        return list(np.round(rng.lognormal(mean=math.log(100 * scale), sigma=0.3, size=n), 6))
    if kind == "normal":
        return list(np.round(rng.normal(loc=50 * scale, scale=5, size=n), 6))
    if kind == "ties":
        return [float(v) for v in rng.integers(0, 4, size=n) * scale]
    raise ValueError(kind)


def sample_cases():
    rng = np.random.default_rng(20261206)
    cases = []
    for name, kind, n1, n2, scale in [
        ("same-lognormal", "lognormal", 30, 30, 1.0),
        ("shifted-10pct", "lognormal", 30, 30, 1.1),
        ("shifted-25pct", "lognormal", 20, 25, 1.25),
        ("faster", "lognormal", 40, 40, 0.85),
        ("small", "normal", 5, 6, 1.0),
        ("unequal", "normal", 60, 12, 1.02),
        ("many-ties", "ties", 25, 25, 1.0),
        ("ties-shifted", "ties", 30, 20, 2.0),
    ]:
        baseline = sample(rng, kind, n1)
        canary = sample(rng, kind, n2, scale)
        cases.append({"name": name, "baseline": [float(v) for v in baseline], "canary": [float(v) for v in canary]})
    cases.append({"name": "more-variable", "baseline": [float(v) for v in np.round(rng.normal(50, 2, 40), 6)],
                  "canary": [float(v) for v in np.round(rng.normal(50, 8, 40), 6)]})
    cases.append({"name": "tiny", "baseline": [1.0, 2.0], "canary": [3.0]})
    for case in cases:
        x, y = case["canary"], case["baseline"]
        for alternative in ["two-sided", "greater", "less"]:
            result = stats.mannwhitneyu(x, y, alternative=alternative, method="asymptotic", use_continuity=True)
            case[f"u_{alternative}"] = float(result.statistic)
            case[f"p_{alternative}"] = float(result.pvalue)
        shift, low, high = hodges_lehmann(case["baseline"], case["canary"])
        case.update({"shift": shift, "shift_low": low, "shift_high": high})
        if len(x) > 1 and len(y) > 1:
            levene = stats.levene(x, y, center="median")
            case.update({"brown_forsythe_w": float(levene.statistic), "brown_forsythe_p": float(levene.pvalue)})
    return cases


def count_cases():
    cases = []
    for errors_c, total_c, errors_b, total_b in [
        (1, 50, 0, 50), (3, 40, 0, 4000), (0, 100, 0, 100), (10, 1000, 8, 1000), (20, 1000, 8, 1000),
        (50, 10000, 40, 10000), (5, 5, 0, 5), (2, 2000, 1, 2000), (30, 300, 3, 300),
    ]:
        table = [[errors_c, total_c - errors_c], [errors_b, total_b - errors_b]]
        p = stats.fisher_exact(table, alternative="greater").pvalue
        cases.append({"canary_errors": errors_c, "canary_total": total_c, "baseline_errors": errors_b, "baseline_total": total_b,
                      "p_greater": float(p)})
    return cases


def quantiles():
    return [{"p": p, "z": float(stats.norm.ppf(p))} for p in [1e-10, 0.001, 0.025, 0.05, 0.3, 0.5, 0.8, 0.95, 0.975, 0.999999]]


if __name__ == "__main__":
    reference = {"generator": "scripts/gen-judge-reference.py", "scipy": __import__("scipy").__version__,
                 "numpy": np.__version__, "confidence": CONFIDENCE, "samples": sample_cases(), "counts": count_cases(),
                 "normal_quantiles": quantiles()}
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/CanaryCoreTests/Reference/judge-reference.json"
    with open(out, "w") as handle:
        json.dump(reference, handle, indent=1)
        handle.write("\n")
