"""Recomputes the survival cases Swift wrote (SurvivalTests.generatedCasesForLifelines, with
FLIPSIDE_STATS_OUT set) with Python's lifelines: Kaplan-Meier curves, their 95 % bands (exponential
Greenwood), the numbers at risk, and the log-rank statistic and p-value, each to 1e-9.
Usage: check_survival.py DIR"""
import json
import sys
from pathlib import Path

from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test

TOLERANCE = 1e-9


def main(folder):
    cases = json.loads((Path(folder) / "survival.json").read_text())
    failures = 0
    for case in cases:
        worst = 0.0
        for group, steps in (("a", case["kmA"]), ("b", case["kmB"])):
            times = [t for t, _ in case[group]]
            events = [bool(e) for _, e in case[group]]
            km = KaplanMeierFitter().fit(times, events)
            sf = km.survival_function_.iloc[:, 0]
            ci = km.confidence_interval_
            table = km.event_table
            assert len(steps) == len(sf), f"{case['name']} {group}: {len(steps)} steps, lifelines has {len(sf)}"
            for step in steps:
                t = step["time"]
                worst = max(worst, abs(step["survival"] - sf.loc[t]), abs(step["lower"] - ci.iloc[:, 0].loc[t]),
                            abs(step["upper"] - ci.iloc[:, 1].loc[t]))
                assert step["atRisk"] == table.loc[t, "at_risk"], f"{case['name']} {group} at {t}: at risk {step['atRisk']} vs {table.loc[t, 'at_risk']}"
                assert step["exits"] == table.loc[t, "observed"], f"{case['name']} {group} at {t}: exits"
        a, b = case["a"], case["b"]
        test = logrank_test([t for t, _ in a], [t for t, _ in b], [bool(e) for _, e in a], [bool(e) for _, e in b])
        worst = max(worst, abs(case["statistic"] - test.test_statistic), abs(case["pValue"] - test.p_value))
        ok = worst <= TOLERANCE
        failures += 0 if ok else 1
        print(("ok   " if ok else "FAIL ") + f"{case['name']}: largest difference {worst:.2e} (log-rank {test.test_statistic:.4f}, p {test.p_value:.3g})")
    if failures:
        sys.exit(1)
    print("survival checks passed")


if __name__ == "__main__":
    main(sys.argv[1])
