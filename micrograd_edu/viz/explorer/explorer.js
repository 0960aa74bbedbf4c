// The explorer's page: the graph graphviz drew, a panel for the clicked box, the backward walk
// and a number box per leaf. Every number comes from Python (explore.py) in one JSON state;
// this script only shows it. In a notebook, anywidget gives it the model; a saved page gives
// it a model without a kernel (send is null).

function make(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render({ model, el }) {
  const standalone = !model.send;
  let state = JSON.parse(model.get("state"));
  let at = state.groups.length; // how many steps of backward have run: all, to begin with
  let selected = null;
  let playing = null;
  let sentAt = null;

  const root = make("div", "mge");
  root.tabIndex = 0;
  const bar = make("div", "mge-toolbar");
  const buttons = {};
  for (const [id, text, title] of [
    ["mge-reset", "« reset", "before backward (Home)"],
    ["mge-step-back", "◀ back", "one step back (←)"],
    ["mge-step", "step ▶", "the next node's _backward (→)"],
    ["mge-play", "▶ play", "run backward step by step"],
  ]) {
    const b = make("button", "mge-button", text);
    b.id = id;
    b.title = title;
    bar.append(b);
    buttons[id] = b;
  }
  const counter = make("span", "mge-counter");
  bar.append(counter);
  const now = make("div", "mge-now");
  const main = make("div", "mge-main");
  const graph = make("div", "mge-graph");
  const panel = make("div", "mge-panel");
  panel.id = "mge-panel";
  main.append(graph, panel);
  const leaves = make("div", "mge-leaves");
  const status = make("div", "mge-status");
  root.append(bar, now, main, leaves, status);
  el.append(root);

  function box(id) {
    return graph.querySelector(`g[data-node-id="${id}"]`);
  }

  // The gradient each box shows after `at` steps: the final ones once backward is done.
  function gradsAt(k) {
    const grads = {};
    for (const [id, node] of Object.entries(state.nodes)) {
      const none = node.grad === state.no_grad || node.grad === "";
      grads[id] = k >= state.groups.length || none ? node.grad : state.not_yet;
    }
    if (k < state.groups.length) {
      for (const group of state.groups.slice(0, k)) Object.assign(grads, group.updates);
    }
    return grads;
  }

  function setText(text, value) {
    if (!text.dataset.right) {
      // right-aligned, as graphviz placed it: a longer number grows to the left
      const x = parseFloat(text.getAttribute("x"));
      text.dataset.right = String(x + text.getComputedTextLength());
      text.setAttribute("text-anchor", "end");
      text.setAttribute("x", text.dataset.right);
    }
    text.textContent = value;
  }

  function draw() {
    const grads = gradsAt(at);
    const group = at > 0 && at <= state.groups.length ? state.groups[at - 1] : null;
    const receiving = new Set(group && at < state.groups.length + 1 ? group.lines.map((l) => l.input) : []);
    for (const g of graph.querySelectorAll("g[data-node-id]")) {
      const id = g.dataset.nodeId;
      const text = g.querySelector('[data-role="grad"]');
      if (text && text.textContent !== grads[id]) setText(text, grads[id]);
      const shade = g.querySelector('[data-role="shade"]');
      if (shade) {
        if (!shade.dataset.fill) shade.dataset.fill = shade.getAttribute("fill");
        shade.setAttribute("fill", grads[id] === state.not_yet ? "#ffffff" : shade.dataset.fill);
      }
      g.classList.toggle("mge-current", !!group && group.node === id);
      g.classList.toggle("mge-receiving", receiving.has(id));
      g.classList.toggle("mge-selected", selected === id);
    }
    const n = state.groups.length;
    counter.textContent = at === 0 ? `before backward (${n} steps)` : `step ${at} of ${n}`;
    now.replaceChildren();
    if (group) {
      now.append(make("div", "mge-heading", group.heading));
      for (const line of group.lines) now.append(make("div", "mge-line", line.text));
    } else {
      now.append(make("div", "mge-heading", at === 0 ? "Before backward: no gradient yet. Step → to start." :
        "Backward is done: click a box to see how its gradient was made."));
    }
    buttons["mge-step-back"].disabled = at === 0;
    buttons["mge-reset"].disabled = at === 0;
    buttons["mge-step"].disabled = at >= n;
    showPanel(grads);
  }

  function row(table, name, value, exact) {
    const tr = make("tr");
    tr.append(make("th", "", name));
    const td = make("td");
    td.append(make("b", `mge-${name}`, value));
    if (exact) td.append(make("span", "mge-exact", `  (${exact})`));
    tr.append(td);
    table.append(tr);
  }

  function showPanel(grads) {
    panel.replaceChildren();
    if (!selected || !state.nodes[selected]) {
      panel.append(make("p", "mge-hint", "Click a box to see its numbers and the chain rule that made its gradient."));
      return;
    }
    const node = state.nodes[selected];
    panel.append(make("h3", "", node.title));
    const what = [node.kind === "intermediate" ? "computed" : node.kind, node.shape, selected].filter((x) => x);
    panel.append(make("div", "mge-kind", what.join(" · ")));
    const table = make("table");
    row(table, "data", node.data, node.exact.data);
    const done = at >= state.groups.length;
    row(table, "grad", grads[selected], done && node.exact.grad !== null ? node.exact.grad : "");
    panel.append(table);
    const own = state.groups.findIndex((g) => g.node === selected);
    if (node.leaf) {
      panel.append(make("p", "mge-made", "A leaf: nothing made it, so its backward hands nothing on."));
    } else if (own >= 0) {
      panel.append(make("h4", "", "made by, and its backward (local derivative × its grad):"));
      panel.append(make("div", "mge-heading", state.groups[own].heading));
      for (const line of state.groups[own].lines) {
        panel.append(make("div", own < at ? "mge-line" : "mge-line mge-later", line.text));
      }
    }
    const reached = [];
    state.groups.forEach((g, i) => {
      for (const line of g.lines) if (line.input === selected) reached.push([i, line.text]);
    });
    if (reached.length) {
      panel.append(make("h4", "", "the gradient that reached it:"));
      for (const [i, text] of reached) panel.append(make("div", i < at ? "mge-line" : "mge-line mge-later", text));
    }
    if (state.level === "tensor" && node.tooltip) panel.append(make("pre", "mge-tooltip", node.tooltip));
  }

  function showLeaves() {
    leaves.replaceChildren();
    const ids = Object.keys(state.nodes).filter((id) => state.nodes[id].value !== null);
    if (!ids.length) {
      if (state.note) leaves.append(make("span", "mge-note", state.note));
      return;
    }
    leaves.append(make("span", "mge-leaves-title", "leaves:"));
    for (const id of ids) {
      const label = make("label", "mge-leaf");
      label.append(make("span", "", state.nodes[id].title));
      const input = make("input");
      input.type = "number";
      input.step = "any";
      input.value = String(state.nodes[id].value);
      input.dataset.leafInput = id;
      input.disabled = !state.editable;
      input.addEventListener("change", () => {
        const value = parseFloat(input.value);
        if (!Number.isFinite(value) || standalone) return;
        sentAt = performance.now();
        status.textContent = "recomputing in the kernel…";
        model.send({ type: "leaf", id, value });
      });
      label.append(input);
      leaves.append(label);
    }
    if (state.note) leaves.append(make("span", "mge-note", state.note));
  }

  function showGraph() {
    graph.innerHTML = state.svg;
    for (const g of graph.querySelectorAll("g[data-node-id]")) {
      g.addEventListener("click", () => {
        selected = g.dataset.nodeId;
        draw();
      });
    }
    const colours = state.colours;
    root.style.setProperty("--mge-active", colours.active.border);
    root.style.setProperty("--mge-receiving-fill", colours.receiving.fill);
    root.style.setProperty("--mge-receiving-border", colours.receiving.border);
  }

  function go(k) {
    at = Math.max(0, Math.min(state.groups.length, k));
    draw();
  }

  function stop() {
    if (playing !== null) clearInterval(playing);
    playing = null;
    buttons["mge-play"].textContent = "▶ play";
  }

  buttons["mge-reset"].addEventListener("click", () => { stop(); go(0); });
  buttons["mge-step-back"].addEventListener("click", () => { stop(); go(at - 1); });
  buttons["mge-step"].addEventListener("click", () => { stop(); go(at + 1); });
  buttons["mge-play"].addEventListener("click", () => {
    if (playing !== null) return stop();
    if (at >= state.groups.length) go(0);
    buttons["mge-play"].textContent = "❚❚ pause";
    playing = setInterval(() => (at >= state.groups.length ? stop() : go(at + 1)), 700);
  });
  const keys = (event) => {
    if (event.target instanceof HTMLInputElement) return;
    const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: state.groups.length };
    if (!(event.key in moves)) return;
    event.preventDefault();
    stop();
    go(moves[event.key]);
  };
  (standalone ? document : root).addEventListener("keydown", keys);

  function update() {
    state = JSON.parse(model.get("state"));
    at = state.groups.length;
    stop();
    showGraph();
    showLeaves();
    draw();
    if (sentAt !== null) {
      const ms = performance.now() - sentAt;
      el.dataset.redrawMs = ms.toFixed(1);
      status.textContent = `recomputed and redrawn in ${ms.toFixed(0)} ms (the kernel: ${(state.seconds * 1000).toFixed(0)} ms)`;
      sentAt = null;
    }
  }
  model.on("change:state", update);
  model.on("msg:custom", (message) => {
    if (message.type === "error") {
      status.textContent = message.text;
      sentAt = null;
      showLeaves(); // the boxes show the numbers the graph still has
    }
  });
  showGraph();
  showLeaves();
  draw();
  return () => stop();
}

export default { render };
