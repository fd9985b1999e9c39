#!/usr/bin/env python3
"""Writes a synthetic HR export of N people in Flipside's people CSV format (deterministic).

    python3 scripts/make-people-csv.py 100000 bench-data/people-100k.csv

A reporting tree (each manager has up to 8 reports), quoted titles with commas, custom attributes."""
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
rng = random.Random(42)
departments = ["Engineering", "Product", "Marketing", "Sales", "Finance", "People & Culture", "Operations"]
sites = [("Berlin", "Europe/Berlin"), ("London", "Europe/London"), ("New York", "America/New_York"),
         ("Singapore", "Asia/Singapore"), ("Lisbon", "Europe/Lisbon")]
with open(out, "w", encoding="utf-8") as f:
    f.write("employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,status,exit_date,pronouns,career_path\n")
    for i in range(n):
        manager = "" if i == 0 else f"E{(i - 1) // 8:06d}"
        depth = 0
        k = i
        while k > 0:
            k = (k - 1) // 8
            depth += 1
        level = max(1, 9 - depth - rng.randint(0, 1))
        site, zone = sites[rng.randrange(len(sites))]
        status, exit_date = ("exited", f"2026-{rng.randint(1, 9):02d}-15") if rng.random() < 0.03 else ("active", "")
        f.write(f'E{i:06d},Person {i},person.{i}@example.com,"Specialist, band {level}",{level},'
                f'{rng.randint(2005, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},{departments[i % 7]},'
                f'{site},{zone},{manager},{status},{exit_date},{rng.choice(["she/her", "he/him", "they/them", ""])},'
                f'{rng.choice(["graduate scheme", "career changer", "apprenticeship", ""])}\n')
