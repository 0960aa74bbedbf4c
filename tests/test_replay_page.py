"""The replay page in a real browser (headless Chromium, driven by Playwright): the slider,
the arrow keys, links to a step, the loss curve's axes and the names in the tooltips."""

import shutil

import pytest

import micrograd_edu as torch
from micrograd_edu import nn, optim
from micrograd_edu.viz import Recorder

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed"),
]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    """A replay page of 8 steps of a one-layer model, drawn every 3rd step and at the last."""
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    X, y = torch.tensor([[1.0, -2.0], [0.5, 0.5]]), torch.tensor([[1.0], [0.0]])
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    folder = tmp_path_factory.mktemp("replay")
    recorder = Recorder(
        folder, level="tensor", every=3, steps=8, model=model, names={"X": X, "y": y}, png=False
    )
    for _ in range(8):
        loss = nn.MSELoss()(model(X).sigmoid(), y)
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)
        optimizer.step()
    return recorder.finish()["replay"]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def open_page(browser, replay, hash=""):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(replay.resolve().as_uri() + hash)
    return page


def label(page):
    return page.text_content("#label")


def test_the_arrow_keys_step_through_the_recorded_steps(browser, replay):
    page = open_page(browser, replay)
    assert label(page) == "step 1 of 8"
    page.keyboard.press("ArrowRight")
    assert label(page) == "step 4 of 8"
    page.keyboard.press("End")
    assert label(page) == "step 8 of 8"  # the last step is recorded: the trained model
    page.keyboard.press("ArrowRight")
    assert label(page) == "step 8 of 8"
    page.keyboard.press("ArrowLeft")
    assert label(page) == "step 7 of 8"
    page.keyboard.press("Home")
    assert label(page) == "step 1 of 8"
    page.keyboard.press(" ")
    assert page.text_content("#play") == "pause"
    page.keyboard.press(" ")
    assert page.text_content("#play") == "play"
    page.close()


def test_a_step_can_be_linked_to(browser, replay):
    page = open_page(browser, replay, "#step=7")
    assert label(page) == "step 7 of 8"
    assert page.evaluate("location.hash") == "#step=7"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("location.hash") == "#step=4"  # the address follows, ready to copy
    page.close()
    page = open_page(browser, replay, "#step=6&actual")  # between recorded steps: the one before
    assert label(page) == "step 4 of 8"
    assert page.text_content("#zoom") == "fit"
    page.close()


def test_the_loss_curve_has_axes_with_ticks_and_labels(browser, replay):
    page = open_page(browser, replay)
    texts = page.eval_on_selector_all("#curve text", "nodes => nodes.map(n => n.textContent)")
    assert "step" in texts and "loss" in texts
    numbers = [t for t in texts if t.replace(".", "", 1).isdigit()]
    assert len(numbers) >= 4  # ticks on both axes
    assert page.eval_on_selector_all("#curve line", "nodes => nodes.length") >= 6
    page.close()


def test_tooltips_name_the_boxes(browser, replay):
    page = open_page(browser, replay)
    titles = page.eval_on_selector_all("#graph svg title", "nodes => nodes.map(n => n.textContent)")
    assert "weight" in titles and "Addmm" in titles and "X" in titles
    assert not [t for t in titles if t.startswith("%") or t[:1] in "vt" and t[1:].isdigit()]
    hover = page.eval_on_selector_all(
        "#graph svg a", "nodes => nodes.map(n => n.getAttribute('xlink:title'))"
    )
    assert any(h.startswith("weight (1, 2)\ndata: ") for h in hover)
    page.close()


def test_a_loss_that_blew_up_is_a_band_on_the_curve_and_the_page_still_works(browser, tmp_path):
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    X, y = torch.tensor([[1.0, 2.0], [3.0, -1.0]]), torch.tensor([[1.0], [0.0]])
    optimizer = optim.SGD(model.parameters(), lr=1e154)  # the loss is inf from step 2, then nan
    recorder = Recorder(tmp_path, level="tensor", every=2, steps=6, model=model, names={"X": X}, png=False)
    for _ in range(6):
        error = model(X) - y
        loss = (error * error).mean()
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)
        optimizer.step()
    errors = []
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.on("pageerror", lambda e: errors.append(e))
    page.goto(recorder.finish()["replay"].resolve().as_uri() + "#step=3")
    assert errors == []
    assert label(page) == "step 3 of 6" and page.text_content("#now") in (
        "loss at step 3: Infinity",
        "loss at step 3: NaN",
    )
    texts = page.eval_on_selector_all("#curve text", "nodes => nodes.map(n => n.textContent)")
    assert "band: loss nan or inf" in texts
    assert page.eval_on_selector_all("#curve rect", "nodes => nodes.length") == 5  # steps 2 to 6
    page.keyboard.press("Home")
    assert page.text_content("#now").startswith("loss at step 1: 0.")
    page.screenshot(path=str(tmp_path / "page.png"))
    page.close()
