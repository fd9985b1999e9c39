"""Sign-in with a real OpenID Connect provider (oidc-provider-mock) end to end, through its own
authorization form, against `flipside serve`: usage check_oidc.py FLIPSIDE_BINARY WORKDIR."""
import os
import subprocess
import sys
import urllib.parse

import requests

BIN, WORK = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from peer_checks import expect, free_port, wait  # noqa: E402
import peer_checks  # noqa: E402


provider_port, web_port = free_port(), free_port()
issuer, base = f"http://127.0.0.1:{provider_port}", f"http://127.0.0.1:{web_port}"
provider = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "oidc-provider-mock"), "--port", str(provider_port), "--require-nonce", "true"],
                            stdout=open(f"{WORK}/provider.log", "w"), stderr=subprocess.STDOUT)
env = dict(os.environ, DATABASE_URL=f"sqlite://{WORK}/oidc.sqlite", BCRYPT_COST="4", LOG_LEVEL="debug", BASE_URL=base,
           OIDC_ISSUER=issuer, OIDC_CLIENT_ID="flipside", OIDC_CLIENT_SECRET="s3cret-for-the-mock", OIDC_COORDINATOR_GROUP="flipside-coordinators",
           OIDC_PROVIDER_NAME="Example SSO")
people = f"{WORK}/people.csv"
with open(people, "w") as f:
    f.write("employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,status,exit_date\n")
    f.write("C1,Cora Chief,cora@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,,active,\n")
    f.write("J1,Jo Junior,Jo.Junior@Example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,C1,active,\n")
    f.write("L1,Lee Left,lee@example.com,Analyst,2,2020-09-01,Engineering,Berlin,Europe/Berlin,C1,exited,2026-06-30\n")
