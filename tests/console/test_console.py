"""The web console in headless Chromium (issue 18): an admin creates an account, a user with a
console password, an inline policy and an access key; the user signs in, uses the key from
boto3, browses, queries, edits and deletes an item in the data explorer, sees the metrics, signs
out. Also: names with `<script>` shown as text, CSRF refusal, failed-login slowdown and lockout,
session expiry, the page without builtin auth. Each main page is saved as a screenshot."""

import json
import re
import subprocess
import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import BIN
from pages import (accept_confirm, click, csp_violations, go, login, logout, set_value,
                   table_text, typ, wait_flash, wait_id, wait_text)

EVIL = "Team <script>alert(1)</script>"
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["dynamodb:*", "extenddb:GetMetrics"], "Resource": "*"}]}

state = {}


def api(d):
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE would win over `verify`
    s.verify = str(d.cert)
    return s


def console_login(d, login_, password):
    s = api(d)
    r = s.post(d.url + "/console/api/login", json={"login": login_, "password": password}, timeout=30)
    return s, r


def test_admin_creates_account_user_policy_and_key(deployment, browser, shots):
    d = deployment
    b = browser()
    login(b, d.url, "admin", d.admin_password)
    wait_id(b, "stat-accounts")
    shots(b, "01-dashboard")

    go(b, d.url, "#/accounts")
    typ(b, "account-name", EVIL)
    click(b, "create-account")
    title = wait_text(b, "account-title", "Team")
    assert title.text == EVIL, "shown as typed, not run"
    account = re.search(r"#/account/(\d{12})", b.current_url).group(1)
    # Only the console's own module script is on the page; no alert was raised.
    assert len(b.find_elements(By.TAG_NAME, "script")) == 1
    go(b, d.url, "#/accounts")
    assert EVIL in table_text(b, "accounts-table")
    shots(b, "02-accounts")

    go(b, d.url, "#/users")
    typ(b, "user-name", "carol")
    typ(b, "user-password", "Carol-console-pw-1")
    click(b, "create-user")
    wait_text(b, "user-title", "carol")

    click(b, "add-policy")
    typ(b, "policy-name", "DataAll")
    assert "Statement" in wait_id(b, "policy-document").get_attribute("value"), "starts from the template"
    set_value(b, "policy-document", "{not json")
    click(b, "policy-validate")
    wait_text(b, "policy-note", "Not valid JSON")
    set_value(b, "policy-document", json.dumps({"Version": "2012-10-17", "Statement": []}))
    click(b, "policy-save")
    wait_text(b, "policy-note", "non-empty")
    set_value(b, "policy-document", json.dumps(POLICY))
    click(b, "policy-save")
    wait_flash(b, "Policy saved.")
    wait_text(b, "policies-table", "DataAll")

    click(b, "create-key")
    key_id = wait_id(b, "new-key-id").text
    secret = wait_id(b, "new-key-secret").text
    assert key_id.startswith("AKIA") and len(secret) >= 40
    shots(b, "03-user-new-key")
    logout(b)
    assert not csp_violations(b)
    state.update(account=account, key_id=key_id, secret=secret)


