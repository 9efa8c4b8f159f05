// The operations dashboard: polls /dashboard/data every 2 s and draws it. No framework, no
// build step. In the serve profile the data needs an API key with admin:dlq, kept in this
// tab's sessionStorage and sent as a bearer token, also to /graphql for replays.
"use strict";

const POLL_MS = 2000;
const GREY = "#888";
const $ = (id) => document.getElementById(id);

function headers() {
  const key = sessionStorage.getItem("mgw-key");
  const h = { "content-type": "application/json" };
  if (key) h.authorization = "Bearer " + key;
  return h;
}

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? "–" : String(text);
  if (cls) td.className = cls;
  return td;
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return "never";
  if (seconds < 120) return Math.round(seconds) + " s ago";
  if (seconds < 7200) return Math.round(seconds / 60) + " min ago";
  return Math.round(seconds / 3600) + " h ago";
}

function drawIntegrations(items) {
  const body = $("integrations").tBodies[0];
  body.replaceChildren();
  for (const it of items) {
    const row = body.insertRow();
    row.dataset.platform = it.platform;
    cell(row, it.platform);
    cell(row, it.status, it.status);
    cell(row, it.auth_valid ? "valid" : "refused", it.auth_valid ? "ok" : "DOWN");
    cell(row, it.circuit, it.circuit);
    cell(row, it.limit === null ? null : it.remaining + " / " + it.limit);
    cell(row, age(it.freshness_seconds));
    cell(row, it.alerts.join(", ") || "none", it.alerts.length ? "firing" : "ok");
  }
}

function drawTiles(data) {
  $("queue-depth").textContent = data.queue_depth ?? "–";
  $("dlq-size").textContent = data.dlq_size ?? "–";
  $("op-count").textContent = data.operations.count;
  const rate = data.operations.error_rate;
  $("error-rate").textContent = rate === null ? "–" : (100 * rate).toFixed(1) + " %";
  const p95 = data.operations.p95_seconds;
  $("p95").textContent = p95 === null ? "–" : Math.round(1000 * p95) + " ms";
}

function drawAlerts(alerts) {
  const list = $("alerts");
  list.replaceChildren();
  const firing = alerts.filter((a) => a.firing);
  if (!firing.length) {
    const li = document.createElement("li");
    li.textContent = "none firing";
    li.className = "ok";
    list.append(li);
  }
  for (const a of firing) {
    const li = document.createElement("li");
    li.className = "firing";
    li.textContent = a.name + (a.platform ? " (" + a.platform + ")" : "") + ": " + a.summary +
      " — runbook " + a.runbook;
    list.append(li);
  }
}

function drawChart(history, colors) {
  const svg = $("chart");
  const ns = "http://www.w3.org/2000/svg";
  svg.replaceChildren();
  const platforms = new Set();
  history.forEach((s) => Object.keys(s.used).forEach((p) => platforms.add(p)));
  const n = Math.max(history.length - 1, 1);
  for (const y of [0, 0.5, 1]) {
    const line = document.createElementNS(ns, "line");
    line.setAttribute("x1", 0); line.setAttribute("x2", 400);
    line.setAttribute("y1", 155 - 150 * y); line.setAttribute("y2", 155 - 150 * y);
    line.setAttribute("stroke", "#d0d7de"); line.setAttribute("stroke-width", "0.5");
    svg.append(line);
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", 2); label.setAttribute("y", 153 - 150 * y + (y === 1 ? 10 : 0));
    label.setAttribute("font-size", "9"); label.setAttribute("fill", "#57606a");
    label.textContent = Math.round(100 * y) + " %";
    svg.append(label);
  }
  const legend = $("legend");
  legend.replaceChildren();
  for (const p of platforms) {
    const points = history
      .map((s, i) => [i, s.used[p]])
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([i, v]) => (400 * i / n).toFixed(1) + "," + (155 - 150 * v).toFixed(1));
    const path = document.createElementNS(ns, "polyline");
    path.setAttribute("points", points.join(" "));
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", colors[p] || GREY);
    path.setAttribute("stroke-width", "2");
    path.setAttribute("vector-effect", "non-scaling-stroke");
    path.dataset.platform = p;
    svg.append(path);
    const key = document.createElement("span");
    key.style.color = colors[p] || GREY;
    key.textContent = "■ " + p;
    legend.append(key);
  }
}

function drawDeadLetters(letters) {
  const body = $("dead-letters").tBodies[0];
  body.replaceChildren();
  if (!letters.length) {
    const row = body.insertRow();
    const td = cell(row, "no open dead letters", "empty");
    td.colSpan = 8;
    return;
  }
  for (const d of letters) {
    const row = body.insertRow();
    row.dataset.id = d.id;
    cell(row, d.id, "mono");
    cell(row, d.platform);
    cell(row, d.operation);
    cell(row, d.error);
    cell(row, d.attempts);
    cell(row, new Date(d.last_failed_at).toLocaleString());
    cell(row, d.correlation_id, "mono");
    const button = document.createElement("button");
    button.className = "replay";
    button.textContent = "Replay";
    button.addEventListener("click", () => replay(d.id, button));
    row.insertCell().append(button);
  }
}

async function replay(id, button) {
  button.disabled = true;
  button.textContent = "Replaying…";
  const query = "mutation Replay($id: ID!) { replayDeadLetter(id: $id) { platform status error } }";
  try {
    const response = await fetch("/graphql", {
      method: "POST", headers: headers(), body: JSON.stringify({ query, variables: { id } }),
    });
    const body = await response.json();
    if (body.errors && body.errors.length) {
      $("status").textContent = "replay failed: " + body.errors[0].message;
      button.disabled = false;
      button.textContent = "Replay";
      return;
    }
    $("status").textContent = "replayed " + id + ": " + body.data.replayDeadLetter.status;
  } catch (err) {
    $("status").textContent = "replay failed: " + err;
  }
  await refresh();
}

async function refresh() {
  let response;
  try {
    response = await fetch("/dashboard/data", { headers: headers(), cache: "no-store" });
  } catch (err) {
    $("status").textContent = "gateway unreachable: " + err;
    return;
  }
  if (response.status === 401 || response.status === 403) {
    $("auth").classList.add("shown");
    const body = await response.json();
    $("status").textContent = body.errors[0].message;
    return;
  }
  const data = await response.json();
  $("auth").classList.remove("shown");
  drawIntegrations(data.integrations);
  drawTiles(data);
  drawAlerts(data.alerts);
  drawChart(data.quota_history, data.colors || {});
  drawDeadLetters(data.dead_letters);
  $("status").textContent = "updated " + new Date(data.taken_at).toLocaleTimeString() +
    " · profile " + data.profile;
}

$("auth").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("mgw-key", $("key").value.trim());
  refresh();
});
refresh();
setInterval(refresh, POLL_MS);
