"""SCIM 2.0 provisioning against `flipside serve`: the third-party checker scim2-tester (RFC 7643/7644),
then the life cycle and the request shapes Entra ID and Okta send. Usage: check_scim.py FLIPSIDE_BINARY WORKDIR.
DATABASE_URL, when set, is the database to run on (PostgreSQL in CI); otherwise a SQLite file in WORKDIR."""
import json
import os
import subprocess
import sys

import requests

BIN, WORK = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from peer_checks import expect, free_port, wait  # noqa: E402
import peer_checks  # noqa: E402


port = free_port()
base = f"http://127.0.0.1:{port}"
env = dict(os.environ, BCRYPT_COST="4", BASE_URL=base)
env.setdefault("DATABASE_URL", f"sqlite://{WORK}/scim.sqlite")
people = f"{WORK}/people.csv"
with open(people, "w") as f:
    f.write("employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,status,exit_date\n")
    f.write("C1,Cora Chief,cora@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,,active,\n")
    f.write("J1,Jo Junior,jo@example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,C1,active,\n")
subprocess.run([BIN, "migrate"], env=env, check=True, capture_output=True)
subprocess.run([BIN, "import", "people", people], env=env, check=True, capture_output=True)
token = subprocess.run([BIN, "scim-token", "create", "scim2-tester", "--quiet"], env=env, check=True, capture_output=True, text=True).stdout.strip()
server = subprocess.Popen([BIN, "serve", "--port", str(port), "--no-worker"], env=env, stdout=open(f"{WORK}/server.log", "w"), stderr=subprocess.STDOUT)
try:
    wait(base + "/healthz")
    scim = base + "/scim/v2"
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}

    print("== scim2-tester (RFC 7643 / 7644 compliance)")
    from httpx2 import Client
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import Status, check_server

    client = SyncSCIMClient(Client(base_url=scim, headers={"Authorization": f"Bearer {token}"}))
    results = check_server(client)
    for result in results:
        status = result.status
        line = f"{status.name:8} {result.title} {('[' + result.resource_type + ']') if getattr(result, 'resource_type', None) else ''} {result.reason or ''}"
        if status in (Status.ERROR, Status.CRITICAL) if hasattr(Status, "CRITICAL") else status == Status.ERROR:
            print("  " + line[:400])
    errors = [r for r in results if r.status.name in ("ERROR", "CRITICAL")]
    successes = [r for r in results if r.status.name == "SUCCESS"]
    expect(not errors and len(successes) >= 20, f"scim2-tester: {len(successes)} checks succeeded, {len(errors)} failed, "
           f"{sum(1 for r in results if r.status.name == 'SKIPPED')} skipped")

    print("== the life cycle over real HTTP")
    r = requests.get(scim + "/Users", headers={"Authorization": "Bearer wrong"})
    expect(r.status_code == 401 and r.headers["content-type"].startswith("application/scim+json")
           and r.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"], "no token: 401 with a SCIM error body")
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    r = requests.post(scim + "/Users", headers=auth, data=json.dumps({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "Nia.Park@example.com",
        "name": {"givenName": "Nia", "familyName": "Park"}, "emails": [{"value": "nia.park@example.com", "type": "work", "primary": True}],
        "active": True, enterprise: {"employeeNumber": "N100", "manager": {"value": "M900"}, "department": "Data"}}))
    expect(r.status_code == 201 and r.json()["id"] == "N100" and r.headers.get("ETag", "").startswith('W/"'), "a joiner is created (201, ETag)", r.text[:300])
    r = requests.post(scim + "/Users", headers=auth, data=json.dumps({
        "userName": "mo@example.com", "emails": [{"value": "mo@example.com"}], enterprise: {"employeeNumber": "M900", "manager": {"value": "C1"}}}))
    expect(r.status_code == 201, "the manager arrives after their report", r.text[:300])
    nia = requests.get(scim + "/Users/N100", headers=auth).json()
    expect(nia[enterprise]["manager"]["value"] == "M900", "the report's manager is set once the manager arrives")
    r = requests.get(scim + "/Users", headers=auth, params={"filter": 'userName eq "nia.park@EXAMPLE.com"'})
    expect(r.json()["totalResults"] == 1, "found by user name, case aside")
    # Jo signs in with a password, then Entra deactivates them: the session ends at once.
    subprocess.run([BIN, "user", "create", "--email", "jo@example.com"], env=env, input="a long password 1\n", text=True, check=True, capture_output=True)
    signed = requests.post(base + "/api/v1/auth/token", json={"email": "jo@example.com", "password": "a long password 1"})
    token_jo = signed.json().get("token", "")
    expect(signed.ok and requests.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {token_jo}"}).status_code == 200, "Jo signs in")
    r = requests.patch(scim + "/Users/J1", headers=auth, data=json.dumps({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]}))
    expect(r.status_code == 200 and r.json()["active"] is False, "Entra's deactivation (\"False\" as a string)", r.text[:300])
    expect(requests.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {token_jo}"}).status_code == 401, "Jo's token is refused at once")
    expect(not requests.post(base + "/api/v1/auth/token", json={"email": "jo@example.com", "password": "a long password 1"}).ok,
           "Jo cannot sign in again while deactivated")
    r = requests.patch(scim + "/Users/J1", headers=auth, data=json.dumps({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": True}}]}))
    expect(r.status_code == 200 and requests.post(base + "/api/v1/auth/token", json={"email": "jo@example.com", "password": "a long password 1"}).ok,
           "reactivated (Okta's shape): Jo signs in again")
    expect(requests.delete(scim + "/Users/N100", headers=auth).status_code == 204
           and requests.get(scim + "/Users/N100", headers=auth).status_code == 404, "DELETE: gone for the provider (404 after)")
finally:
    server.terminate()
    server.wait(timeout=10)

log = open(f"{WORK}/server.log").read()
expect(token not in log, "the provisioning token never reaches the log")

print(f"{peer_checks.passed} passed, {peer_checks.failed} failed")
sys.exit(1 if peer_checks.failed else 0)
