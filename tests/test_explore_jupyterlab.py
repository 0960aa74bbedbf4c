"""Notebook widgets in a real JupyterLab: a server started for this module, a notebook opened
in headless Chromium (Playwright), its cells run, the widget clicked and typed into.

Two tests: the harness itself (an inline anywidget counter whose click goes through the kernel
and back) and micrograd_edu.viz.explore (click a node, its grad shows in #mge-panel; change a
leaf, the kernel recomputes forward and backward and the numbers on the page follow).

Screenshots go to $MGE_SCREENSHOT_DIR if set, else to pytest's tmp folder (the path is printed).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from micrograd_edu import Value

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
MISSING = [
    name
    for name in ("jupyterlab", "playwright", "anywidget", "ipykernel", "nbformat")
    if importlib.util.find_spec(name) is None
]
pytestmark = [
    pytest.mark.skipif(
        bool(MISSING), reason=f"not installed: {', '.join(MISSING)} (pip install {' '.join(MISSING)})"
    ),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
]

SERVER_START = 60  # seconds for /api/status to answer
FIRST_RUN = 60_000  # ms: the first kernel start and widget load are slow
KERNEL = "micrograd-edu-pytest"
STEP = 15_000  # ms for each later round trip through the kernel


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kernel_pids(runtime: Path) -> list[int]:
    """Processes whose command line names a connection file in our runtime folder (our kernels)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if str(runtime) in cmdline:
                pids.append(int(entry.name))
    return pids


class JupyterLab:
    """A JupyterLab server in a folder of its own, with config, data and runtime folders of its own."""

    def __init__(self, home: Path):
        self.home = home
        self.root = home / "root"
        self.runtime = home / "runtime"
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / "jupyterlab.log"
        config, data = home / "config", home / "data"
        for folder in (self.root, self.runtime, config, data):
            folder.mkdir(parents=True)
        # The kernel is the python running pytest (it has ipykernel and micrograd_edu).
        spec = data / "kernels" / KERNEL  # a name of its own: a venv's own python3 would come first
        spec.mkdir(parents=True)
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        kernel = {"argv": argv, "display_name": "Python 3 (pytest)", "language": "python"}
        (spec / "kernel.json").write_text(json.dumps(kernel))
        # No news or update toasts over the notebook.
        settings = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        notification = {"fetchNews": "false", "checkForUpdates": False}
        (settings / "notification.jupyterlab-settings").write_text(json.dumps(notification))
        self.env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_DATA_DIR": str(data),
            "JUPYTER_RUNTIME_DIR": str(self.runtime),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "IPYTHONDIR": str(home / "ipython"),
            "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
        }
        self.env.pop("JUPYTER_PATH", None)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
            "--ServerApp.port_retries=0", f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}", "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]  # fmt: skip
        if os.geteuid() == 0:  # CI's containers run as root
            command.append("--allow-root")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                command, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + SERVER_START
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer /api/status in {SERVER_START} s:\n{self.log_tail()}")

    def api(self, method: str, path: str, timeout: float = 5):
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def stop(self) -> None:
        """Shut the kernels and the server down: politely, then SIGTERM, then SIGKILL."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                for kernel in self.api("GET", "/api/kernels"):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=10)
                self.api("POST", "/api/shutdown")
            except (OSError, urllib.error.URLError, ValueError):
                pass
        for stop in (proc.terminate, proc.kill):
            if proc.poll() is None:
                stop()
            try:
                proc.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
        with _suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # anything the server left in its own group
        for pid in kernel_pids(self.runtime):  # kernels run in sessions of their own
            with _suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        self.proc = None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def write_notebook(self, name: str, cells: list[str]) -> str:
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nb.metadata["kernelspec"] = {
            "name": KERNEL,
            "display_name": "Python 3 (pytest)",
            "language": "python",
        }
        nbformat.write(nb, self.root / name)
        # A workspace of its own, reset: the notebooks opened before do not come back with it.
        workspace = Path(name).stem
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={self.token}"


class _suppress:
    def __init__(self, *errors):
        self.errors = errors

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        return kind is not None and issubclass(kind, self.errors)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    server = JupyterLab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.start()
        yield server
    finally:
        server.stop()
    leftovers = kernel_pids(server.runtime)
    assert not leftovers, f"kernel processes left running: {leftovers}"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = os.environ.get("MGE_SCREENSHOT_DIR")
    folder = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


# -- the notebook in the browser ----------------------------------------------------------------


class Notebook:
    """A notebook opened in JupyterLab, with the page's console errors collected."""

    def __init__(self, browser, url: str, name: str):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.goto(url)
        # The app is exposed (expose_app_in_browser); wait until the notebook and its kernel are ready.
        self.page.wait_for_function(
            "name => window.jupyterapp?.shell.currentWidget?.sessionContext"
            " && window.jupyterapp.shell.currentWidget.context.path === name",
            arg=name,
            timeout=FIRST_RUN,
        )
        self.page.evaluate(
            """async () => {
                const panel = window.jupyterapp.shell.currentWidget;
                await panel.context.ready;
                await panel.sessionContext.ready;
            }"""
        )
        self.page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'",
            timeout=FIRST_RUN,
        )

    def run_all(self) -> None:
        """Run → Run All Cells (the command behind the menu item), then wait for every cell to finish."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""",
            timeout=FIRST_RUN,
        )
        raised = self.page.evaluate(
            """() => {
                const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
                const raised = [];
                for (let i = 0; i < cells.length; i++) {
                    const outputs = cells.get(i).toJSON().outputs || [];
                    for (const o of outputs) {
                        if (o.output_type === "error") raised.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
                    }
                }
                return raised;
            }"""
        )
        assert not raised, f"a cell raised: {raised}"

    def wait_for(self, selector: str, timeout: float, screenshot: Path) -> None:
        """Wait for `selector`; if it never comes, say what the page showed (and keep a picture)."""
        try:
            self.page.locator(selector).first.wait_for(timeout=timeout)
        except Exception as e:
            self.page.screenshot(path=screenshot)
            outputs = self.page.locator(".jp-OutputArea").all_inner_texts()
            raise AssertionError(
                f"{selector} did not appear in {timeout / 1000:g} s ({type(e).__name__}); "
                f"outputs: {outputs}; console errors: {self.errors}; screenshot: {screenshot}"
            ) from None

    def close(self) -> None:
        self.page.close()


