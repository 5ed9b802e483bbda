"""Headless Chromium through Selenium, at desktop or phone size, with screenshots under e2e/artifacts/."""
import os
import shutil

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifacts")
ROOT_JS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Public", "js")


def find_binary(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError(f"none of {names} is installed (apt-get install chromium chromium-driver)")


def make_driver(width=1280, height=900, extra_args=()):
    options = webdriver.ChromeOptions()
    options.binary_location = find_binary("chromium", "chromium-browser", "google-chrome")
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}",
                "--lang=zh-CN", "--force-device-scale-factor=1", *extra_args]:
        options.add_argument(arg)
    # Console messages (Content-Security-Policy violations among them) for csp_violations().
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(find_binary("chromedriver")), options=options)
    driver.set_window_size(width, height)
    return driver


class LookAgainWait(WebDriverWait):
    """Chromium answers a question about an element of a document that a navigation is replacing with "Node with given
    id does not belong to the document" (an unknown error, not a stale reference): a wait looks again, as for a stale
    one (a fresh-clone CI run failed on it once, reading the new ledger item's state right after its form was saved)."""

    def until(self, method, message=""):
        def look(driver):
            try:
                return method(driver)
            except WebDriverException as error:
                if "does not belong to the document" in str(error):
                    return False
                raise
        return super().until(look, message)


class Page:
    """Small helpers with waits, so a failure names the step and the element it waited for."""

    def __init__(self, driver, base_url):
        self.driver = driver
        self.base = base_url
        # Live pages redraw their parts (the console's box actions on every count): an element found a moment ago
        # can be gone, so a wait looks again rather than fail on a stale reference.
        self.wait = LookAgainWait(driver, 15, ignored_exceptions=[StaleElementReferenceException])

    def open(self, path):
        self.driver.get(self.base + path)

    def el(self, css):
        return self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, css)), f"waiting for {css}")

    def visible(self, css):
        return self.wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), f"waiting for visible {css}")

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def fill(self, css, value):
        field = self.visible(css)
        field.clear()
        field.send_keys(value)

    def select(self, css, label):
        from selenium.webdriver.support.ui import Select
        Select(self.visible(css)).select_by_visible_text(label)

    def _click_when_clickable(self, locator, what):
        # Finding and clicking happen in one try, so a redraw between the two makes the wait try again.
        def clicked(driver):
            element = EC.element_to_be_clickable(locator)(driver)
            if not element:
                return False
            element.click()
            return True
        self.wait.until(clicked, what)

    def click(self, css):
        self._click_when_clickable((By.CSS_SELECTOR, css), f"waiting for clickable {css}")

    def click_text(self, text, tag="button"):
        xpath = f"//{tag}[normalize-space()='{text}']"
        self._click_when_clickable((By.XPATH, xpath), f"waiting for {tag} “{text}”")

    def dialog(self, *expected):
        """The open <dialog> (our replacement for prompt/confirm); checks it says each expected text."""
        box = self.visible("dialog[open]")
        for text in expected:
            assert text in box.text, f"the dialog does not say “{text}”: {box.text}"
        return box

    def confirm_dialog(self, *expected, **fields):
        """Fills the open dialog's fields (by label order: field0=…, field1=…) and presses its confirm button."""
        box = self.dialog(*expected)
        inputs = box.find_elements(By.CSS_SELECTOR, "input:not(.unit-filter), select")
        for key, value in fields.items():
            field = inputs[int(key.replace("field", ""))]
            if field.tag_name == "select":
                from selenium.webdriver.support.ui import Select
                Select(field).select_by_visible_text(value)
            else:
                field.clear()
                field.send_keys(value)
        box.find_element(By.CSS_SELECTOR, "button[value=ok]").click()
        self.wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "dialog[open]"), "waiting for the dialog to close")

    def cancel_dialog(self):
        box = self.dialog()
        box.find_element(By.CSS_SELECTOR, "button[value=cancel]").click()
        self.wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "dialog[open]"), "waiting for the dialog to close")

    def text_appears(self, css, text):
        self.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), f"waiting for “{text}” in {css}")

    def flash(self, text):
        self.text_appears("#flash", text)

    def overflowing(self):
        """Elements that stick out past the right edge, and text that sticks out of its own box (clipped or spilling
        over a neighbour) — empty when everything fits. Boxes meant to scroll (overflow auto/scroll) are left alone."""
        return self.driver.execute_script("""
            var w = document.documentElement.clientWidth, out = [];
            function name(e) {
              return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                (e.className && e.className.baseVal === undefined && e.className ? '.' + String(e.className).trim().replace(/ +/g, '.') : '');
            }
            function scrolls(e) {
              for (var n = e; n && n !== document.body; n = n.parentElement) {
                var o = getComputedStyle(n).overflowX;
                if (o === 'auto' || o === 'scroll') return true;
              }
              return false;
            }
            document.querySelectorAll('body *').forEach(function (e) {
              var r = e.getBoundingClientRect();
              // screen-reader-only text is clipped on purpose
              if (r.width <= 2 || getComputedStyle(e).visibility === 'hidden' || e.closest('dialog:not([open]), .visually-hidden')) return;
              if (r.right > w + 1 && document.documentElement.scrollWidth > w + 1) out.push(name(e) + ' → ' + Math.round(r.right));
              else if (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0 && !scrolls(e) &&
                       ['svg', 'input', 'select', 'textarea', 'img', 'canvas', 'button'].indexOf(e.tagName.toLowerCase()) < 0 &&
                       getComputedStyle(e).display !== 'inline')
                out.push(name(e) + ' text ' + e.scrollWidth + ' > ' + e.clientWidth);
            });
            return out.slice(0, 10);""")

    def csp_violations(self):
        """Console messages since the last call that say the Content-Security-Policy blocked something."""
        return [e["message"] for e in self.driver.get_log("browser") if "Content Security Policy" in e.get("message", "")]

    def no_horizontal_scroll(self):
        return not self.overflowing()

    def screenshot(self, name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.driver.save_screenshot(os.path.join(ARTIFACTS, name + ".png"))
