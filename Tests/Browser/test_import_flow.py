#!/usr/bin/env python3
"""Browser test: a coordinator signs in, uploads a CSV with an error, sees the error table,
uploads a good one and finds the new people; a participant enrols through the form.
Drives the real server (`flipside serve --demo`, its own SQLite file) in headless Chromium.
Screenshots go to artifacts/browser/."""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ART = os.path.join(ROOT, "artifacts", "browser")
HEADER = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,previous_industry"
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def axe_source():
    """axe-core (from the axe-playwright-python wheel that scripts/browser-setup.sh installs without its
    dependencies: only its bundled axe.min.js is used)."""
    import importlib.util
    spec = importlib.util.find_spec("axe_playwright_python")
    return open(os.path.join(spec.submodule_search_locations[0], "axe.min.js"), encoding="utf-8").read()


AXE = axe_source()
AUDITED = []


def accessible(driver, name):
    """Runs axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the current page; every violation fails."""
    driver.execute_script(AXE)
    found = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
        ".then(function (r) { done(r.violations.map(function (v) {"
        "  return v.id + ' (' + v.nodes.length + '): ' + v.nodes[0].target.join(' '); })); })"
        ".catch(function (e) { done(['axe failed: ' + e]); });")
    AUDITED.append(name)
    check(f"{name}: no WCAG A/AA violations (axe-core)", not found, str(found))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary():
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return os.path.join(out.stdout.strip(), "flipside")


