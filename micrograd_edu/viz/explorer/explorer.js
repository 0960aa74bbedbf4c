// The explorer's page: the graph graphviz drew, a panel for the clicked box, the backward walk,
// a number box per leaf (or per parameter's number) and, with an optimizer, training buttons
// and the loss curve. Every number comes from Python (explore.py) in one JSON state;
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
  // Where the walk is: 0 before backward, k after step k (its node outlined, its inputs green),
  // and done() once every step has run (the finished graph, in the legend's colours).
  const done = () => state.groups.length + 1;
  let at = done();
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
  const key = make("span", "mge-key");
  key.id = "mge-key";
  const outlined = make("span", "mge-key-outlined", "outlined");
  const green = make("span", "mge-key-green", "green");
  key.append(outlined, ": the node at work · ", green, ": its inputs, receiving gradient");
  bar.append(counter, key);
  const now = make("div", "mge-now");
  const main = make("div", "mge-main");
  const graph = make("div", "mge-graph");
  const panel = make("div", "mge-panel");
  panel.id = "mge-panel";
  const side = make("div", "mge-side");
  const training = make("div", "mge-training");
  side.append(panel, training);
  main.append(graph, side);
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
    const group = at > 0 && at < done() ? state.groups[at - 1] : null;
    const receiving = new Set(group ? group.lines.map((l) => l.input) : []);
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
    counter.textContent =
      at === 0 ? `before backward (${n} steps)` : at === done() ? `backward done (${n} steps)` : `step ${at} of ${n}`;
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
    buttons["mge-step"].disabled = at >= done();
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
    const finished = at >= state.groups.length;
    row(table, "grad", grads[selected], finished && node.exact.grad !== null ? node.exact.grad : "");
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
    if (state.params.length) {
      showParameters();
      if (!state.editable || standalone) leaves.append(make("span", "mge-note", state.note));
      return;
    }
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
        if (Number.isFinite(value)) send({ type: "leaf", id, value }, "recomputing");
      });
      label.append(input);
      leaves.append(label);
    }
    if (state.note) leaves.append(make("span", "mge-note", state.note));
  }

  function send(message, what) {
    if (standalone) return;
    sentAt = performance.now();
    status.textContent = `${what} in the kernel…`;
    model.send(message);
  }

  function showParameters() {
    for (const p of state.params) {
      const label = make("div", "mge-param");
      const shape = p.shape.length ? ` (${p.shape.join("×")})` : "";
      label.append(make("span", "mge-param-name", p.name + shape));
      p.values.slice(0, p.editable ? p.values.length : 8).forEach((v, index) => {
        const input = make("input");
        input.type = "number";
        input.step = "any";
        input.value = String(Number(v.toPrecision(4)));
        input.title = `${p.name}, number ${index}: ${v}`;
        input.dataset.paramInput = p.name;
        input.dataset.index = String(index);
        input.disabled = !state.editable || !p.editable;
        input.addEventListener("change", () => {
          const value = parseFloat(input.value);
          if (Number.isFinite(value)) send({ type: "parameter", name: p.name, index, value }, "recomputing");
        });
        label.append(input);
      });
      if (!p.editable) label.append(make("span", "mge-note", `… ${p.values.length} numbers: too many to edit here`));
      leaves.append(label);
    }
  }

  // The loss after each training step, as a line: the latest loss is the graph's.
  function lossCurve(losses) {
    const ns = "http://www.w3.org/2000/svg";
    const [w, h, pad] = [330, 120, 6];
    const svg = document.createElementNS(ns, "svg");
    svg.id = "mge-loss";
    svg.setAttribute("width", String(w));
    svg.setAttribute("height", String(h));
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    const low = Math.min(...losses);
    const high = Math.max(...losses);
    const span = high - low || 1;
    const x = (i) => pad + ((w - 2 * pad) * i) / Math.max(1, losses.length - 1);
    const y = (v) => h - pad - ((h - 2 * pad) * (v - low)) / span;
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", losses.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "#2563eb");
    line.setAttribute("stroke-width", "2");
    const frame = document.createElementNS(ns, "rect");
    for (const [k, v] of [["x", 0.5], ["y", 0.5], ["width", w - 1], ["height", h - 1], ["fill", "#ffffff"], ["stroke", "#d1d5db"]]) {
      frame.setAttribute(k, String(v));
    }
    const dot = document.createElementNS(ns, "circle");
    dot.setAttribute("cx", x(losses.length - 1).toFixed(1));
    dot.setAttribute("cy", y(losses[losses.length - 1]).toFixed(1));
    dot.setAttribute("r", "3");
    dot.setAttribute("fill", "#2563eb");
    svg.append(frame, line, dot);
    return svg;
  }

  function showTraining() {
    training.replaceChildren();
    const t = state.train;
    if (!t.can && !t.note) return;
    const row = make("div", "mge-train-buttons");
    for (const [id, text, steps] of [["mge-train-step", "train: step", 1], ["mge-train-10", "run 10", 10], ["mge-train-100", "run 100", 100]]) {
      const b = make("button", "mge-button", text);
      b.id = id;
      b.title = `${steps} optimizer step${steps > 1 ? "s" : ""}: zero_grad, forward, backward, step`;
      b.disabled = !t.can;
      b.addEventListener("click", () => send({ type: "train", steps }, "training"));
      row.append(b);
    }
    training.append(row);
    if (t.note) training.append(make("div", "mge-note", t.note));
    const losses = t.losses;
    if (!losses.length) return;
    const steps = losses.length - 1;
    training.append(make("div", "mge-loss-title", `loss after ${steps} step${steps === 1 ? "" : "s"}: ${losses[steps].toFixed(6)}`));
    training.append(lossCurve(losses));
    const range = `steps 0 … ${steps}; loss from ${Math.min(...losses).toFixed(4)} to ${Math.max(...losses).toFixed(4)}`;
    training.append(make("div", "mge-loss-range", range));
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
    at = Math.max(0, Math.min(done(), k));
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
    if (at >= done()) go(0);
    buttons["mge-play"].textContent = "❚❚ pause";
    playing = setInterval(() => (at >= done() ? stop() : go(at + 1)), 700);
  });
  const keys = (event) => {
    if (event.target instanceof HTMLInputElement) return;
    const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: done() };
    if (!(event.key in moves)) return;
    event.preventDefault();
    stop();
    go(moves[event.key]);
  };
  (standalone ? document : root).addEventListener("keydown", keys);

  function update() {
    state = JSON.parse(model.get("state"));
    at = done();
    stop();
    showGraph();
    showLeaves();
    showTraining();
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
  showTraining();
  draw();
  return () => stop();
}

export default { render };
