#!/usr/bin/env bash
# End-to-end test of the command line on a throw-away SQLite file: migrate, import people (a bad
# file, then a good one, then again), create logins, import enrolments, load the demo twice.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN="$(swift build --show-bin-path)/flipside"
TMP="$(mktemp -d)"
export DATABASE_URL="sqlite://$TMP/cli.sqlite" BCRYPT_COST=4 LOG_LEVEL=error
passed=0; failed=0
check() { # name, command... ; passes when the command succeeds
  local name="$1"; shift
  if "$@" >"$TMP/out" 2>&1; then passed=$((passed+1)); echo "ok   $name"; else failed=$((failed+1)); echo "FAIL $name"; sed 's/^/     /' "$TMP/out" | head -20; fi
}
contains() { grep -q -- "$1" "$TMP/last"; }
run() { "$BIN" "$@" >"$TMP/last" 2>&1; echo $? >"$TMP/status"; }
status_is() { [ "$(cat "$TMP/status")" = "$1" ]; }

H="employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,career_path"
printf '%s\nA1,Ada Lead,ada@example.com,"Director, Ops",7,2015-01-05,Operations,London,Europe/London,,\nA2,Bo New,bo@example.com,Analyst,2,2025-02-01,Operations,Lisbon,Europe/Lisbon,A1,bootcamp\n' "$H" >"$TMP/people.csv"
printf '%s\nA1,Ada Lead,ada@example.com,Director,seven,2015-01-05,Operations,London,Europe/London,A9,\n' "$H" >"$TMP/bad.csv"