def main():
    os.makedirs(ART, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="flipside-browser-")
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite://{tmp}/browser.sqlite", BCRYPT_COST="4")
    server = subprocess.Popen([binary(), "serve", "--demo", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=open(os.path.join(tmp, "server.log"), "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("server did not start: " + open(os.path.join(tmp, "server.log")).read()[-2000:])
        driver = chromium()
        try:
            run(driver, base, tmp)
        finally:
            driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def chromium():
    """Headless Chromium with the window size every screenshot is taken at."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(60)
    return driver


def submit(driver, button):
    """Clicks a submit button and waits for the next page to replace this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    button.click()

    def replaced(_):
        # Chromium reports a node of the old document either as stale or, mid-navigation, as an
        # "inspector error" ("Node with given id does not belong to the document"): both mean it is gone.
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 15).until(replaced)


def sign_in(driver, base, email, password="flipside-demo"):
    driver.get(base + "/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))


def run(driver, base, tmp):
    driver.get(base + "/people")
    check("anonymous visitor is sent to the login page", "/login" in driver.current_url, driver.current_url)
    sign_in(driver, base, "coordinator@demo.flipside.test", "wrong password!")
    check("a wrong password shows an error", "not right" in driver.find_element(By.ID, "login-error").text)
    accessible(driver, "sign-in page with an error")
    driver.find_element(By.ID, "password").send_keys("flipside-demo")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
    check("coordinator lands on programs", driver.current_url.endswith("/programs"), driver.current_url)
    driver.save_screenshot(os.path.join(ART, "01-programs.png"))

    bad = os.path.join(tmp, "bad.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("\ufeff" + HEADER + "\n")
        f.write('B1,"Lopez, Ana",ana.lopez@example.com,Analyst,two,2025-02-30,Sales,Lisbon,Europe/Lisbon,P00001,retail\n')
        f.write("B2,Bo Chen,bo.chen@example.com,Analyst,1,2025-03-01,Sales,Lisbon,Mars/Base,NOBODY,\n")
    driver.get(base + "/people/import")
    driver.find_element(By.ID, "file").send_keys(bad)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]"))
    table = driver.find_element(By.ID, "problems-table").text
    check("the error table lists every problem", all(s in table for s in ["not a level number", "not a date", "IANA", "unknown manager"]), table)
    check("nothing was imported", "Nothing was changed" in driver.find_element(By.ID, "import-errors").text)
    accessible(driver, "import page with its error table")
    driver.save_screenshot(os.path.join(ART, "02-import-errors.png"))

    good = os.path.join(tmp, "good.csv")
    with open(good, "w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        f.write('B1,"Lopez, Ana",ana.lopez@example.com,Analyst,2,2025-02-28,Sales,Lisbon,Europe/Lisbon,P00001,retail\n')
        f.write("B2,Bo Chen,bo.chen@example.com,Analyst,1,2025-03-01,Sales,Lisbon,Europe/Lisbon,B1,\n")
    driver.find_element(By.ID, "file").send_keys(good)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]"))
    check("the good file imports", "2 created" in driver.find_element(By.ID, "import-result").text)

    # An HR export as it comes: its own column names, ';'-separated, text grades, dotted dates, no time zone.
    export = os.path.join(tmp, "export.csv")
    with open(export, "w", encoding="utf-8") as f:
        f.write("Person No;Full Name;Work Email;Role;Grade;Joined;Team;Office;Boss;State\n")
        f.write("H1;Hana Export;hana.export@example.com;Analyst;L2;01.09.2024;Sales;Lisbon;P00001;Employed\n")
    driver.find_element(By.ID, "file").send_keys(export)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]"))
    check("an export that does not read yet asks for its mapping",
          len(driver.find_elements(By.ID, "mapping-form")) == 1 and "employee_id" in driver.find_element(By.ID, "mapping-missing").text)
    accessible(driver, "the mapping form")
    from selenium.webdriver.support.ui import Select
    for column, field in [("column_0", "employee_id"), ("column_3", "title"), ("column_5", "hire_date"), ("column_8", "manager_id")]:
        Select(driver.find_element(By.ID, column)).select_by_value(field)
    driver.find_element(By.ID, "grade_0").send_keys("2")
    Select(driver.find_element(By.ID, "date_format")).select_by_value("DD.MM.YYYY")
    driver.find_element(By.ID, "time_zone").send_keys("Europe/Lisbon")
    driver.save_screenshot(os.path.join(ART, "02b-mapping.png"))
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#mapping-form button[type=submit]"))
    check("the export imports with its mapping", "1 created" in driver.find_element(By.ID, "import-result").text,
          driver.find_element(By.TAG_NAME, "main").text[:500])
    with open(export, "w", encoding="utf-8") as f:
        f.write("Person No;Full Name;Work Email;Role;Grade;Joined;Team;Office;Boss;State\n")
        f.write("H1;Hana Exported;hana.export@example.com;Analyst;L2;01.09.2024;Sales;Lisbon;P00001;Employed\n")
    driver.find_element(By.ID, "file").send_keys(export)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]"))
    check("the next export with the same columns needs no mapping", "1 updated" in driver.find_element(By.ID, "import-result").text)

    driver.get(base + "/people?q=lopez")
    rows = driver.find_elements(By.CSS_SELECTOR, "#people-table tbody tr")
    check("the new person is in the directory", len(rows) == 1 and "Lopez, Ana" in rows[0].text, str([r.text for r in rows]))
    driver.get(base + "/people")
    driver.save_screenshot(os.path.join(ART, "03-people.png"))
    accessible(driver, "people directory")
    driver.get(base + "/people/B2")
    line = driver.find_element(By.ID, "reporting-line").text.splitlines()
    check("the person page shows the reporting line top-down", len(line) >= 3 and "Lopez, Ana" in line[-2] and "Bo Chen" in line[-1], str(line))
    accessible(driver, "person page")

    driver.get(base + "/programs")
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Digital Fluency"))
    submit(driver, driver.find_element(By.LINK_TEXT, "Preview matches"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#pairs-table tbody tr")
    check("the match preview proposes explained pairs", len(rows) >= 30 and "wants" in rows[0].text, str(len(rows)))
    options = driver.find_elements(By.CSS_SELECTOR, "#alternatives-table ul.options li")
    check("each mentee's alternatives say what switching costs the program",
          len(options) >= 60 and all("program total" in o.text for o in options), str(len(options)))
    driver.save_screenshot(os.path.join(ART, "03b-matches.png"))
    accessible(driver, "match preview")

    # The coordinator edits the program through its form (no JavaScript involved).
    driver.back()
    submit(driver, driver.find_element(By.LINK_TEXT, "Edit program"))
    purpose = driver.find_element(By.ID, "purpose")
    check("the edit form shows the stored purpose", len(purpose.get_attribute("value")) > 10, purpose.get_attribute("value"))
    accessible(driver, "program edit form")
    purpose.clear()
    purpose.send_keys("Fluency in the tools our customers already use.")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#program-form button[type=submit]"))
    check("the saved purpose shows on the program page", "Fluency in the tools our customers already use." in driver.page_source)
    accessible(driver, "program page")

    # A sign-in link for a newly imported person (Bo Chen), opened after signing out: he sets a password.
    driver.get(base + "/people/B2")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]"))
    link = driver.find_element(By.ID, "invitation-url").text
    check("the person page shows a one-time sign-in link", "/invite/" in link, link)

    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
    check("sign out returns to the login page", "/login" in driver.current_url)

    driver.get(base + link[link.index("/invite/"):])
    accessible(driver, "set-password page")
    driver.find_element(By.ID, "password").send_keys("bo's own password!")
    driver.find_element(By.ID, "confirm").send_keys("bo's own password!")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#invite-form button[type=submit]"))
    check("the invited person sets a password and lands on their profile",
          driver.current_url.endswith("/me") and "Bo Chen" in driver.page_source, driver.current_url)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))

    # A participant enrols through the form (no JavaScript involved).
    participant = [l for l in open(os.path.join(tmp, "server.log")) if "participant:" in l][0].split()[1]
    sign_in(driver, base, participant)
    check("participant lands on their profile", driver.current_url.endswith("/me"), driver.current_url)
    accessible(driver, "participant's profile")
    driver.save_screenshot(os.path.join(ART, "04-me.png"))
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Digital Fluency"))
    own = driver.find_element(By.ID, "own-enrolment").text
    check("participant sees their own enrolment", "mentor" in own, own)
    submit(driver, driver.find_element(By.LINK_TEXT, "Change"))
    accessible(driver, "enrolment form")
    cadence = driver.find_element(By.ID, "cadence")
    cadence.find_element(By.CSS_SELECTOR, "option[value='monthly']").click()
    driver.find_element(By.ID, "availability").clear()
    driver.find_element(By.ID, "availability").send_keys("14-16")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
    own = driver.find_element(By.ID, "own-enrolment").text
    check("the changed enrolment is saved", "monthly" in own, own)
    driver.save_screenshot(os.path.join(ART, "05-own-enrolment.png"))

    # The participant is also a mentor in the published pilot: they read why they were paired and accept.
    driver.get(base + "/me")
    participant_name = driver.find_element(By.CSS_SELECTOR, "p.lede").text.split(" · ")[0]
    my_pairs = driver.find_element(By.ID, "my-pairs").text
    check("the participant's profile lists their proposed pair", "waiting for your answer" in my_pairs, my_pairs)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#my-pairs a"))
    why = driver.find_element(By.ID, "why").text
    check("the pair page says in plain words why the two were paired", "wants to learn" in why or "not list" in why, why)
    accessible(driver, "pair page")
    driver.save_screenshot(os.path.join(ART, "06-pair.png"))
    driver.find_element(By.ID, "answer-accept").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#response-form button[type=submit]"))
    status = driver.find_element(By.ID, "pair-status").text
    check("the mentor's acceptance is recorded", participant_name + " accepted" in status, status)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))

    # Self-matching: the demo mentee asks the participant to be their reverse mentor; the participant accepts.
    mentee = [l for l in open(os.path.join(tmp, "server.log")) if "mentee:" in l][0].split()[1]
    sign_in(driver, base, mentee)
    driver.get(base + "/programs")
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Open Mentoring Circle"))
    submit(driver, driver.find_element(By.ID, "choose-link"))
    accessible(driver, "choose-a-mentor page")
    rows = driver.find_elements(By.CSS_SELECTOR, "#suggestions tbody tr")
    check("the mentee sees ranked suggestions with what each can teach", len(rows) >= 3, str(len(rows)))
    submit(driver, driver.find_element(By.CSS_SELECTOR, f"button[aria-label='Ask {participant_name}']"))
    status = driver.find_element(By.ID, "pair-status").text
    check("the request waits for the mentor", "waiting for " + participant_name in status, status)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
    sign_in(driver, base, participant)
    requests = [a for a in driver.find_elements(By.CSS_SELECTOR, "#my-pairs li") if "requested" in a.text]
    check("the mentor sees the request on their profile", len(requests) == 1, str([a.text for a in requests]))
    submit(driver, requests[0].find_element(By.TAG_NAME, "a"))
    driver.find_element(By.ID, "answer-accept").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#response-form button[type=submit]"))
    status = driver.find_element(By.ID, "pair-status").text
    check("the mentor accepts the request: the partnership is on", "Accepted by both" in status, status)
    partnership(driver, base, mentee, participant)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))

    # The coordinator runs the matching on the demo program, adjusts, re-runs, compares and publishes.
    sign_in(driver, base, "coordinator@demo.flipside.test")
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Digital Fluency"))
    submit(driver, driver.find_element(By.CSS_SELECTOR, "button[name='status'][value='matching']"))
    submit(driver, driver.find_element(By.ID, "matching-link"))
    accessible(driver, "matching page")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#run-form button[type=submit]"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#run-pairs tbody tr")
    check("a stored run pairs the program with the reasons", len(rows) >= 30 and "Topics the mentor can teach" in rows[0].text, str(len(rows)))
    accessible(driver, "run page")
    driver.save_screenshot(os.path.join(ART, "07-run.png"))
    first_run = driver.current_url
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#run-pairs tbody tr:nth-child(1) button[aria-label^='Lock']"))
    check("after a lock the run is marked as changed since", len(driver.find_elements(By.ID, "stale-note")) == 1, driver.current_url)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#run-pairs tbody tr:nth-child(2) button[aria-label^='Exclude']"))
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Matching"))
    rules = driver.find_element(By.ID, "rules-table").text
    check("the lock and the exclusion are listed", "Locked together" in rules and "Never together" in rules, rules)
    driver.find_element(By.ID, "algorithm-fair").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#run-form button[type=submit]"))
    second_run = driver.current_url
    table = driver.find_element(By.ID, "run-pairs").text
    check("the re-run honours the lock", "locked" in table, table[:300])
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Matching"))
    second = driver.find_element(By.ID, "second")
    second.find_element(By.CSS_SELECTOR, f"option[value='{first_run.rsplit('/', 1)[1]}']").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#compare-form button[type=submit]"))
    changes = driver.find_element(By.ID, "compare-changes").text
    check("two runs are compared: pairs, total, mean and lowest", all(w in changes for w in ["Pairs", "Total", "Mean", "Lowest"]), changes)
    accessible(driver, "run comparison")
    driver.get(second_run)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#publish-form button[type=submit]"))
    published = driver.find_elements(By.CSS_SELECTOR, "#published-pairs tbody tr")
    check("publishing makes proposed pairs and the program active",
          len(published) >= 30 and "active" in driver.find_element(By.ID, "program-status").text, str(len(published)))
    driver.save_screenshot(os.path.join(ART, "08-published.png"))

    # The pilot's partnerships: health flags without words, and retention against a comparison group.
    driver.get(base + "/programs")
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Reverse Mentoring Pilot"))
    submit(driver, driver.find_element(By.ID, "health-link"))
    health = driver.find_element(By.ID, "health-table").text
    check("the pilot's health shows flags, never words", "unhappy" in health and "No meeting logged" in health and "answer them yourself" not in health, health[:300])
    accessible(driver, "partnership health")
    driver.back()
    submit(driver, driver.find_element(By.ID, "outcomes-link"))
    check("the outcomes page draws retention as SVG with a data table",
          len(driver.find_elements(By.CSS_SELECTOR, "#retention-chart svg[role=img]")) == 1 and len(driver.find_elements(By.ID, "retention-table")) == 1, "")
    accessible(driver, "outcomes")
    driver.save_screenshot(os.path.join(ART, "10-outcomes.png"))

    # Last year's closed program: its retention curves, its bar charts, their tables.
    driver.get(base + "/programs")
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Reverse Mentoring 2025"))
    submit(driver, driver.find_element(By.ID, "outcomes-link"))
    charts = driver.find_elements(By.CSS_SELECTOR, "figure svg[role=img]")
    rows = driver.find_elements(By.CSS_SELECTOR, "#retention-table tbody tr")
    check("the closed program's outcomes page draws its retention curves and bar charts, each with a table",
          len(driver.find_elements(By.CSS_SELECTOR, "#retention-chart svg polyline")) >= 1 and len(charts) >= 5 and len(rows) == 3
          and len(driver.find_elements(By.ID, "crossings")) == 1 and len(driver.find_elements(By.ID, "by-month")) == 1, f"{len(charts)} charts, {len(rows)} rows")
    promoted = driver.find_elements(By.CSS_SELECTOR, "#promotion-table tbody tr")
    check("the closed program's outcomes page shows its mentors' promotion against their comparison group, with a chart",
          len(promoted) == 2 and "Mentors (junior side)" in promoted[0].text
          and len(driver.find_elements(By.CSS_SELECTOR, "#promotion-figure svg[role=img]")) == 1
          and len(driver.find_elements(By.ID, "promotion-test")) == 1, " | ".join(r.text for r in promoted))
    accessible(driver, "closed program outcomes")
    driver.save_screenshot(os.path.join(ART, "11-closed-program-outcomes.png"))

    # The organisation overview, from the main navigation.
    submit(driver, driver.find_element(By.LINK_TEXT, "Outcomes"))
    table = driver.find_element(By.ID, "overview-programs").text
    check("the organisation overview compares every program with charts and a table",
          "Reverse Mentoring 2025" in table and len(driver.find_elements(By.CSS_SELECTOR, "#overview-retention svg[role=img] rect")) >= 1
          and len(driver.find_elements(By.CSS_SELECTOR, "#overview-participation svg[role=img]")) == 1, table[:300])
    accessible(driver, "organisation overview")
    driver.save_screenshot(os.path.join(ART, "12-overview.png"))

    # The audit trail: what the coordinator did in this run, filtered by action.
    submit(driver, driver.find_element(By.LINK_TEXT, "Audit"))
    trail = driver.find_element(By.ID, "audit-table").text
    check("the audit trail lists this session's imports, runs and publishing", "HR import" in trail and "match run published" in trail, trail[:300])
    from selenium.webdriver.support.ui import Select
    Select(driver.find_element(By.ID, "action")).select_by_value("run.published")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#audit-filter button[type=submit]"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#audit-table tbody tr")
    check("the audit trail filters by action", len(rows) >= 1 and all("published" in r.text for r in rows), str([r.text for r in rows])[:300])
    accessible(driver, "audit trail")
    driver.save_screenshot(os.path.join(ART, "13-audit.png"))

    # Inviting a whole program by email: queued once, listed on the Outgoing messages page (kept: no SMTP_URL here).
    submit(driver, driver.find_element(By.LINK_TEXT, "Programs"))
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Digital Fluency"))
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#invite-all button[type=submit]"))
    notice = driver.find_element(By.ID, "messages-notice").text
    rows = driver.find_elements(By.CSS_SELECTOR, "#messages-table tbody tr")
    check("a program's invitations are queued and listed on the Outgoing messages page",
          "invitations queued" in notice and len(rows) >= 1 and any("invitation" in r.text for r in rows)
          and "SMTP_URL is not set" in driver.find_element(By.TAG_NAME, "main").text, notice + " " + str([r.text for r in rows[:3]]))
    accessible(driver, "outgoing messages")
    driver.save_screenshot(os.path.join(ART, "14-messages.png"))
    kinds = {r.find_elements(By.TAG_NAME, "td")[2].text for r in rows}
    check("the program's own messages are listed too (proposals, requests, calendar invitations)",
          {"proposal", "calendar"} <= kinds and any(k in kinds for k in ("request", "request_answered")), str(kinds))
    check("each program has a chat channel form", len(driver.find_elements(By.CSS_SELECTOR, "form.chat-webhook input[type=url]")) >= 3)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))

    # A participant chooses what reaches them, and a one-click unsubscribe link works without signing in.
    sign_in(driver, base, participant)
    submit(driver, driver.find_element(By.ID, "messages-link"))
    driver.find_element(By.CSS_SELECTOR, "input[name='meeting_reminder'][value='none']").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#message-preferences button[type=submit]"))
    check("the preferences form saves a choice", len(driver.find_elements(By.ID, "saved")) == 1
          and driver.find_element(By.CSS_SELECTOR, "input[name='meeting_reminder'][value='none']").is_selected())
    check("the sign-in invitation cannot be switched off", len(driver.find_elements(By.CSS_SELECTOR, "input[name='invitation']")) == 0
          and "Always by email" in driver.find_element(By.ID, "kind-invitation").text)
    accessible(driver, "message preferences")
    driver.save_screenshot(os.path.join(ART, "15-message-preferences.png"))
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
    import sqlite3
    database = sqlite3.connect(f"{tmp}/browser.sqlite")
    employee = database.execute("SELECT employee_id FROM users WHERE email = ?", (participant,)).fetchone()[0]
    token = "Browser-unsubscribe-token-0123456789abcdefg"[:43].ljust(43, "x")
    database.execute("INSERT INTO message_tokens (recipient, token, created_at) VALUES (?, ?, 0) ON CONFLICT (recipient) DO UPDATE SET token = excluded.token", (employee, token))
    database.commit()
    driver.get(f"{base}/unsubscribe/{token}/check_in_due")
    check("an unsubscribe link first asks", "Stop getting" in driver.find_element(By.TAG_NAME, "main").text)
    accessible(driver, "unsubscribe")
    submit(driver, driver.find_element(By.ID, "unsubscribe"))
    check("one click stops that kind", len(driver.find_elements(By.ID, "unsubscribed")) == 1)
    stored = database.execute("SELECT channel FROM message_preferences WHERE recipient = ? AND kind = 'check_in_due'", (employee,)).fetchone()
    check("the choice is stored", stored == ("none",), str(stored))
    database.close()

    # Who could teach me? The demo senior asks across the organisation and sends one person a kind request.
    sign_in(driver, base, mentee)
    submit(driver, driver.find_element(By.LINK_TEXT, "Who could teach me?"))
    driver.find_element(By.ID, "topics").send_keys("generative ai; figma")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#who-could-teach button[type=submit]"))
    people = driver.find_elements(By.CSS_SELECTOR, "#candidates > li")
    check("who could teach me names open colleagues, best first, with why", len(people) >= 3 and "more junior than you" in people[0].text
          and "Knows " in people[0].text, driver.find_element(By.TAG_NAME, "main").text[:600])
    accessible(driver, "who could teach me")
    driver.save_screenshot(os.path.join(ART, "16-who-could-teach.png"))
    other = [p for p in people if participant_name not in p.find_element(By.TAG_NAME, "h3").text][0]
    form = other.find_element(By.CSS_SELECTOR, "form.ask-form")
    form.find_element(By.TAG_NAME, "textarea").send_keys("Could you show me the shortcuts you use every day?")
    submit(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    check("the request is sent and waits for an answer", "waiting for an answer" in driver.find_element(By.ID, "sent").text,
          driver.find_element(By.TAG_NAME, "main").text[:300])
    accessible(driver, "requests and nominations")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
    # The participant reads the senior's request (the demo's) and says not this time; their teaching profile is open.
    sign_in(driver, base, participant)
    submit(driver, driver.find_element(By.ID, "asks-link"))
    received = driver.find_element(By.ID, "received")
    check("the participant sees a senior's request", "would like to learn from you" in received.text, received.text[:200])
    submit(driver, received.find_element(By.PARTIAL_LINK_TEXT, "would like to learn from you"))
    check("the request's note is theirs to read", "I keep hearing about" in driver.find_element(By.ID, "ask-message").text)
    check("saying yes offers the programs open for enrolment, or says none is", len(driver.find_elements(By.CSS_SELECTOR, "#accept-form select option")) >= 1
          or len(driver.find_elements(By.ID, "no-program")) == 1)
    accessible(driver, "a request to answer")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#decline-form button[type=submit]"))
    check("not this time, without a reason", "Nobody is told why" in driver.find_element(By.ID, "done").text)
    driver.get(base + "/me/teaching")
    check("the participant's teaching profile is open to being asked", driver.find_element(By.ID, "open_to_requests").is_selected())
    accessible(driver, "teaching profile")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
    # The program team: the program's gaps, inviting someone to enrol, and whom it reaches.
    sign_in(driver, base, "coordinator@demo.flipside.test")
    driver.get(base + "/programs")
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Digital Fluency 2027"))
    submit(driver, driver.find_element(By.ID, "gaps-link"))
    check("the gaps page lists topics without a mentor or says there are none",
          len(driver.find_elements(By.CSS_SELECTOR, "div.gap")) + len(driver.find_elements(By.ID, "no-gaps")) >= 1)
    accessible(driver, "gaps and recruiting")
    driver.save_screenshot(os.path.join(ART, "17-gaps.png"))
    boxes = driver.find_elements(By.CSS_SELECTOR, "#invite-form input[type=checkbox]")
    check("people can be ticked only while the program takes new people",
          bool(boxes) == bool(driver.find_elements(By.CSS_SELECTOR, "#invite-form button[type=submit]")))
    if boxes:
        boxes[0].click()
        submit(driver, driver.find_element(By.CSS_SELECTOR, "#invite-form button[type=submit]"))
        check("inviting a ticked person to enrol", "1 invited" in driver.find_element(By.ID, "invited").text or "already" in driver.find_element(By.ID, "invited").text)
    else:
        driver.get(driver.current_url.replace("/gaps", "/funnel"))
    check("the funnel shows every stage", len(driver.find_elements(By.CSS_SELECTOR, "#funnel-totals th")) == 6
          and len(driver.find_elements(By.CSS_SELECTOR, "#invitations tbody tr")) >= 8)
    accessible(driver, "whom the program reaches")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))