def numbers(text: str) -> list[str]:
    """The numbers written in text, not counting digits that are part of a name (v0, w1)."""
    return re.findall(r"(?<![\w.])[-+−]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])", text)


def shows(text: str, expected: float) -> bool:
    """Whether text has a number that is `expected`, exactly or rounded to the digits it shows
    (at least two significant ones: a bare 0 is not -0.27 rounded)."""
    for printed in numbers(text):
        value = float(printed.replace("−", "-"))
        if math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-15):
            return True
        mantissa, _, exponent = printed.lower().partition("e")
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        rounding = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
        if rounding <= 0.05 * abs(expected) and abs(value - expected) <= rounding * (1 + 1e-9):
            return True
    return False


# -- the harness itself: an inline anywidget counter --------------------------------------------

COUNTER = '''
import anywidget
import traitlets


class Counter(anywidget.AnyWidget):
    _esm = """
    function render({ model, el }) {
      const button = document.createElement("button");
      button.id = "counter-button";
      const echo = document.createElement("span");
      echo.id = "counter-echo";
      const draw = () => {
        button.textContent = `count is ${model.get("count")}`;
        echo.textContent = model.get("echo");
      };
      button.addEventListener("click", () => {
        model.set("count", model.get("count") + 1);
        model.save_changes();
      });
      model.on("change:count", draw);
      model.on("change:echo", draw);
      draw();
      el.append(button, echo);
    }
    export default { render };
    """
    count = traitlets.Int(0).tag(sync=True)
    echo = traitlets.Unicode("kernel saw nothing yet").tag(sync=True)

    @traitlets.observe("count")
    def _echo(self, change):
        self.echo = f"kernel saw {change['new']}, squared {change['new'] ** 2}"


counter = Counter()
counter
'''


def test_an_inline_anywidget_round_trips_a_click_through_the_kernel(jupyterlab, browser, screenshots):
    nb = Notebook(browser, jupyterlab.write_notebook("counter.ipynb", [COUNTER]), "counter.ipynb")
    try:
        nb.run_all()
        nb.wait_for("#counter-button", FIRST_RUN, screenshots / "counter-failed.png")
        button = nb.page.locator("#counter-button")
        echo = nb.page.locator("#counter-echo")
        assert echo.inner_text() == "kernel saw nothing yet"
        for n in (1, 2, 3):
            button.click()
            # The echo is written by the kernel's observer: the click went there and back.
            nb.page.wait_for_function(
                "t => document.querySelector('#counter-echo').textContent === t",
                arg=f"kernel saw {n}, squared {n * n}",
                timeout=STEP,
            )
        assert button.inner_text() == "count is 3"
        nb.page.screenshot(path=screenshots / "counter.png")
        assert not nb.errors, nb.errors
    finally:
        nb.close()


# -- micrograd_edu.viz.explore ------------------------------------------------------------------

X, W1, X_NEW = 0.5, -1.5, 1.0  # tanh(x * w1) away from saturation, so the grads print as more than 0

