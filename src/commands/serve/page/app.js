// The playground's page: settings from the URL, a run's records streamed
// from the server (server-sent events read through fetch), plots drawn as
// SVG, a data table. Written for this page alone.
"use strict";

const PARAMS = ["sizes", "init", "eta", "lambda", "m", "n", "epochs", "seed", "optimizer"];
const LAYER_COLORS = ["#1f5fa8", "#c85a00", "#2b8a3e", "#7b3fa0"];
const SVG = "http://www.w3.org/2000/svg";
// One identifier per open page: the server trains one run per page.
const PAGE = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
const KEPT_FOR_COMPARISON = 4;
// What `hide=` may name: the settings' controls, the preset, all of them.
const HIDEABLE = [...PARAMS, "preset", "controls"];

let current = null; // { id, info, records: [], settings, name, phase }
const earlier = []; // finished runs, drawn faded
let drawPending = false;

const $ = (id) => document.getElementById(id);
// The form's field of a setting (its id is the setting's with "s-").
const field = (setting) => $(`s-${setting}`);

// ---- Settings and the URL -------------------------------------------------

function formSettings() {
  const s = {};
  for (const p of PARAMS) s[p] = field(p).value.trim();
  return s;
}

function query(settings) {
  return PARAMS.map((p) => `${p}=${encodeURIComponent(settings[p])}`).join("&");
}

function runName(s) {
  return `[${s.sizes}] ${s.init} η ${s.eta} λ ${s.lambda} m ${s.m} n ${s.n}` +
    (s.optimizer !== "sgd" ? ` ${s.optimizer}` : "") + ` seed ${s.seed}`;
}

function readUrl() {
  const url = new URLSearchParams(location.search);
  for (const p of PARAMS) if (url.has(p)) field(p).value = url.get(p);
  const hide = (url.get("hide") || "").split(",").filter(Boolean);
  for (const name of hide.filter((h) => HIDEABLE.includes(h))) {
    if (name === "controls") $("settings").hidden = true;
    for (const el of document.querySelectorAll(`[data-control="${name}"]`)) el.hidden = true;
  }
  if (url.get("projector") === "1") {
    $("projector").checked = true;
    document.body.classList.add("projector");
  }
  return url.get("run") === "1";
}

function writeUrl() {
  const url = new URLSearchParams(location.search);
  const s = formSettings();
  for (const p of PARAMS) url.set(p, s[p]);
  url.delete("run");
  history.replaceState(null, "", `?${url.toString()}`);
}

// ---- The run --------------------------------------------------------------

function status(text, kind) {
  $("status").textContent = text;
  $("status").className = kind || "";
}

function setRunning(running) {
  $("start").disabled = false;
  $("pause").disabled = !running;
  $("stop").disabled = !running;
  $("retune").disabled = !running;
  $("pause").textContent = "Pause";
}

async function stopCurrent() {
  if (!current || current.ended) return;
  const done = current.finished;
  await control("stop");
  await done;
}

// The address of the current run's `what` (a control or a download),
// with the token that shows this page started it.
function runPath(what, query = "") {
  return `/api/runs/${current.id}/${what}?token=${current.token}${query}`;
}

async function control(action, query = "") {
  if (!current || !current.id) return false;
  const response = await fetch(runPath(action, query), { method: "POST" });
  if (!response.ok) status((await response.text()).trim(), "error");
  return response.ok;
}

