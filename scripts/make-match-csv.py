#!/usr/bin/env python3
"""Writes a synthetic organisation and a program's enrolments for `flipside match` (deterministic).

    python3 scripts/make-match-csv.py 10000 bench-data/match-people.csv bench-data/match-enrolments.csv [PEOPLE]

N mentees (senior, levels 5-9) and N mentors (junior, levels 1-3) in an organisation of 2.2 N people, or
PEOPLE when given (reporting tree, 8 reports a manager), with 40 topics, channels, cadences and hours."""
import random
import sys

n = int(sys.argv[1])
people_path, enrol_path = sys.argv[2], sys.argv[3]
rng = random.Random(7)
total = int(sys.argv[4]) if len(sys.argv) > 4 else int(n * 2.2)
departments = ["Engineering", "Product", "Marketing", "Sales", "Finance", "People", "Operations"]
sites = [("Berlin", "Europe/Berlin"), ("London", "Europe/London"), ("New York", "America/New_York"),
         ("Singapore", "Asia/Singapore"), ("Lisbon", "Europe/Lisbon")]
topics = [f"topic {k}" for k in range(40)]
levels = []
with open(people_path, "w") as f:
    f.write("employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,career_path,previous_industry\n")
    for i in range(total):
        depth, k = 0, i
        while k > 0:
            k = (k - 1) // 8
            depth += 1
        level = max(5, 9 - depth) if i < n else rng.choice([1, 1, 2, 2, 3, 3, 3, 4])
        levels.append(level)
        site, zone = sites[rng.randrange(5)]
        manager = "" if i == 0 else f"E{(i - 1) // 8:06d}"
        f.write(f"E{i:06d},Person {i},p{i}@example.com,Role,{level},2020-01-0{1 + i % 9},{departments[i % 7]},{site},{zone},{manager},"
                f"{rng.choice(['graduate', 'career changer', 'apprenticeship', ''])},{rng.choice(['retail', 'gaming', 'fintech', ''])}\n")
seniors = [i for i in range(total) if levels[i] >= 5]
juniors = [i for i in range(total) if levels[i] <= 3]
rng.shuffle(seniors)
rng.shuffle(juniors)
channels = ["in_person", "video", "chat"]
with open(enrol_path, "w") as f:
    f.write("employee_id,role,offers,wants,industries,channels,cadence,capacity,availability\n")
    for i in juniors[:n]:
        offers = ";".join(f"{t}:{rng.randint(1, 5)}" for t in rng.sample(topics, rng.randint(2, 6)))
        start = rng.randint(7, 14)
        f.write(f"E{i:06d},mentor,{offers},,{rng.choice(['retail', 'gaming', ''])},{';'.join(rng.sample(channels, rng.randint(1, 3)))},"
                f"{rng.choice(['weekly', 'biweekly', 'monthly'])},{rng.choice([1, 1, 2])},{start}-{start + rng.randint(2, 5)}\n")
    for i in seniors[:n]:
        wants = ";".join(f"{t}:{rng.randint(1, 3)}" for t in rng.sample(topics, rng.randint(1, 4)))
        start = rng.randint(7, 14)
        f.write(f"E{i:06d},mentee,,{wants},,{';'.join(rng.sample(channels, rng.randint(1, 3)))},"
                f"{rng.choice(['weekly', 'biweekly', 'monthly'])},,{start}-{start + rng.randint(2, 5)}\n")
print(f"{total} people, {min(n, len(juniors))} mentors, {min(n, len(seniors))} mentees")
