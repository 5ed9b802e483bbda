"""Issue 26: HTTPS built in. A throwaway CA signs a certificate for pingyi.test (the name a hall's router would resolve
to the laptop); `pingyi serve` gets it through PINGYI_TLS_CERT / PINGYI_TLS_KEY. Chromium trusts the CA, resolves the
name to 127.0.0.1, and finds the voting page a secure context, the session cookie Secure, HSTS sent, and the plain
port redirecting. A key that does not belong to the certificate stops the server before it starts."""
import re
import subprocess

import pytest
import requests

from browser import Page, make_driver
from conftest import Server, free_port, run_pingyi

NAME = "pingyi.test"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def spki_hash(cert, cwd):
    """base64(sha256(SubjectPublicKeyInfo)): what Chromium's --ignore-certificate-errors-spki-list takes."""
    pub = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout"], cwd=cwd, check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub, check=True, capture_output=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der, check=True, capture_output=True).stdout
    return subprocess.run(["base64", "-w0"], input=digest, check=True, capture_output=True).stdout.decode()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a server certificate it signed for pingyi.test and 127.0.0.1 (file: leaf then CA, as districts get them),
    its key, and a second key that belongs to nothing."""
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Pingyi throwaway test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", f"/CN={NAME}", cwd=d)
    (d / "ext.cnf").write_text(f"subjectAltName=DNS:{NAME},IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                               "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", "ext.cnf", "-out", "leaf.pem", cwd=d)
    (d / "chain.pem").write_text((d / "leaf.pem").read_text() + (d / "ca.pem").read_text())
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "other.key", cwd=d)
    return {"dir": d, "ca": str(d / "ca.pem"), "cert": str(d / "chain.pem"), "key": str(d / "server.key"),
            "other_key": str(d / "other.key"), "ca_spki": spki_hash("ca.pem", d), "leaf_spki": spki_hash("leaf.pem", d)}


def tls_env(pki, **extra):
    return {"PINGYI_TLS_CERT": pki["cert"], "PINGYI_TLS_KEY": pki["key"], "PINGYI_ADMIN_PASSWORD": "tls-test-pass", **extra}


def test_https_on_the_serve_port_with_hsts_secure_cookies_and_https_vote_address(tmp_path, pki):
    server = Server(str(tmp_path), env=tls_env(pki), ca=pki["ca"])
    try:
        assert f"running at https://127.0.0.1:{server.port}" in server.output(), server.output()
        # Without a public https name the console says to set one (phones opening an IP would see a warning).
        assert "PINGYI_PUBLIC_URL" in server.output()
        health = requests.get(server.url + "/healthz", verify=pki["ca"], timeout=10)
        assert health.status_code == 200
        assert health.headers["Strict-Transport-Security"].startswith("max-age=")
        vote = requests.get(server.url + "/v", verify=pki["ca"], timeout=10)
        assert vote.status_code == 200 and "Strict-Transport-Security" in vote.headers
        # Nothing in clear on the TLS port.
        with pytest.raises(requests.exceptions.RequestException):
            requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=5)
        # The browser's login sets a Secure, HttpOnly cookie.
        login = requests.post(server.url + "/api/v1/session", verify=pki["ca"], timeout=10,
                              json={"username": "admin", "password": "tls-test-pass", "mode": "cookie"})
        assert login.status_code == 200, login.text
        cookie = login.headers["Set-Cookie"]
        assert "pingyi_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie, cookie
        # The address on slips and the projector, without PINGYI_PUBLIC_URL, is the https one the chair used.
        token = requests.post(server.url + "/api/v1/session", verify=pki["ca"], timeout=10,
                              json={"username": "admin", "password": "tls-test-pass"}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        cid = requests.get(server.url + "/api/v1/campaigns", headers=auth, verify=pki["ca"], timeout=10).json()[0]["id"]
        meeting = requests.get(f"{server.url}/api/v1/campaigns/{cid}/meeting", headers=auth, verify=pki["ca"], timeout=10).json()
        assert meeting["voteURL"] == f"https://127.0.0.1:{server.port}/v", meeting["voteURL"]
    finally:
        server.stop()


def test_chromium_trusting_the_ca_finds_a_secure_voting_page_and_the_plain_port_redirects(tmp_path, pki):
    port, plain = free_port(), free_port()
    public = f"https://{NAME}:{port}"
    server = Server(str(tmp_path), env=tls_env(pki, PINGYI_TLS_REDIRECT_PORT=str(plain), PINGYI_PUBLIC_URL=public),
                    port=port, ca=pki["ca"])
    driver = None
    try:
        out = server.output()
        assert f"running at {public}" in out and f"http://127.0.0.1:{plain}" in out, out
        # The plain port answers only with a redirect to the same path on the https name.
        r = requests.get(f"http://127.0.0.1:{plain}/v?x=1", allow_redirects=False, timeout=10)
        assert r.status_code == 308 and r.headers["Location"] == f"{public}/v?x=1", (r.status_code, r.headers)

        driver = make_driver(360, 740, extra_args=[
            f"--host-resolver-rules=MAP {NAME} 127.0.0.1",
            f"--ignore-certificate-errors-spki-list={pki['ca_spki']}"])
        page = Page(driver, public)
        # A phone that typed the plain address (before any HSTS) ends on the https voting page.
        driver.get(f"http://{NAME}:{plain}/v")
        page.el("body")
        assert driver.current_url == f"{public}/v", driver.current_url
        assert driver.execute_script("return window.isSecureContext") is True
        assert driver.execute_script("return location.protocol") == "https:"
        # The chair's login in the browser: the session cookie is Secure and HttpOnly.
        page.open("/")
        page.fill("#username", "admin")
        page.fill("#password", "tls-test-pass")
        page.click("#login-form button")
        page.visible("#campaign-panel")
        session = [c for c in driver.get_cookies() if c["name"] == "pingyi_session"]
        assert session and session[0]["secure"] is True and session[0]["httpOnly"] is True, driver.get_cookies()
        # The projector shows the https address for phones.
        token = requests.post(server.url + "/api/v1/session", verify=pki["ca"], timeout=10,
                              json={"username": "admin", "password": "tls-test-pass"}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        cid = requests.get(server.url + "/api/v1/campaigns", headers=auth, verify=pki["ca"], timeout=10).json()[0]["id"]
        meeting = requests.get(f"{server.url}/api/v1/campaigns/{cid}/meeting", headers=auth, verify=pki["ca"], timeout=10).json()
        assert meeting["voteURL"] == f"{public}/v"
        page.open(meeting["projectorPath"])
        assert f"{public}/v" in driver.page_source
    finally:
        if driver:
            driver.quit()
        server.stop()


def one_line_error(result):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert len(lines) == 1, result.stderr
    assert "错误" in lines[0] and "Error" in lines[0]
    return lines[0]


def test_a_key_that_does_not_match_the_certificate_stops_serve(tmp_path, pki):
    result = run_pingyi(["serve", "--port", str(free_port())], tmp_path,
                        {"PINGYI_TLS_CERT": pki["cert"], "PINGYI_TLS_KEY": pki["other_key"]}, timeout=60)
    line = one_line_error(result)
    assert "不匹配" in line and "does not match" in line, line
    # Refused before the database was touched.
    assert not (tmp_path / "pingyi.sqlite").exists()


@pytest.mark.parametrize("case", ["missing cert", "missing key", "not pem", "only cert", "redirect without tls"])
def test_unusable_tls_settings_stop_serve_with_one_line(tmp_path, pki, case):
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    env = {
        "missing cert": {"PINGYI_TLS_CERT": str(tmp_path / "nowhere.pem"), "PINGYI_TLS_KEY": pki["key"]},
        "missing key": {"PINGYI_TLS_CERT": pki["cert"], "PINGYI_TLS_KEY": str(tmp_path / "nowhere.key")},
        "not pem": {"PINGYI_TLS_CERT": str(tmp_path / "junk.pem"), "PINGYI_TLS_KEY": pki["key"]},
        "only cert": {"PINGYI_TLS_CERT": pki["cert"]},
        "redirect without tls": {"PINGYI_TLS_REDIRECT_PORT": "8081"},
    }[case]
    line = one_line_error(run_pingyi(["serve", "--port", str(free_port())], tmp_path, env, timeout=60))
    assert "PINGYI_TLS_" in line, line
    if case.startswith("missing"):
        assert "文件不存在" in line and "no such file" in line, line