run migrate;                               check "migrate succeeds" status_is 0
run import people "$TMP/bad.csv";          check "a bad file exits 1" status_is 1
check "every problem is printed with row and column" bash -c "grep -q 'row 2, column level' '$TMP/last' && grep -q 'row 2, column manager_id' '$TMP/last'"
run import people "$TMP/people.csv";       check "a good file imports" contains "2 created, 0 updated, 0 unchanged"
run import people "$TMP/people.csv";       check "importing again changes nothing" contains "0 created, 0 updated, 2 unchanged"
run import people "$TMP/missing.csv";      check "a missing file is a clear error" bash -c "! grep -q 'created' '$TMP/last' && grep -qi 'cannot read' '$TMP/last'"
# An HR export as it comes (its own column names, ';'-separated, US dates, text grades): mapped once, then recognised.
printf 'Employee Number;Full Name;Work Email;Job Title;Grade;Original Hire Date;Department;Location;Supervisor ID;Employment Status\nA3;Cy Hr;cy@example.com;Analyst;L2;03/01/2024;Operations;Lisbon;A1;Leave of Absence\n' >"$TMP/export.csv"
printf '{"levels": {"L2": 2}, "date_format": "MM/DD/YYYY", "time_zone": "Europe/Lisbon"}' >"$TMP/mapping.json"
printf '{"columns": {"Grade": "pay"}}' >"$TMP/bad-mapping.json"
run import people "$TMP/export.csv";       check "an HR export without its mapping names the file's columns" bash -c "[ \$(cat '$TMP/status') = 1 ] && grep -q 'column time_zone' '$TMP/last'"
run import people "$TMP/export.csv" --mapping "$TMP/bad-mapping.json"; check "a mapping that cannot apply is refused by name" bash -c "[ \$(cat '$TMP/status') = 1 ] && grep -q 'columns.Grade' '$TMP/last'"
run import people "$TMP/export.csv" --mapping "$TMP/mapping.json"; check "an HR export imports with its mapping" contains "1 created, 0 updated"
sed -i 's/Cy Hr/Cy Changed/' "$TMP/export.csv"
run import people "$TMP/export.csv";       check "the next export with the same columns needs no mapping" contains "0 created, 1 updated"
# The same export saved as an Excel workbook (built with Python's zipfile: shared strings, a date as a day number).
python3 - "$TMP/export.xlsx" <<'PY'
import sys, zipfile
header = ["Employee Number", "Full Name", "Work Email", "Job Title", "Grade", "Original Hire Date", "Department", "Location", "Supervisor ID", "Employment Status"]
values = ["A3", "Cy Workbook", "cy@example.com", "Analyst", "L2", None, "Operations", "Lisbon", "A1", "Active"]
cells = lambda r, xs: "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{x}</t></is></c>' if x is not None else f'<c r="{chr(65 + i)}{r}" s="1"><v>45352</v></c>' for i, x in enumerate(xs))
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("xl/workbook.xml", '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/styles.xml", '<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>')
    z.writestr("xl/worksheets/sheet1.xml", f'<worksheet><sheetData><row r="1">{cells(1, header)}</row><row r="2">{cells(2, values)}</row></sheetData></worksheet>')
PY
run import people "$TMP/export.xlsx";      check "an Excel workbook imports like its CSV (the kept mapping applies)" contains "0 created, 1 updated"
echo "secret-password-1" | "$BIN" user create --email Coord@Example.com --coordinator >"$TMP/last" 2>&1
check "a coordinator login is created from standard input" contains "coord@example.com is ready (coordinator)"
echo "secret-password-2" | "$BIN" user create --email bo@example.com >"$TMP/last" 2>&1
check "a participant login is created for a person" contains "bo@example.com is ready (participant)"
echo "short" | "$BIN" user create --email x@example.com --coordinator >"$TMP/last" 2>&1; echo $? >"$TMP/status"
check "a short password is refused" bash -c "[ \$(cat '$TMP/status') != 0 ] && grep -q 'at least 10' '$TMP/last'"
run user invite A1 --base-url https://flipside.example.com/
check "a sign-in link is printed for a person" bash -c "grep -Eq '^https://flipside.example.com/invite/[A-Za-z0-9_-]{40,}$' '$TMP/last' && grep -q 'Works once, until' '$TMP/last'"
run user invite NOBODY;                    check "an unknown person gets no link" bash -c "[ \$(cat '$TMP/status') != 0 ] && grep -q 'NOBODY' '$TMP/last'"
run worker --once;                         check "the worker runs the clean-up the sign-in link asked for, and this hour's reminder planning" contains "Ran 2 jobs."
run worker --once;                         check "and then finds nothing due" contains "Ran 0 jobs."
run demo;                                  check "the demo loads" contains "people created"
run demo;                                  check "the demo loads again without duplicates" contains "0 people created, 0 updated"
# Who could teach a senior, across the organisation (the demo keeps teaching profiles).
SENIOR=$(python3 -c "import sqlite3; print(sqlite3.connect('$TMP/cli.sqlite').execute(\"SELECT employee_id FROM people WHERE level = 7 AND status = 'active' ORDER BY employee_id LIMIT 1\").fetchone()[0])")
run who-could-teach "generative ai" figma --for "$SENIOR"
check "who-could-teach names open people best first, with why" bash -c "grep -q '^1\. .* — score [0-9.]*$' '$TMP/last' && grep -q 'levels* more junior than you' '$TMP/last' && grep -q 'Knows ' '$TMP/last'"
run who-could-teach figma --for "$SENIOR" --perspective location --limit 3 --json
check "who-could-teach --json is the API's answer" bash -c "python3 -c \"import json,sys; a=json.load(open('$TMP/last')); sys.exit(0 if a['for']=='$SENIOR' and 0 < len(a['candidates']) <= 3 and a['perspective']=='location' and isinstance(a['not_open_count'], int) and all('figma' in [k['topic'] for k in c['knows']] for c in a['candidates']) else 1)\""
run who-could-teach --for "$SENIOR";      check "a question without a topic is a clear error" bash -c "[ \$(cat '$TMP/status') = 1 ] && grep -q 'name at least one topic' '$TMP/last'"
run who-could-teach figma --for NOBODY;   check "an unknown person is a clear error" bash -c "[ \$(cat '$TMP/status') = 1 ] && grep -q 'NOBODY was not found' '$TMP/last'"
run gaps "Digital Fluency 2027"
check "gaps names the program's counts, its unserved mentees or topics, and who could fill them" bash -c "grep -q '^Digital Fluency 2027: [0-9]* mentees, [0-9]* mentors.' '$TMP/last' && grep -Eq '^(Topic|Unserved|Every)' '$TMP/last'"
run gaps "Digital Fluency 2027" --json
check "gaps --json is the API's answer" bash -c "python3 -c \"import json,sys; g=json.load(open('$TMP/last')); sys.exit(0 if g['mentees'] > 0 and g['wanted_level'] == 3 and isinstance(g['topics'], list) else 1)\""
run gaps "No such program";               check "gaps of an unknown program is a clear error" bash -c "[ \$(cat '$TMP/status') = 1 ] && grep -q 'was not found' '$TMP/last'"
# Provisioning tokens (SCIM): made and shown once, listed without the token, revoked.
run scim-token create "Entra ID test" --quiet;  check "a provisioning token is made and printed alone" bash -c "[ \$(cat '$TMP/status') = 0 ] && [ \$(wc -w < '$TMP/last') = 1 ]"
TOKEN=$(cat "$TMP/last")
run scim-token list;                      check "tokens are listed, never the token itself" bash -c "grep -q 'Entra ID test' '$TMP/last' && grep -q 'never used, live' '$TMP/last' && ! grep -q -- '$TOKEN' '$TMP/last'"
TOKEN_ID=$(awk '/Entra ID test/ {print $1}' "$TMP/last")
run scim-token revoke "$TOKEN_ID";        check "a token is revoked" contains "Revoked the provisioning token Entra ID test"
run scim-token list;                      check "a revoked token says so" contains "revoked"
run scim-token create "   ";              check "a token needs a name" bash -c "[ \$(cat '$TMP/status') = 1 ] && grep -q 'Name the token' '$TMP/last'"
# Data rights: an export for an access request, then erasure (confirmed by repeating the id).
run person export A3 --out "$TMP/a3.json"; check "a person's data is exported as JSON" bash -c "grep -q 'Wrote' '$TMP/last' && grep -q '\"employee_id\" : \"A3\"' '$TMP/a3.json'"
run person erase A3 --confirm A1;         check "erasure needs the id repeated" bash -c "[ \$(cat '$TMP/status') != 0 ] && grep -q 'confirm' '$TMP/last'"
run person erase A3 --confirm A3;         check "a person's data is erased" contains "now ERASED-"
run person export A3 --out "$TMP/a3.json"; check "an erased person is no longer found" bash -c "[ \$(cat '$TMP/status') != 0 ] && grep -q 'A3' '$TMP/last'"
# A backup taken while the server runs, restored into a new database; not twice, not over data.
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$BIN" serve --port "$PORT" >"$TMP/serve.log" 2>&1 &
SERVE=$!
python3 - "$PORT" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1); break
    except OSError:
        time.sleep(0.1)