EXPLORE = f"""
from micrograd_edu import Value
from micrograd_edu.viz import explore

x = Value({X!r}, label="x")
w1 = Value({W1!r}, label="w1")
y = (x * w1).tanh()
y.label = "y"
w = explore(y)
w
"""


def expected(x: float, w1: float) -> dict[str, float]:
    """The numbers the widget should show, from micrograd_edu's engine itself."""
    vx, vw1 = Value(x, label="x"), Value(w1, label="w1")
    y = (vx * vw1).tanh()
    y.backward()
    return {"x": vx.data, "x.grad": vx.grad, "w1.grad": vw1.grad, "y": y.data}


def node_with_label(page, label: str):
    """The graph node whose text has `label` as a word of its own."""
    nodes = page.locator("[data-node-id]")
    for i in range(nodes.count()):
        node = nodes.nth(i)
        if re.search(rf"(?<![\w.]){re.escape(label)}(?![\w])", node.text_content() or ""):
            return node
    texts = [nodes.nth(i).text_content() for i in range(nodes.count())]
    raise AssertionError(f"no node labelled {label!r} among {texts}")


def leaf_input(page, value: float):
    """The leaf input that holds `value` (x and w1 start at different numbers)."""
    inputs = page.locator("input[data-leaf-input]")
    for i in range(inputs.count()):
        if shows(inputs.nth(i).input_value(), value):
            return inputs.nth(i)
    values = [inputs.nth(i).input_value() for i in range(inputs.count())]
    raise AssertionError(f"no leaf input holds {value} among {values}")


def widget_errors(errors: list[str]) -> list[str]:
    return [
        e for e in errors if re.search(r"mge|explore|anywidget|micrograd|data-node-id|pageerror", e, re.I)
    ]


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="graphviz's dot is not installed (apt-get install graphviz)"
)
def test_explore_shows_grads_and_recomputes_when_a_leaf_changes(jupyterlab, browser, screenshots):
    before, after = expected(X, W1), expected(X_NEW, W1)
    nb = Notebook(browser, jupyterlab.write_notebook("explore.ipynb", [EXPLORE]), "explore.ipynb")
    try:
        nb.run_all()
        page = nb.page
        nb.wait_for("[data-node-id]", FIRST_RUN, screenshots / "explore-failed.png")
        nb.wait_for("#mge-panel", STEP, screenshots / "explore-failed.png")
        panel = page.locator("#mge-panel")
        widget = page.locator(".jp-OutputArea-output").filter(has=page.locator("#mge-panel")).first
        widget.screenshot(path=screenshots / "explore-before.png")

        node_with_label(page, "x").click()
        page.wait_for_function(
            "() => document.querySelector('#mge-panel').textContent.trim().length > 0", timeout=STEP
        )
        text = panel.inner_text()
        widget.screenshot(path=screenshots / "explore-clicked.png")
        assert shows(text, before["x.grad"]), f"x's grad {before['x.grad']} not in the panel: {text!r}"

        box = leaf_input(page, X)
        box.fill(repr(X_NEW))
        box.press("Enter")
        box.dispatch_event("change")

        # The kernel recomputes; the panel (still on x) and the node labels follow.
        deadline = time.monotonic() + STEP / 1000
        while time.monotonic() < deadline:
            text = panel.inner_text()
            x_node, y_node = (
                node_with_label(page, "x").text_content(),
                node_with_label(page, "y").text_content(),
            )
            if shows(text, after["x.grad"]) and shows(x_node, after["x.grad"]) and shows(y_node, after["y"]):
                break
            page.wait_for_timeout(100)
        widget.screenshot(path=screenshots / "explore-after.png")
        assert shows(text, after["x.grad"]), f"x's new grad {after['x.grad']} not in the panel: {text!r}"
        assert shows(x_node, after["x"]), f"x's node does not show its new value {after['x']}: {x_node!r}"
        assert shows(x_node, after["x.grad"]), (
            f"x's node does not show its new grad {after['x.grad']}: {x_node!r}"
        )
        assert shows(y_node, after["y"]), f"y's node does not show its new value {after['y']}: {y_node!r}"
        assert not shows(y_node, before["y"]), f"y's node still shows the old value {before['y']}: {y_node!r}"

        node_with_label(page, "w1").click()
        page.wait_for_function(
            "t => document.querySelector('#mge-panel').innerText !== t", arg=text, timeout=STEP
        )
        text = panel.inner_text()
        assert shows(text, after["w1.grad"]), f"w1's grad {after['w1.grad']} not in the panel: {text!r}"

        if nb.errors:
            print(f"\nconsole errors (JupyterLab's own, not the widget's): {nb.errors}")
        assert not widget_errors(nb.errors), widget_errors(nb.errors)
    finally:
        nb.close()