async function start() {
  $("start").disabled = true;
  await stopCurrent();
  if (current && current.records.length > 1) {
    earlier.unshift(current);
    earlier.length = Math.min(earlier.length, KEPT_FOR_COMPARISON);
    const list = $("earlier");
    list.replaceChildren(...earlier.map((run) => {
      const item = document.createElement("li");
      item.textContent = `Run ${run.id}: ${run.name}, ${run.records.length - 1} epochs, ` +
        `${(100 * run.records[run.records.length - 1].eval_accuracy).toFixed(2)}% at the end`;
      return item;
    }));
    $("compare").hidden = false;
    const choice = $("side-run");
    choice.replaceChildren(...earlier.map((run, i) => {
      const option = document.createElement("option");
      option.value = String(i);
      option.textContent = `run ${run.id}: ${run.name}`;
      return option;
    }));
    $("side").hidden = false;
  }
  const settings = formSettings();
  writeUrl();
  let response;
  try {
    response = await fetch(`/api/run?page=${PAGE}&${query(settings)}`);
  } catch (e) {
    status(`The server cannot be reached: ${e}`, "error");
    $("start").disabled = false;
    return;
  }
  if (!response.ok) {
    status((await response.text()).trim(), "error");
    $("start").disabled = false;
    return;
  }
  let finish;
  current = { id: null, info: null, records: [], settings, name: runName(settings), ended: false,
    finished: new Promise((resolve) => { finish = resolve; }) };
  clearTable();
  $("claim1").textContent = "Waiting for epoch 1.";
  $("claim2").textContent = "Waiting for epoch 1.";
  $("downloads").hidden = true;
  $("notes").textContent = "";
  $("retuned").textContent = "";
  status("Starting…");
  try {
    await readEvents(response.body, current);
  } catch (e) {
    status(`The stream broke off: ${e}`, "error");
  }
  current.ended = true;
  setRunning(false);
  showDownloads(current);
  finish();
}

async function readEvents(body, run) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) handle(run, name, data.join("\n"));
    }
  }
}

function handle(run, name, data) {
  if (name === "start") {
    run.info = JSON.parse(data);
    run.id = run.info.id;
    run.token = run.info.token;
    $("command").textContent = run.info.command;
    $("notes").textContent = run.info.notes.join("; ");
    if (!run.info.claims_decided) {
      const rule = `Decided here for network2's rule (sgd) only, whose decay law the records' ρ* is; this run uses ${run.settings.optimizer}.`;
      $("claim1").textContent = rule;
      $("claim2").textContent = rule;
    }
    setRunning(true);
    status(`Run ${run.id}: training`);
  } else if (name === "epoch") {
    const record = JSON.parse(data);
    run.records.push(record);
    addRow(run, record);
    if (record.epoch > 0 && run.paused) {
      status(`Run ${run.id}: paused at epoch ${record.epoch} of ${run.settings.epochs} (Resume to go on)`);
    } else if (record.epoch > 0) {
      status(`Run ${run.id}: epoch ${record.epoch} of ${run.settings.epochs}, ` +
        `${(100 * record.eval_accuracy).toFixed(2)}% right, ${record.seconds.toFixed(2)} s`);
    }
    scheduleDraw();
  } else if (name === "claims") {
    sayClaims(JSON.parse(data));
  } else if (name === "done") {
    drawAll();
    const done = JSON.parse(data);
    const how = { finished: "finished", stopped: "stopped", abandoned: "stopped" }[done.phase] || done.phase;
    status(`Run ${run.id} ${how} after ${done.epochs} epochs.`);
  } else if (name === "failed") {
    drawAll();
    run.failed = true;
    status(`Run ${run.id} failed: ${data}`, "error");
  }
}

function showDownloads(run) {
  if (!run.id) return;
  $("download-jsonl").href = runPath("metrics.jsonl");
  $("download-csv").href = runPath("metrics.csv");
  $("download-network").href = runPath("network.json");
  // A failed run keeps no network.
  $("download-network").hidden = Boolean(run.failed);
  $("downloads").hidden = false;
}

// ---- Words for claims 1 and 2 (decided on the server, as the study does) --

const fmt = (x, digits = 3) => Number(x).toPrecision(digits);

