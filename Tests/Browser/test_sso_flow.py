#!/usr/bin/env python3
"""Browser test of company sign-in: headless Chromium signs in through a real OpenID Connect provider
(oidc-provider-mock, from .venv-oidc, started here) end to end — a participant, then a coordinator from
the group claim, who makes a SCIM provisioning token on its page — and someone the directory does not
know is turned away with a page that says why. Pages are checked with axe-core. Usage:
test_sso_flow.py (after scripts/browser-setup.sh and scripts/oidc-check.sh made their environments)."""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_import_flow as flow  # noqa: E402  (its checks, axe audit, free port and submit)

ROOT = flow.ROOT
ART = flow.ART
MOCK = os.path.join(ROOT, ".venv-oidc", "bin", "oidc-provider-mock")


def wait(url):
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def put_user(issuer, sub, claims):
    request = urllib.request.Request(f"{issuer}/users/{urllib.parse.quote(sub)}", data=json.dumps(claims).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).read()


def through_provider(driver, base, issuer, sub, claims):
    """Starts at Flipside's sign-in page, clicks the provider's button, answers its authorization form as `sub`."""
    put_user(issuer, sub, claims)
    driver.delete_all_cookies()
    driver.get(base + "/login")
    flow.submit(driver, driver.find_element(By.ID, "oidc-login"))
    field = driver.find_element(By.NAME, "sub")
    field.clear()
    field.send_keys(sub)
    flow.submit(driver, field.find_element(By.XPATH, "ancestor::form").find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit]"))


def run(driver, base, issuer):
    driver.get(base + "/login")
    flow.check("the sign-in page offers the company sign-in", "Sign in with Example SSO" in driver.page_source)
    flow.accessible(driver, "sign-in page with the company's provider")

    through_provider(driver, base, issuer, "jo-sub", {"email": "Jo.Junior@example.com", "email_verified": True})
    flow.check("a participant signs in through the provider and is back in Flipside",
               driver.current_url.startswith(base) and "jo.junior@example.com" in driver.page_source.lower(), driver.current_url)
    driver.get(base + "/people")
    flow.check("the participant is not a coordinator", "/people" not in driver.current_url or "403" in driver.title or "Only coordinators" in driver.page_source)
    driver.save_screenshot(os.path.join(ART, "20-sso-participant.png"))

    through_provider(driver, base, issuer, "cora-sub", {"email": "cora@example.com", "email_verified": True, "groups": ["flipside-coordinators"]})
    driver.get(base + "/people")
    flow.check("a coordinator from the group claim sees the people directory",
               driver.current_url.endswith("/people") and driver.find_elements(By.ID, "provisioning-link"), driver.current_url)
    driver.find_element(By.ID, "provisioning-link").click()
    flow.check("the provisioning page shows the SCIM address", base + "/scim/v2" in driver.find_element(By.ID, "scim-base").text)
    driver.find_element(By.ID, "token-name").send_keys("Entra ID production")
    flow.submit(driver, driver.find_element(By.CSS_SELECTOR, "#token-form button[type=submit]"))
    token = driver.find_element(By.ID, "new-token").get_attribute("value")
    flow.check("a token is made and shown once", len(token) >= 40 and "Entra ID production" in driver.find_element(By.ID, "token-table").text)
    flow.accessible(driver, "provisioning tokens")
    driver.save_screenshot(os.path.join(ART, "21-provisioning.png"))
    answer = urllib.request.urlopen(urllib.request.Request(base + "/scim/v2/Users?count=1", headers={"Authorization": f"Bearer {token}"}), timeout=5)
    flow.check("the token opens SCIM", answer.status == 200)
    driver.get(base + "/provisioning")
    flow.check("the token is not shown again", token not in driver.page_source)
    flow.submit(driver, driver.find_element(By.CSS_SELECTOR, "#token-table form button[type=submit]"))
    flow.check("revoking it from the page", "revoked" in driver.find_element(By.ID, "token-table").text)
    try:
        urllib.request.urlopen(urllib.request.Request(base + "/scim/v2/Users?count=1", headers={"Authorization": f"Bearer {token}"}), timeout=5)
        flow.check("a revoked token is refused", False)
    except urllib.error.HTTPError as error:
        flow.check("a revoked token is refused", error.code == 401)

    through_provider(driver, base, issuer, "nobody-sub", {"email": "stranger@example.com", "email_verified": True})
    refusal = driver.find_elements(By.ID, "signin-refused")
    flow.check("someone the directory does not know is turned away, with why",
               bool(refusal) and "people directory" in refusal[0].text, refusal[0].text if refusal else driver.current_url)
    flow.accessible(driver, "company sign-in refused")


def main():
    os.makedirs(ART, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="flipside-sso-")
    provider_port, web_port = flow.free_port(), flow.free_port()
    issuer, base = f"http://127.0.0.1:{provider_port}", f"http://127.0.0.1:{web_port}"
    provider = subprocess.Popen([MOCK, "--port", str(provider_port), "--require-nonce", "true"],
                                stdout=open(os.path.join(tmp, "provider.log"), "w"), stderr=subprocess.STDOUT)
    env = dict(os.environ, DATABASE_URL=f"sqlite://{tmp}/sso.sqlite", BCRYPT_COST="4", BASE_URL=base, OIDC_ISSUER=issuer,
               OIDC_CLIENT_ID="flipside", OIDC_CLIENT_SECRET="s3cret-for-the-mock", OIDC_COORDINATOR_GROUP="flipside-coordinators",
               OIDC_PROVIDER_NAME="Example SSO")
    people = os.path.join(tmp, "people.csv")
    with open(people, "w") as f:
        f.write("employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id\n")
        f.write("C1,Cora Chief,cora@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,\n")
        f.write("J1,Jo Junior,Jo.Junior@Example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,C1\n")
    binary = flow.binary()
    subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([binary, "import", "people", people], env=env, check=True, capture_output=True)
    server = subprocess.Popen([binary, "serve", "--port", str(web_port), "--no-worker"], cwd=ROOT, env=env,
                              stdout=open(os.path.join(tmp, "server.log"), "w"), stderr=subprocess.STDOUT)
    try:
        wait(issuer + "/.well-known/openid-configuration")
        wait(base + "/healthz")
        driver = flow.chromium()
        try:
            run(driver, base, issuer)
        finally:
            driver.quit()
    finally:
        server.terminate()
        provider.terminate()
        server.wait(timeout=20)
        provider.wait(timeout=20)
    print(f"{flow.passed} passed, {flow.failed} failed")
    return 1 if flow.failed else 0


if __name__ == "__main__":
    sys.exit(main())