def set_value(driver, element_id, value):
    """Date and time inputs take their value in ISO form whatever the browser's locale shows."""
    driver.execute_script("document.getElementById(arguments[0]).value = arguments[1];", element_id, value)


def partnership(driver, base, mentee, mentor):
    """One partnership from the agreement to the closing check-in, with an anonymous concern answered
    by the program team and read with its code. Starts on the pair page, signed in as the mentor."""
    import datetime
    today = datetime.date.today()
    pair_url = driver.current_url.split("#")[0]
    driver.find_element(By.ID, "goal_title_0").send_keys("Try the new expense app together")
    driver.find_element(By.ID, "goal_success_0").send_keys("Expenses filed in the app, not by email")
    # The first meeting is the day they became a pair (not earlier), at midnight in the meetings' zone, so
    # that it has taken place and can be logged.
    import zoneinfo
    zone = driver.find_element(By.ID, "time_zone").get_attribute("value") or "UTC"
    local_today = datetime.datetime.now(zoneinfo.ZoneInfo(zone)).date()
    set_value(driver, "first_meeting", f"{local_today}T00:00")
    set_value(driver, "end_date", str(today + datetime.timedelta(days=90)))
    driver.find_element(By.ID, "draft-pledge").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#agreement-form button[type=submit]"))
    check("the mentor drafts goals, rhythm and the pledge", len(driver.find_elements(By.ID, "agreement-pending")) == 1,
          driver.find_element(By.TAG_NAME, "main").text[:300])
    driver.find_element(By.ID, "text-kind").find_element(By.CSS_SELECTOR, "option[value='feedback']").click()
    driver.find_element(By.ID, "text-body").send_keys("You decide before the juniors have spoken")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#text-form button[type=submit]"))
    driver.find_element(By.ID, "text-body").send_keys("Journal: saying that felt risky")
    driver.find_element(By.ID, "text-visibility").find_element(By.CSS_SELECTOR, "option[value='only_me']").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#text-form button[type=submit]"))
    texts = driver.find_element(By.ID, "texts").text
    check("the mentor's candid feedback and private journal are on the page for them", "decide before" in texts and "felt risky" in texts, texts)
    accessible(driver, "partnership section")
    driver.save_screenshot(os.path.join(ART, "09-partnership.png"))
    # An anonymous concern, its code shown once.
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Raise a concern anonymously"))
    driver.find_element(By.ID, "concern-body").send_keys("Our meetings keep being moved at the last minute")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#concern-form button[type=submit]"))
    code = driver.find_element(By.ID, "concern-code").text.strip()
    check("raising a concern shows its code once", len(code) == 24, code)
    accessible(driver, "concern raised")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))

    # The mentee accepts the agreement, reads the feedback (not the journal), answers it, logs the first
    # meeting, checks in, plans an action, then ends early and closes with a check-in.
    sign_in(driver, base, mentee)
    driver.get(pair_url)
    driver.find_element(By.ID, "accept-pledge").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#accept-form button[type=submit]"))
    check("both accepted: the agreement is in force", len(driver.find_elements(By.ID, "agreement-current")) == 1
          and "active" in driver.find_element(By.ID, "partnership-status").text, driver.find_element(By.ID, "partnership-status").text)
    texts = driver.find_element(By.ID, "texts").text
    check("the mentee reads the feedback but not the mentor's journal", "decide before" in texts and "felt risky" not in texts, texts)
    reply = driver.find_element(By.CSS_SELECTOR, "#texts textarea")
    reply.send_keys("Fair. I will speak last in the next review.")
    submit(driver, reply.find_element(By.XPATH, "ancestor::form").find_element(By.CSS_SELECTOR, "button[type=submit]"))
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#meeting-form button[type=submit]"))
    check("the mentee logs the first meeting", "held" in driver.find_element(By.ID, "meeting-log").text, "")
    driver.find_element(By.ID, "satisfaction-4").click()
    driver.find_element(By.ID, "direction-yes").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#check-in-form button[type=submit]"))
    check("the mentee checks in", "partnership" in driver.current_url or len(driver.find_elements(By.ID, "partnership")) == 1, driver.current_url)
    driver.find_element(By.ID, "action-what").send_keys("Move team expenses to the app by the end of the month")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#action-form button[type=submit]"))
    check("the mentee plans an action", "expenses to the app" in driver.find_element(By.ID, "actions").text, "")
    driver.find_element(By.CSS_SELECTOR, "#end-partnership summary").click()
    driver.find_element(By.ID, "end-reason").send_keys("My team is being reorganised")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#end-form button[type=submit]"))
    driver.find_element(By.ID, "value-5").click()
    driver.find_element(By.ID, "again-yes").click()
    driver.find_element(By.ID, "changed").send_keys("I ask the juniors first now")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#closing-form button[type=submit]"))
    check("the closing check-in is answered once", len(driver.find_elements(By.ID, "closing-form")) == 0
          and "ended" in driver.find_element(By.ID, "partnership-status").text, driver.find_element(By.ID, "partnership-status").text)
    accessible(driver, "partnership after closing")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))

    # The coordinator answers the concern from the inbox: nothing says who raised it.
    sign_in(driver, base, "coordinator@demo.flipside.test")
    driver.get(base + "/programs")
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Open Mentoring Circle"))
    submit(driver, driver.find_element(By.ID, "concerns-link"))
    inbox = driver.find_element(By.TAG_NAME, "main").text
    check("the concern is in the program team's inbox, without a name", "moved at the last minute" in inbox and mentor.split("@")[0] not in inbox.lower(), inbox[:300])
    accessible(driver, "concerns inbox")
    driver.find_element(By.CSS_SELECTOR, "section.concern textarea").send_keys("Thank you. We will remind both sides to keep the agreed times.")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "section.concern button[type=submit]"))
    driver.get(pair_url)
    page = driver.find_element(By.TAG_NAME, "main").text
    check("the coordinator sees the end reason but none of the pair's words", "reorganised" in page and "decide before" not in page
          and "felt risky" not in page and "expense app together" not in page, page[:400])
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
    # Whoever has the code reads the answer, signed out.
    driver.get(base + "/concerns/read")
    driver.find_element(By.ID, "code").send_keys(code)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#read-form button[type=submit]"))
    thread = driver.find_element(By.ID, "concern-thread").text
    check("the reporter reads the answer with the code", "keep the agreed times" in thread, thread)
    accessible(driver, "concern answers")
    sign_in(driver, base, mentor)


if __name__ == "__main__":
    sys.exit(main())