function sayClaims(c) {
  const c1 = c.claim1;
  if (c1) {
    const ks = c1.k_per_layer.map((k, l) => `w${l + 1} for ${k}` +
      (k >= c1.threshold_epochs ? " (enough)" : " (too few)")).join(", ");
    const verdict = { holds: "Holds", partly: "Partly", fails: "Fails" }[c1.verdict];
    const found = `counting from epoch 1, the decay dominated ${ks} epochs in a row`;
    const rule = `an epoch counts when |f| < ${c1.threshold_offset_fraction}; the claim holds with at least ` +
      `${c1.threshold_epochs} in every layer and the decay moving each layer further than the gradient in epoch 1`;
    $("claim1").textContent = verdict ? `${verdict} for this run: ${found} (${rule}).` : `Not decided yet: ${found} (${rule}).`;
  }
  const c2 = c.claim2;
  if (c2) {
    const law = `the decay's own ρ* = (1 − ηλ/n)^S = ${fmt(c2.rho_star, 5)} (S = n/m steps an epoch)`;
    const asymptotic = `its limit e^(−ηλ/m) = ${fmt(c2.exp_minus_eta_lambda_over_m, 5)}`;
    if (c2.mean_relative_deviation === null) {
      $("claim2").textContent = `No decay-dominated epoch to measure it on yet (${law} per epoch; ${asymptotic}).`;
    } else {
      const pct = (100 * c2.mean_relative_deviation).toPrecision(2);
      $("claim2").textContent = (c2.within ? "Holds" : "Not within the tolerance") +
        ` for this run: in the ${c2.decay_dominated_epochs} epochs from epoch 1 in which all weights together had |f| < 0.1,` +
        ` the rms of all weights shrank per epoch by a factor that was off ${law} by ${pct}% on average` +
        ` (tolerance ${100 * c2.tolerance}%: beyond it, the gradient changed the shrink; ${asymptotic}).`;
    }
  }
}

// ---- The data table ---------------------------------------------------------

function clearTable() {
  const head = $("epochs").tHead.rows[0];
  while (head.cells.length > 3) head.deleteCell(-1);
  $("epochs").tBodies[0].replaceChildren();
}

function addRow(run, r) {
  const layers = r.weights.layers.length;
  const head = $("epochs").tHead.rows[0];
  if (head.cells.length === 3) {
    for (let l = 0; l < layers; l++) head.appendChild(th(`rms w${l + 1}`));
    for (let l = 0; l < layers; l++) head.appendChild(th(`f w${l + 1}`));
  }
  const row = $("epochs").tBodies[0].insertRow();
  row.dataset.epoch = String(r.epoch);
  row.dataset.accuracy = String(r.eval_accuracy);
  const cells = [String(r.epoch), (100 * r.eval_accuracy).toFixed(2), r.eval_cost.toFixed(4)];
  for (const l of r.weights.layers) cells.push(l.rms.toPrecision(4));
  for (let l = 0; l < layers; l++) {
    const f = r.dynamics ? r.dynamics.offset_fraction_layers[l] : null;
    cells.push(f === null || f === undefined ? "" : f.toFixed(3));
  }
  for (const text of cells) row.insertCell().textContent = text;
}

function th(text) {
  const cell = document.createElement("th");
  cell.textContent = text;
  return cell;
}

// ---- Plots ----------------------------------------------------------------

function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    const t0 = performance.now();
    drawAll();
    noteDrawTime(performance.now() - t0);
  });
}

// How long drawing takes, on the plots' section (data-draw-ms: mean and
// largest in ms), to show that the page keeps up with the training.
const drawTimes = [];
function noteDrawTime(ms) {
  drawTimes.push(ms);
  const mean = drawTimes.reduce((a, b) => a + b, 0) / drawTimes.length;
  const plots = document.querySelector(".plots");
  plots.dataset.drawMs = `${mean.toFixed(1)} ${Math.max(...drawTimes).toFixed(1)}`;
  plots.dataset.draws = String(drawTimes.length);
}

function el(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function niceTicks(lo, hi, count) {
  const span = hi - lo || 1;
  const step0 = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => span / s <= count) || 10 * mag;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12 * span; t += step) ticks.push(t);
  return ticks;
}

function logTicks(lo, hi) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const k of [1, 2, 5]) {
      const t = k * Math.pow(10, e);
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks;
}