def test_user_signs_in_uses_the_key_and_edits_data(deployment, browser, shots):
    d = deployment
    account = state["account"]
    b = browser()
    login(b, d.url, f"{account}/carol", "Carol-console-pw-1")
    wait_text(b, "user-title", "carol")
    assert not b.find_elements(By.ID, "add-policy"), "a user does not edit its own policies"
    wait_text(b, "keys-table", state["key_id"])
    shots(b, "04-user-self")

    ddb = d.client(state["key_id"], state["secret"])
    ddb.create_table(TableName="console_items", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.get_waiter("table_exists").wait(TableName="console_items", WaiterConfig={"Delay": 0.2})
    ddb.put_item(TableName="console_items",
                 Item={"pk": {"S": "a"}, "n": {"N": "1"}, "note": {"S": "<script>alert(2)</script>"}})
    for k in ("b", "c"):
        ddb.put_item(TableName="console_items", Item={"pk": {"S": k}, "n": {"N": "5"}})

    go(b, d.url, "#/tables")
    assert "console_items" in table_text(b, "tables-table")
    shots(b, "05-tables")

    go(b, d.url, "#/table/console_items")
    wait_text(b, "items-table", "<script>alert(2)</script>")
    assert len(b.find_elements(By.TAG_NAME, "script")) == 1
    shots(b, "06-table-scan")

    # Pages of one item.
    typ(b, "limit", "1")
    click(b, "run")
    wait_text(b, "results-count", "Page 1: 1 item")
    click(b, "next-page")
    wait_text(b, "results-count", "Page 2: 1 item")
    click(b, "prev-page")
    wait_text(b, "results-count", "Page 1: 1 item")

    # A query by partition key.
    Select(wait_id(b, "mode")).select_by_value("Query")
    typ(b, "limit", "25")
    typ(b, "pk-value", "b")
    click(b, "run")
    wait_text(b, "results-count", "Page 1: 1 item")
    rows = table_text(b, "items-table")
    assert "b" in rows.split() and "c" not in rows.split()

    # Edit item a.
    Select(wait_id(b, "mode")).select_by_value("Scan")
    typ(b, "filter", "pk = :v")
    typ(b, "filter-values", '{":v": {"S": "a"}}')
    click(b, "run")
    wait_text(b, "results-count", "Page 1: 1 item")
    b.find_element(By.CSS_SELECTOR, "#items-table .edit-item").click()
    item = json.loads(wait_id(b, "item-json").get_attribute("value"))
    assert item["n"] == {"N": "1"}
    item["n"] = {"N": "2"}
    item["added"] = {"SS": ["x", "y"]}
    set_value(b, "item-json", json.dumps(item))
    shots(b, "07-item-editor")
    click(b, "item-save")
    wait_flash(b, "Item saved.")
    got = ddb.get_item(TableName="console_items", Key={"pk": {"S": "a"}})["Item"]
    assert got["n"] == {"N": "2"} and sorted(got["added"]["SS"]) == ["x", "y"]

    # Delete it.
    wait_text(b, "items-table", "a")
    b.find_element(By.CSS_SELECTOR, "#items-table .edit-item").click()
    click(b, "item-delete")
    accept_confirm(b)
    wait_flash(b, "Item deleted.")
    assert "Item" not in ddb.get_item(TableName="console_items", Key={"pk": {"S": "a"}})

    # An item that is not typed JSON is refused before it is sent.
    click(b, "new-item")
    set_value(b, "item-json", '{"pk": "plain"}')
    click(b, "item-save")
    wait_text(b, "item-note", "typed value")

    go(b, d.url, "#/metrics")
    wait_id(b, "chart-rate")
    deadline = time.time() + 7
    while time.time() < deadline:  # traffic for the charts to draw
        ddb.get_item(TableName="console_items", Key={"pk": {"S": "b"}})
        time.sleep(0.05)
    wait_text(b, "chart-rate-now", "now:", timeout=15)
    assert b.find_elements(By.CSS_SELECTOR, "#chart-rate polyline"), "a line is drawn"
    assert "error" not in wait_id(b, "metrics-status").get_attribute("class")
    shots(b, "08-metrics")

    # An IAM user reads the runtime settings, read-only: no field can be changed.
    go(b, d.url, "#/settings")
    wait_text(b, "settings-table", "gsi_propagation_delay_ms")
    fields = b.find_elements(By.CSS_SELECTOR, "#settings-table input")
    assert fields and all(not f.is_enabled() for f in fields)
    assert not b.find_elements(By.XPATH, "//*[@id='settings-table']//button[text()='Set']")
    logout(b)
    assert not csp_violations(b)


def test_admin_groups_roles_and_settings(deployment, browser, shots):
    d = deployment
    b = browser()
    login(b, d.url, "admin", d.admin_password)
    Select(wait_id(b, "account-picker")).select_by_value(state["account"])
    go(b, d.url, "#/groups")
    typ(b, "group-name", "devs")
    click(b, "create-group")
    wait_text(b, "group-title", "devs")
    Select(wait_id(b, "member-name")).select_by_value("carol")
    click(b, "add-member")
    wait_text(b, "members-table", "carol")
    shots(b, "09-group")

    go(b, d.url, "#/roles")
    typ(b, "role-name", "reader")
    assert "sts:AssumeRole" in wait_id(b, "role-trust").get_attribute("value")
    click(b, "create-role")
    wait_text(b, "role-title", "reader")
    assert "sts:AssumeRole" in wait_id(b, "trust-policy").get_attribute("value")
    shots(b, "10-role")

    go(b, d.url, "#/settings")
    wait_text(b, "settings-table", "gsi_propagation_delay_ms")
    shots(b, "11-settings")

    go(b, d.url, "#/tables")
    wait_text(b, "tables-table", "console_items")
    logout(b)


def test_state_changes_need_the_csrf_token(deployment):
    d = deployment
    s, r = console_login(d, "admin", d.admin_password)
    assert r.status_code == 200, r.text
    cookie = r.headers["Set-Cookie"]
    for attr in ("HttpOnly", "SameSite=Strict", "Secure", "Path=/console"):
        assert attr in cookie
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    csrf = r.json()["csrf"]
    url = d.url + "/console/api/management/accounts"
    r = s.post(url, json={"account_name": "no-token"}, timeout=30)
    assert r.status_code == 403 and r.json()["code"] == "InvalidCsrfToken", r.text
    r = s.post(url, json={"account_name": "no-token"}, headers={"X-CSRF-Token": "0" * 64}, timeout=30)
    assert r.status_code == 403, r.text
    r = s.post(d.url + "/console/api/dynamodb", json={}, timeout=30,
               headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert r.status_code == 403, r.text
    r = s.post(url, json={"account_name": "with-token"}, headers={"X-CSRF-Token": csrf}, timeout=30)
    assert r.status_code == 201, r.text
    r = s.get(d.url + "/console/api/session", timeout=30)
    assert r.status_code == 200, r.text
    r = s.post(d.url + "/console/api/logout", headers={"X-CSRF-Token": csrf}, timeout=30)
    assert r.status_code == 200, r.text
    assert s.get(d.url + "/console/api/session", timeout=30).status_code == 401, "logout ends it at once"
    # The console answers no CORS: other origins cannot read it or pre-flight to it.
    r = s.options(d.url + "/console/api/login", timeout=30, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-csrf-token"})
    assert "Access-Control-Allow-Origin" not in r.headers, r.headers
    r = s.get(d.url + "/console/api/session", timeout=30, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers
    # Without a session, nothing.
    assert api(d).get(url, timeout=30).status_code == 401


def test_failed_logins_are_slowed_then_locked(deployment):
    d = deployment
    s = api(d)
    r = s.post(d.url + "/console/api/login", timeout=30,
               json={"login": "admin", "password": d.admin_password})
    csrf = r.json()["csrf"]
    r = s.post(d.url + f"/console/api/management/accounts/{state['account']}/users", timeout=30,
               headers={"X-CSRF-Token": csrf}, json={"user_name": "locky", "password": "Right-pw-123"})
    assert r.status_code == 201, r.text
    login_ = f"{state['account']}/locky"
    for _ in range(5):
        started = time.monotonic()
        _, r = console_login(d, login_, "wrong")
        assert r.status_code == 401
        assert time.monotonic() - started >= 0.7, "a failed login is held back"
    _, r = console_login(d, login_, "Right-pw-123")
    assert r.status_code == 429, "locked out even with the right password"
    assert int(r.headers["Retry-After"]) >= 1


def test_sessions_expire_when_idle(deployment, browser, monkeypatch):
    d = deployment
    d.stop()
    monkeypatch.setenv("EXTENDDB_CONSOLE__SESSION_IDLE_SECONDS", "3")
    d.start()
    try:
        s, r = console_login(d, "admin", d.admin_password)
        assert s.get(d.url + "/console/api/session", timeout=30).status_code == 200
        time.sleep(1.5)
        assert s.get(d.url + "/console/api/session", timeout=30).status_code == 200, "use renews"
        time.sleep(3.5)
        assert s.get(d.url + "/console/api/session", timeout=30).status_code == 401

        b = browser()
        login(b, d.url, "admin", d.admin_password)
        time.sleep(3.5)
        click(b, "nav-accounts")
        wait_text(b, "login-error", "session ended")
    finally:
        d.stop()
        monkeypatch.delenv("EXTENDDB_CONSOLE__SESSION_IDLE_SECONDS")
        d.start()


def test_without_builtin_auth_the_console_says_how_to_get_it():
    if not BIN:
        pytest.skip("EXTENDDB_BIN not set")
    proc = subprocess.Popen([BIN, "dev", "--in-memory", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        url = None
        for _ in range(20):
            line = proc.stdout.readline()
            m = re.search(r"listening on (http://\S+)", line)
            if m:
                url = m.group(1)
                break
        assert url, "no banner"
        r = requests.get(url + "/console/", timeout=30)
        assert r.status_code == 200 and "--auth builtin" in r.text
        r = requests.get(url + "/console/api/session", timeout=30)
        assert r.status_code == 503 and r.json()["code"] == "ConsoleDisabled"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