subprocess.run([BIN, "migrate"], env=env, check=True, capture_output=True)
subprocess.run([BIN, "import", "people", people], env=env, check=True, capture_output=True)
server = subprocess.Popen([BIN, "serve", "--port", str(web_port), "--no-worker"], env=env, stdout=open(f"{WORK}/server.log", "w"), stderr=subprocess.STDOUT)
try:
    wait(issuer + "/.well-known/openid-configuration")
    wait(base + "/healthz")

    def sign_in(sub, claims, session=None):
        """Starts at Flipside, answers the provider's authorization form as `sub`, comes back; returns the
        session, the callback URL and Flipside's answer to it."""
        requests.put(f"{issuer}/users/{urllib.parse.quote(sub)}", json=claims).raise_for_status()
        s = session or requests.Session()
        start = s.get(base + "/auth/oidc", allow_redirects=False)
        assert start.status_code in (302, 303), start.status_code
        authorize = start.headers["location"]
        answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False)
        callback = answer.headers["location"]
        back = s.get(callback, allow_redirects=False)
        return s, callback, back, authorize

    print("== the sign-in page offers the provider")
    page = requests.get(base + "/login").text
    expect('id="oidc-login"' in page and "Sign in with Example SSO" in page and 'name="password"' in page,
           "the sign-in page has 'Sign in with Example SSO' beside the password form")

    print("== a participant, by their verified email (case does not matter)")
    s, callback, back, authorize = sign_in("jo-sub", {"email": "jo.junior@example.com", "email_verified": True, "name": "Jo"})
    query = urllib.parse.parse_qs(urllib.parse.urlparse(authorize).query)
    expect(query.get("code_challenge_method") == ["S256"] and len(query.get("code_challenge", [""])[0]) == 43 and query.get("nonce") and query.get("state"),
           "the authorization request carries PKCE (S256), a nonce and a state")
    expect(back.status_code == 303 and back.headers["location"] == "/me", f"back at Flipside, signed in, on their profile ({back.status_code} {back.headers.get('location')})")
    me = s.get(base + "/me")
    expect(me.status_code == 200 and "Jo Junior" in me.text, "the profile page is theirs")
    expect(s.get(base + "/people").status_code == 403, "as a participant")
    replay = requests.Session().get(callback, allow_redirects=False)
    expect(replay.status_code == 400 and "did not work this time" in replay.text, "the same answer replayed (its state used) is refused")

    print("== a coordinator from the group claim")
    s, _, back, _ = sign_in("cora-sub", {"email": "cora@example.com", "email_verified": True, "groups": ["staff", "flipside-coordinators"]})
    expect(back.status_code == 303 and back.headers["location"] == "/programs", "a member of the coordinators' group lands on the programs")
    expect(s.get(base + "/people").status_code == 200, "and reads the people directory")
    s, _, back, _ = sign_in("cora-sub", {"email": "cora@example.com", "email_verified": True, "groups": ["staff"]})
    expect(back.headers.get("location") == "/me" and s.get(base + "/people").status_code == 403, "out of the group, the next sign-in is a participant's")

    print("== refused, each with a page that says why")
    _, _, back, _ = sign_in("nobody-sub", {"email": "nobody@example.com", "email_verified": True})
    expect(back.status_code == 403 and "has nobody with it" in back.text, "someone the directory does not know: no account is made")
    _, _, back, _ = sign_in("unverified-sub", {"email": "jo.junior@example.com", "email_verified": False})
    expect(back.status_code == 403 and "has not verified your email" in back.text, "an unverified email")
    _, _, back, _ = sign_in("lee-sub", {"email": "lee@example.com", "email_verified": True})
    expect(back.status_code == 403 and "have left the organisation" in back.text, "someone who has left")
    denied = requests.Session()
    start = denied.get(base + "/auth/oidc", allow_redirects=False)
    answer = requests.post(start.headers["location"], data={"action": "deny"}, allow_redirects=False)
    back = denied.get(answer.headers["location"], allow_redirects=False)
    expect(back.status_code == 403 and "did not work this time" in back.text, "the person denies at the provider")
    forged = requests.Session().get(base + "/auth/oidc/callback?state=made-up&code=x", allow_redirects=False)
    expect(forged.status_code == 400, "a made-up state is refused")

    print("== signing out ends the provider's session too")
    s, _, _, _ = sign_in("jo-sub", {"email": "jo.junior@example.com", "email_verified": True})
    csrf = s.get(base + "/me").text.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
    out = s.post(base + "/logout", data={"_csrf": csrf}, allow_redirects=False)
    expect(out.status_code == 303 and out.headers["location"].startswith(issuer + "/oauth2/end_session") and "post_logout_redirect_uri" in out.headers["location"],
           "sign-out goes to the provider's end-session endpoint, then back to Flipside")
    expect(s.get(base + "/me", allow_redirects=False).status_code == 303, "and the Flipside session is over")

    print("== client_secret_post: a client the provider registered for it (and only it)")
    second_port = free_port()
    second = f"http://127.0.0.1:{second_port}"
    registered = requests.post(f"{issuer}/oauth2/clients", json={"redirect_uris": [second + "/auth/oidc/callback"],
                                                                  "token_endpoint_auth_method": "client_secret_post"}).json()

    def serve_with(auth_method, port_number, log_name):
        env_post = dict(env, BASE_URL=f"http://127.0.0.1:{port_number}", OIDC_CLIENT_ID=registered["client_id"],
                        OIDC_CLIENT_SECRET=registered["client_secret"], OIDC_CLIENT_AUTH=auth_method)
        process = subprocess.Popen([BIN, "serve", "--port", str(port_number), "--no-worker"], env=env_post,
                                   stdout=open(f"{WORK}/{log_name}", "w"), stderr=subprocess.STDOUT)
        wait(f"http://127.0.0.1:{port_number}/healthz")
        return process

    def sign_in_at(site, sub):
        s = requests.Session()
        start = s.get(site + "/auth/oidc", allow_redirects=False)
        answer = requests.post(start.headers["location"], data={"sub": sub}, allow_redirects=False)
        return s, s.get(answer.headers["location"], allow_redirects=False)

    post_server = serve_with("client_secret_post", second_port, "server-post.log")
    try:
        s, back = sign_in_at(second, "jo-sub")
        expect(back.status_code in (302, 303) and s.get(second + "/me", allow_redirects=False).status_code == 200,
               "the token request with client_secret_post signs Jo in")
    finally:
        post_server.terminate()
        post_server.wait(timeout=10)
    basic_server = serve_with("client_secret_basic", second_port, "server-basic.log")
    try:
        s, back = sign_in_at(second, "jo-sub")
        expect(back.status_code != 303 or back.headers.get("location", "").startswith("/login") or
               s.get(second + "/me", allow_redirects=False).status_code != 200,
               "the same client with client_secret_basic is refused by the provider (so the method is really used)")
    finally:
        basic_server.terminate()
        basic_server.wait(timeout=10)

    log = open(f"{WORK}/server.log").read() + open(f"{WORK}/server-post.log").read()
    expect(registered["client_secret"] not in log, "the registered client's secret is in no log")
    expect("eyJ" not in log and "s3cret-for-the-mock" not in log, "no token and no client secret in the server's log, at debug level")
    expect("OpenID sign-in refused: email_verified is not true" in log and "OpenID sign-in refused: no person in the directory" in log,
           "the log names which check refused each sign-in")
finally:
    server.terminate()
    provider.terminate()
print(f"{peer_checks.passed} passed, {peer_checks.failed} failed")
sys.exit(1 if peer_checks.failed else 0)