// series: [{ points: [[x, y]], color, dash, width, opacity, label }]
// options: { xlabel, ylabel, log, yRange: [lo, hi] (else from the data), band: [lo, hi], xRange }
function plot(svg, series, options) {
  svg.replaceChildren();
  // One unit of the drawing is one pixel on screen, so that its text is
  // as large on a phone as on a desktop.
  const W = Math.max(300, Math.round(svg.getBoundingClientRect().width) || 640);
  const H = Math.round(Math.min(320, Math.max(230, 0.5 * W)));
  const left = 58, right = W < 500 ? 78 : 120, top = 14, bottom = 40;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const all = series.filter((s) => s.fit !== false).flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!options.log || y > 0));
  if (!all.length) {
    el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty" }, svg).textContent = "No data yet";
    svg.dataset.points = "0";
    return;
  }
  let [xlo, xhi] = options.xRange || [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  if (xhi === xlo) xhi = xlo + 1;
  let [ylo, yhi] = options.yRange || [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (options.log) {
    ylo = ylo / 1.3; yhi = yhi * 1.3;
  } else {
    const pad = 0.06 * (yhi - ylo || Math.abs(yhi) || 1);
    ylo -= pad; yhi += pad;
  }
  const fy = options.log ? Math.log10 : (y) => y;
  const sx = (x) => left + (x - xlo) / (xhi - xlo) * (W - left - right);
  const sy = (y) => top + (fy(yhi) - fy(y)) / (fy(yhi) - fy(ylo)) * (H - top - bottom);
  const id = `clip-${svg.id}`;
  const clip = el("clipPath", { id }, el("defs", {}, svg));
  el("rect", { x: left, y: top, width: W - left - right, height: H - top - bottom }, clip);
  const axes = el("g", { class: "axes" }, svg);
  if (options.band) {
    const [b0, b1] = options.band.map((b) => Math.min(Math.max(b, ylo), yhi));
    el("rect", { x: left, y: sy(b1), width: W - left - right, height: Math.max(0, sy(b0) - sy(b1)), class: "band" }, axes);
  }
  const yTicks = options.log ? logTicks(ylo, yhi) : niceTicks(ylo, yhi, 5);
  for (const t of yTicks) {
    el("line", { x1: left, x2: W - right, y1: sy(t), y2: sy(t), class: "grid" }, axes);
    el("text", { x: left - 6, y: sy(t) + 4, "text-anchor": "end" }, axes).textContent = tickLabel(t);
  }
  for (const t of niceTicks(xlo, xhi, 6)) {
    el("text", { x: sx(t), y: H - bottom + 16, "text-anchor": "middle" }, axes).textContent = tickLabel(t);
  }
  el("rect", { x: left, y: top, width: W - left - right, height: H - top - bottom, class: "frame" }, axes);
  el("text", { x: (left + W - right) / 2, y: H - 6, "text-anchor": "middle", class: "label" }, axes).textContent = options.xlabel;
  el("text", { x: 14, y: (top + H - bottom) / 2, "text-anchor": "middle", class: "label",
    transform: `rotate(-90 14 ${(top + H - bottom) / 2})` }, axes).textContent = options.ylabel;
  const lines = el("g", { "clip-path": `url(#${id})` }, svg);
  let drawn = 0;
  const labels = [];
  for (const s of series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(y) && (!options.log || y > 0));
    if (!pts.length) continue;
    const d = pts.map(([x, y], i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    el("path", { d, fill: "none", stroke: s.color, "stroke-width": s.width || 2,
      "stroke-dasharray": s.dash || "", opacity: s.opacity || 1 }, lines);
    if (pts.length === 1) el("circle", { cx: sx(pts[0][0]), cy: sy(pts[0][1]), r: 3, fill: s.color }, lines);
    if (s.current) drawn += pts.length;
    if (s.label) {
      const [x, y] = pts[pts.length - 1];
      if (y >= ylo && y <= yhi) labels.push({ y: sy(y), text: s.label, color: s.color, opacity: s.opacity || 1 });
    }
    // A reference left out of the y range (fit: false) that rises above
    // it: its peak marked at the top edge with its value.
    if (s.fit === false) {
      const peak = pts.reduce((a, b) => (b[1] > a[1] ? b : a));
      if (peak[1] > yhi && peak[0] >= xlo && peak[0] <= xhi) {
        el("text", { x: sx(peak[0]) + 5, y: top + 12, "text-anchor": "start", fill: s.color, class: "series" }, svg)
          .textContent = `↑ ${tickLabel(peak[1])}`;
      }
    }
  }
  // Labels in the right margin, pushed apart so that none covers another
  // (at least 15 px apart), and kept between the frame's top and bottom.
  const gap = 15, lowest = H - bottom, highest = top + 4;
  labels.sort((a, b) => a.y - b.y);
  for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + gap);
  for (let i = labels.length - 1; i >= 0; i--) {
    const below = i + 1 < labels.length ? labels[i + 1].y - gap : lowest;
    labels[i].y = Math.max(Math.min(labels[i].y, below), highest);
  }
  for (const l of labels) {
    el("text", { x: W - right + 6, y: l.y + 4, fill: l.color, opacity: l.opacity, class: "series" }, svg).textContent = l.text;
  }
  svg.dataset.points = String(drawn);
}

function tickLabel(t) {
  if (t === 0) return "0";
  const a = Math.abs(t);
  if (a >= 1e4 || a < 1e-3) return t.toExponential(0);
  return String(Number(t.toPrecision(3)));
}

function epochSeries(run, value) {
  return run.records.map((r) => [r.epoch, value(r)]).filter(([, y]) => y !== null && y !== undefined);
}

function drawAll() {
  if (!current) return;
  const runs = [current, ...earlier];
  const faded = (run) => (run === current ? {} : { opacity: 0.25, width: 1.5 });
  const xMax = Math.max(...runs.map((r) => r.records.length - 1), 1);
  const xRange = [0, xMax];

  plot($("plot-accuracy"), runs.map((run) => ({
    points: epochSeries(run, (r) => 100 * r.eval_accuracy), color: "#222", current: run === current,
    label: run === current ? "this run" : `run ${run.id}`, ...faded(run),
  })), { xlabel: "epoch", ylabel: "accuracy (%)", xRange });

  plot($("plot-cost"), runs.flatMap((run) => [
    { points: epochSeries(run, (r) => r.eval_data_cost), color: "#222", current: run === current,
      label: run === current ? "data term" : "", ...faded(run) },
    { points: epochSeries(run, (r) => r.eval_cost), color: "#222", dash: "5 4",
      label: run === current ? "with L2" : "", ...faded(run) },
  ]), { xlabel: "epoch", ylabel: "validation cost", log: true, xRange });

  drawRms(runs, faded, xRange);

  plot($("plot-offset"), runs.flatMap((run) => layerIndices(run).map((l) => ({
    points: epochSeries(run, (r) => (r.dynamics ? r.dynamics.offset_fraction_layers[l] : null)).filter(([e]) => e > 0),
    color: LAYER_COLORS[l % 4], current: run === current && l === 0,
    label: run === current ? `w${l + 1}` : "", ...faded(run),
  }))), { xlabel: "epoch", ylabel: "offset fraction f", yRange: offsetRange(current), band: [-0.1, 0.1], xRange });

  const budget = (key) => (r) => (r.dynamics ? r.dynamics.budget[key] : null);
  plot($("plot-budget"), [
    { points: epochSeries(current, budget("decay")).filter(([e]) => e > 0), color: "#b00020", label: "decay", current: true },
    { points: epochSeries(current, budget("drift")).filter(([e]) => e > 0), color: "#1f5fa8", label: "drift" },
    { points: epochSeries(current, budget("noise")).filter(([e]) => e > 0), color: "#2b8a3e", label: "noise" },
  ], { xlabel: "epoch", ylabel: "change of |w|² per epoch", xRange });

  drawHistogram(current);
  drawSideBySide();
}

// The current run and the chosen earlier one in two columns, their weight
// sizes and offset fractions on shared axes.
function drawSideBySide() {
  const other = earlier[Number($("side-run").value) || 0];
  if ($("side").hidden || !other) return;
  const pair = [current, other];
  const rmsOf = (run) => layerIndices(run).map((l) => ({
    points: epochSeries(run, (r) => r.weights.layers[l].rms), color: LAYER_COLORS[l % 4], current: true, label: `w${l + 1}`,
  }));
  const fOf = (run) => layerIndices(run).map((l) => ({
    points: epochSeries(run, (r) => (r.dynamics ? r.dynamics.offset_fraction_layers[l] : null)).filter(([e]) => e > 0),
    color: LAYER_COLORS[l % 4], current: true, label: `w${l + 1}`,
  }));
  const rmsValues = pair.flatMap((run) => rmsOf(run).flatMap((s) => s.points.map((p) => p[1]))).filter((y) => y > 0);
  const xRange = [0, Math.max(...pair.map((run) => run.records.length - 1), 1)];
  const rmsRange = [Math.min(...rmsValues), Math.max(...rmsValues)];
  const fRange = [Math.min(...pair.map((run) => offsetRange(run)[0])), Math.max(...pair.map((run) => offsetRange(run)[1]))];
  ["a", "b"].forEach((side, i) => {
    plot($(`side-rms-${side}`), rmsOf(pair[i]), { xlabel: "epoch", ylabel: "rms", log: true, yRange: rmsRange, xRange });
    plot($(`side-offset-${side}`), fOf(pair[i]), { xlabel: "epoch", ylabel: "f", yRange: fRange, band: [-0.1, 0.1], xRange });
  });
  $("side-name-a").textContent = `This run: ${current.name}`;
  $("side-name-b").textContent = `Run ${other.id}: ${other.name}`;
}

function layerIndices(run) {
  const first = run.records[0];
  return first ? first.weights.layers.map((_, l) => l) : [];
}

function offsetRange(run) {
  const values = run.records.slice(1).flatMap((r) => (r.dynamics ? r.dynamics.offset_fraction_layers : []))
    .filter((f) => f !== null);
  const lo = Math.max(-2, Math.min(-0.2, ...values));
  const hi = Math.min(3, Math.max(1.2, ...values));
  return [lo, hi];
}

function drawRms(runs, faded, xRange) {
  const series = [];
  const sizes = current.info ? current.info.sizes : current.settings.sizes.split(",").map(Number);
  for (const run of runs) {
    for (const l of layerIndices(run)) {
      series.push({ points: epochSeries(run, (r) => r.weights.layers[l].rms), color: LAYER_COLORS[l % 4],
        current: run === current && l === 0, label: run === current ? `w${l + 1}` : "", ...faded(run) });
    }
  }
  // The decay alone from epoch 0: rms_0 times each epoch's rho* (network2's
  // law: drawn for sgd only).
  const decayLaw = current.info && current.info.claims_decided;
  for (const l of decayLaw ? layerIndices(current) : []) {
    let envelope = current.records[0].weights.layers[l].rms;
    const points = current.records.map((r, i) => {
      if (i > 0) envelope *= r.predicted_shrink;
      return [r.epoch, envelope];
    });
    series.push({ points, color: LAYER_COLORS[l % 4], dash: "6 4", width: 1.5, fit: false, label: `decay w${l + 1}` });
  }
  const last = Math.max(current.records.length - 1, 1);
  let weights = 0;
  for (let l = 0; l + 1 < sizes.length; l++) weights += sizes[l] * sizes[l + 1];
  for (let l = 0; l + 1 < sizes.length; l++) {
    series.push({ points: [[0, 1 / Math.sqrt(sizes[l])], [Math.max(last, xRange[1]), 1 / Math.sqrt(sizes[l])]],
      color: LAYER_COLORS[l % 4], dash: "2 3", width: 1, label: `1/√${sizes[l]} (w${l + 1})` });
  }
  series.push({ points: [[0, 1 / Math.sqrt(weights)], [Math.max(last, xRange[1]), 1 / Math.sqrt(weights)]],
    color: "#666", dash: "2 3", width: 1, label: "1/√n_w" });
  plot($("plot-rms"), series, { xlabel: "epoch", ylabel: "rms of the weights", log: true, xRange });
}

function drawHistogram(run) {
  const svg = $("plot-histogram");
  const records = run.records.filter((r) => r.histograms);
  if (!records.length) {
    plot(svg, [], { xlabel: "weight", ylabel: "density" });
    return;
  }
  const picks = [records[0], records[1], records[records.length - 1]].filter((r, i, a) => r && a.indexOf(r) === i);
  const shades = ["#999", "#c85a00", "#1f5fa8"];
  const series = picks.map((r, i) => {
    const h = r.histograms.layers[0];
    const bins = h.counts.length;
    const width = (2 * h.range) / bins;
    const total = h.counts.reduce((a, b) => a + b, 0) + h.below + h.above;
    const points = h.counts.map((c, b) => [-h.range + (b + 0.5) * width, c / (total * width)]);
    return { points, color: shades[Math.min(i, 2)], current: i === 0, label: `epoch ${r.epoch}` };
  });
  const nIn = run.info ? run.info.sizes[0] : 784;
  const sd = 1 / Math.sqrt(nIn);
  const range = picks[0].histograms.layers[0].range;
  const gauss = [];
  for (let i = 0; i <= 120; i++) {
    const x = -range + (2 * range * i) / 120;
    gauss.push([x, Math.exp(-0.5 * (x / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI))]);
  }
  series.push({ points: gauss, color: "#222", dash: "2 3", width: 1.5, fit: false, label: "N(0, 1/n_in)" });
  plot(svg, series, { xlabel: "weight of w1", ylabel: "density", xRange: [-range, range] });
}

// ---- Wiring ---------------------------------------------------------------

function wire() {
  const runNow = readUrl();
  $("command").textContent = "decaylab train …";
  $("settings").addEventListener("change", (e) => {
    if (e.target.id === "preset" && e.target.value) {
      const preset = new URLSearchParams(e.target.value);
      for (const [k, v] of preset) field(k).value = v;
    } else if (e.target.id !== "preset") {
      $("preset").value = "";
    }
    writeUrl();
  });
  $("settings").addEventListener("submit", (e) => { e.preventDefault(); start(); });
  $("side-run").addEventListener("change", () => scheduleDraw());
  $("projector").addEventListener("change", (e) => document.body.classList.toggle("projector", e.target.checked));
  $("start").addEventListener("click", start);
  $("stop").addEventListener("click", () => control("stop"));
  $("pause").addEventListener("click", async () => {
    if (!current) return;
    const pausing = $("pause").textContent === "Pause";
    if (await control(pausing ? "pause" : "resume")) {
      $("pause").textContent = pausing ? "Resume" : "Pause";
      current.paused = pausing;
      status(pausing ? `Run ${current.id}: pausing once the epoch under way ends` : `Run ${current.id}: training`);
    }
  });
  $("retune").addEventListener("click", async () => {
    if (!current) return;
    const eta = encodeURIComponent(field("eta").value.trim());
    const lambda = encodeURIComponent(field("lambda").value.trim());
    const decoupled = ["sgdw", "adamw"].includes(current.settings.optimizer);
    if (await control("retune", `&eta=${eta}` + (decoupled ? "" : `&lambda=${lambda}`))) {
      const now = `η ${field("eta").value}` + (decoupled ? "" : `, λ ${field("lambda").value}`);
      status(`Run ${current.id}: ${now} from the next epoch`);
      const epoch = current.records.length;
      $("retuned").textContent += ` Then ${now} from about epoch ${epoch} (changed live: no train flag does this).`;
    }
  });
  window.addEventListener("pagehide", () => {
    if (current && !current.ended && current.id) navigator.sendBeacon(runPath("stop"));
  });
  if (runNow) start();
}

window.addEventListener("resize", () => scheduleDraw());
wire();
