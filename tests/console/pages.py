"""Helpers of tests/console: waiting for and driving the console's elements."""

import time

from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 15


def wait_id(driver, id_, timeout=WAIT):
    return WebDriverWait(driver, timeout).until(EC.visibility_of_element_located((By.ID, id_)))


def wait_text(driver, id_, text, timeout=WAIT):
    WebDriverWait(driver, timeout).until(EC.text_to_be_present_in_element((By.ID, id_), text))
    return driver.find_element(By.ID, id_)


def click(driver, id_):
    wait_id(driver, id_).click()


def typ(driver, id_, text):
    box = wait_id(driver, id_)
    box.clear()
    box.send_keys(text)


def set_value(driver, id_, text):
    """Sets a textarea's value at once (send_keys of JSON is slow and auto-indents nothing, but
    this is faster), then fires input."""
    box = wait_id(driver, id_)
    driver.execute_script("arguments[0].value = arguments[1];"
                          "arguments[0].dispatchEvent(new Event('input'));", box, text)


def accept_confirm(driver, timeout=5):
    end = time.time() + timeout
    while time.time() < end:
        try:
            driver.switch_to.alert.accept()
            return
        except NoAlertPresentException:
            time.sleep(0.1)
    raise AssertionError("no confirmation dialog")


def login(driver, url, user, password):
    driver.get(url + "/console/")
    typ(driver, "login", user)
    typ(driver, "password", password)
    click(driver, "login-submit")
    wait_id(driver, "logout")


def logout(driver):
    click(driver, "logout")
    wait_id(driver, "login-form")


def go(driver, url, hash_):
    driver.get(url + "/console/" + hash_)
    wait_id(driver, "main")


def wait_flash(driver, text, timeout=WAIT):
    return wait_text(driver, "flash", text, timeout)


def table_text(driver, id_, timeout=WAIT):
    for _ in range(50):
        try:
            return wait_id(driver, id_, timeout).text
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"#{id_} kept changing")


def csp_violations(driver):
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