PY
run backup --out "$TMP/backup.sqlite";     check "a backup is written while the server runs" bash -c "grep -q 'Backed up' '$TMP/last' && [ -s '$TMP/backup.sqlite' ]"
kill $SERVE 2>/dev/null; wait $SERVE 2>/dev/null
run backup --out "$TMP/backup.sqlite";     check "a backup never overwrites a file" bash -c "[ \$(cat '$TMP/status') != 0 ] && grep -q 'already exists' '$TMP/last'"
DATABASE_URL="sqlite://$TMP/restored.sqlite" "$BIN" restore "$TMP/backup.sqlite" >"$TMP/last" 2>&1
check "the backup restores into an empty database" contains "Restored"
DATABASE_URL="sqlite://$TMP/restored.sqlite" "$BIN" restore "$TMP/backup.sqlite" >"$TMP/last" 2>&1
check "a restore over data is refused" contains "not empty"
run report "Reverse Mentoring Pilot 2026" --out "$TMP/report.html"
check "the outcomes report is written as one HTML file" bash -c "grep -q 'Wrote' '$TMP/last' && grep -q '<svg' '$TMP/report.html' && grep -q '<style>' '$TMP/report.html' && grep -q 'id=\"retention-table\"' '$TMP/report.html' && ! grep -q 'answer them yourself' '$TMP/report.html'"
run report "No such program" --out "$TMP/none.html"; check "a report of an unknown program is a clear error" bash -c "[ \$(cat '$TMP/status') = 1 ] && grep -q 'was not found' '$TMP/last' && [ ! -e '$TMP/none.html' ]"
run report "Reverse Mentoring Pilot 2026" --out "$TMP/x.html" --censor 2020-01-01; check "a censor date before the start is refused" bash -c "[ \$(cat '$TMP/status') = 1 ] && grep -q 'before the program' '$TMP/last'"
printf 'employee_id,role,offers,wants,industries,channels,cadence,capacity\nA2,mentor,python:4,,,video,weekly,1\nA1,mentee,,python:3,,video,weekly,\n' >"$TMP/enrol.csv"
run import enrolments "Digital Fluency 2027" "$TMP/enrol.csv"; check "enrolments import into a program by name" contains "2 created"
run import enrolments "No such program" "$TMP/enrol.csv";     check "an unknown program is reported" contains "no program"
run run "Digital Fluency 2027";             check "a run needs the program in matching" bash -c "[ \$(cat '$TMP/status') != 0 ] && grep -q 'needs a program in matching or active' '$TMP/last'"
run pair-rule lock "Reverse Mentoring Pilot 2026" NOBODY P00001; check "a lock names who is not enrolled" bash -c "[ \$(cat '$TMP/status') != 0 ] && grep -q 'mentee_id' '$TMP/last'"
run pair-rule sideways "Reverse Mentoring Pilot 2026" A B;      check "an unknown rule kind is refused" bash -c "[ \$(cat '$TMP/status') != 0 ]"
# A mentee and a mentor of the pilot who are not paired together, read from the database file.
read -r MENTEE MENTOR < <(python3 - "$TMP/cli.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
pilot = db.execute("SELECT id FROM programs WHERE name = 'Reverse Mentoring Pilot 2026'").fetchone()[0]
mentees = [r[0] for r in db.execute("SELECT employee_id FROM enrolments WHERE program_id = ? AND role = 'mentee' ORDER BY employee_id", (pilot,))]
mentors = [r[0] for r in db.execute("SELECT employee_id FROM enrolments WHERE program_id = ? AND role = 'mentor' ORDER BY employee_id", (pilot,))]
paired = set(db.execute("SELECT mentee_id, mentor_id FROM pairs WHERE program_id = ?", (pilot,)).fetchall())
print(next(f"{a} {b}" for a in mentees for b in mentors if (a, b) not in paired))
PY
)
run pair-rule exclusion "Reverse Mentoring Pilot 2026" "$MENTEE" "$MENTOR"; check "an exclusion is stored for the pilot" contains "Excluded $MENTEE–$MENTOR."
run run "Reverse Mentoring Pilot 2026" --algorithm fair --publish
check "in an active program a run pairs only the people without a pair, and publishes" bash -c "grep -q 'Run [0-9a-f-]*: done' '$TMP/last' && grep -q 'a re-run for the' '$TMP/last' && grep -q 'Published' '$TMP/last'"

# The matching engine on a raw matrix, and the whole model on CSV files.
printf '0.5,-inf,0.25\n0.75,0.125,nan\n' >"$TMP/m.csv"
run solve --matrix "$TMP/m.csv" --out "$TMP/pairs.csv"; check "solve prints pairs and total" contains '"pairs":2,"total":1.0'
check "solve writes row,col,score with the scores as read" bash -c "printf 'row,col,score\n0,2,0.25\n1,0,0.75\n' | diff - '$TMP/pairs.csv'"
run solve --matrix "$TMP/m.csv" --algorithm stable; check "stable reports no blocking pair" contains '"blocking_pairs":0'
run solve --matrix "$TMP/missing.bin"; check "a missing matrix is a clear error" contains "Cannot read"
printf 'junk' >"$TMP/bad.bin"; run solve --matrix "$TMP/bad.bin"; check "a bad matrix file is a clear error" contains "not an RMSC file"
printf '%s\nS1,Sam Senior,sam@example.com,Director,8,2012-01-05,Sales,London,Europe/London,A1,\nJ1,Jin Junior,jin@example.com,Analyst,1,2025-03-01,Product,Berlin,Europe/Berlin,S1,bootcamp\nJ2,Joy Junior,joy@example.com,Analyst,2,2025-04-01,Finance,Lisbon,Europe/Lisbon,A1,\n' "$H" >"$TMP/people2.csv"
cat "$TMP/people.csv" >"$TMP/all.csv"; tail -n +2 "$TMP/people2.csv" >>"$TMP/all.csv"
printf 'employee_id,role,offers,wants,industries,channels,cadence,capacity\nJ1,mentor,gen ai:5,,,video,weekly,1\nJ2,mentor,gen ai:2,,,video,weekly,1\nS1,mentee,,Gen-AI:3,,video,weekly,\nA1,mentee,,gen ai:2,,chat,weekly,\n' >"$TMP/e2.csv"
"$BIN" match --people "$TMP/all.csv" --enrolments "$TMP/e2.csv" --out "$TMP/matches.csv" --explain "$TMP/explain.json" --scores "$TMP/scores.csv" >"$TMP/last" 2>&1
check "match pairs the senior with the eligible mentor outside their chain" bash -c "grep -q '^S1,J2,' '$TMP/matches.csv' && head -1 '$TMP/matches.csv' | grep -qx 'mentee_id,mentor_id,score'"
check "the score matrix leaves forbidden pairs empty" bash -c "head -1 '$TMP/scores.csv' | grep -qx 'mentee_id,J1,J2' && grep -q '^S1,,' '$TMP/scores.csv'"
check "the explanation names the rule that left a mentee unmatched" bash -c "python3 -c \"import json,sys; e=json.load(open('$TMP/explain.json')); u=e['unmatched_mentees']; sys.exit(0 if [x['id'] for x in u]==['A1'] and u[0]['excluded_by']=={'same_reporting_chain': 2} and e['pairs'][0]['covered_topics'][0]['topic']=='gen-ai' else 1)\""
printf '{"weights": {"luck": 5}}' >"$TMP/rules.json"
"$BIN" match --people "$TMP/all.csv" --enrolments "$TMP/e2.csv" --rules "$TMP/rules.json" --out "$TMP/m2.csv" >"$TMP/last" 2>&1
check "bad rules are refused with the field named" contains "weights.luck"
printf '{"locks": [["S1", "J1"]]}' >"$TMP/lock.json"
"$BIN" match --people "$TMP/all.csv" --enrolments "$TMP/e2.csv" --rules "$TMP/lock.json" --out "$TMP/m3.csv" >"$TMP/last" 2>&1; echo $? >"$TMP/status"
check "a lock on a pair a hard rule forbids is refused with the rule named" bash -c "[ \$(cat '$TMP/status') != 0 ] && grep -q 'S1–J1 breaks the same_reporting_chain rule' '$TMP/last' && grep -q overrides '$TMP/last'"
printf '{"locks": [["S1", "J1"]], "overrides": [{"mentee_id": "S1", "mentor_id": "J1", "reason": "Cross-team pilot, agreed with HR"}]}' >"$TMP/override.json"
"$BIN" match --people "$TMP/all.csv" --enrolments "$TMP/e2.csv" --rules "$TMP/override.json" --out "$TMP/m4.csv" --explain "$TMP/x4.json" >"$TMP/last" 2>&1
check "an overridden lock is kept with a finite score and its reason in the explanation" bash -c "grep -Eq '^S1,J1,[0-9]+(\.[0-9]+)?$' '$TMP/m4.csv' && python3 -c \"import json,sys; e=json.load(open('$TMP/x4.json')); p=[x for x in e['pairs'] if x['mentee_id']=='S1'][0]; sys.exit(0 if p['override']=={'rule': 'same_reporting_chain', 'reason': 'Cross-team pilot, agreed with HR'} and p['score']>0 else 1)\""
rm -rf "$TMP"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
