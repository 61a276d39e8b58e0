// The console's wiring: sign-in, typeahead search, the subject page, graph, panels and export.
import { Api, AuthError, Unavailable } from "./api.js";
import * as Q from "./queries.js";
import { t, lang, setLang, applyText } from "./i18n.js";
import { GraphView } from "./graph.js";
import { renderEntity, renderEvidence, renderPaths, renderAssessment } from "./panels.js";
import { buildDossier } from "./dossier.js";
import { h, clear } from "./dom.js";

const $ = (id) => document.getElementById(id);
const NODE_LIST_MAX = 300;

const state = {
  api: null, me: null, entity: null, disclosures: [], serverPaths: null,
  paths: { paths: [], partial: false, server: false }, assessment: null, decisions: [], message: null, selected: null,
};
/** Timings of the last render and interaction (read by the browser tests and shown nowhere else). */
const metrics = {};
let graph;

window.kizuna = { state, metrics, get graph() { return graph; } };

// ---------------------------------------------------------------- sign-in and roles

const canDecide = () => (state.me?.role || "").toLowerCase() !== "viewer";

async function signIn(key) {
  const api = new Api(key);
  await Q.checkKey(api);
  state.api = api;
  state.me = await Q.whoAmI(api);
  sessionStorage.setItem("kizuna.key", key);
  $("role").textContent = state.me?.role ? t("role", { role: state.me.role }) : t("role_unknown");
  document.body.dataset.role = state.me?.role || "unknown";
  $("search").disabled = false;
  $("signout").hidden = false;
  $("signin").close();
  // Focus must not stay on the key field of the closed dialog, or "/" would type into it.
  if ($("signin").contains(document.activeElement)) document.activeElement.blur();
  route();
}

function showSignIn(error) {
  $("signin-error").textContent = error ? t("signin_failed", { msg: error }) : "";
  if (!$("signin").open) $("signin").showModal();
  $("api-key").focus();
}

// ---------------------------------------------------------------- search (typeahead)

let searchSeq = 0;
let searchTimer;
let activeIndex = -1;

function hideResults() {
  $("search-results").hidden = true;
  $("search").setAttribute("aria-expanded", "false");
  $("search").removeAttribute("aria-activedescendant");
  activeIndex = -1;
}

async function runSearch(text) {
  const seq = ++searchSeq;
  if (!text.trim()) return hideResults();
  let hits;
  let failure = null;
  try {
    hits = await Q.search(state.api, text);
  } catch (err) {
    hits = [];
    if (err instanceof AuthError) return showSignIn(err.message);
    failure = t("error", { msg: err.message });
  }
  if (seq !== searchSeq) return; // a newer keystroke already answered
  const list = $("search-results");
  clear(list, failure ? h("li", { role: "option", "aria-disabled": "true", class: "error" }, failure) : hits.length ? hits.map((hit, i) => h("li", {
    id: `hit-${i}`, role: "option", "aria-selected": "false", dataset: { id: hit.id },
    onmousedown: (e) => { e.preventDefault(); openHit(hit.id); },
  }, hit.name || hit.id, h("span", { class: "kind" }, [hit.label, hit.kind].filter(Boolean).join(" · ")),
    hit.names.length > 1 ? h("span", { class: "kind" }, hit.names.filter((n) => n !== hit.name).slice(0, 3).join(" / ")) : null))
    : h("li", { role: "option", "aria-disabled": "true" }, t("no_hits")));
  list.hidden = false;
  $("search").setAttribute("aria-expanded", "true");
  activeIndex = -1;
}

function moveActive(delta) {
  const options = [...$("search-results").querySelectorAll("li[data-id]")];
  if (!options.length) return;
  activeIndex = (activeIndex + delta + options.length) % options.length;
  options.forEach((o, i) => o.setAttribute("aria-selected", String(i === activeIndex)));
  $("search").setAttribute("aria-activedescendant", options[activeIndex].id);
  options[activeIndex].scrollIntoView({ block: "nearest" });
}

function openHit(id) {
  hideResults();
  location.hash = `#/entity/${encodeURIComponent(id)}`;
}

// ---------------------------------------------------------------- subject page

async function fetchEntity(id) {
  const cache = state.api.entityCache;
  if (!cache.has(id)) {
    cache.set(id, Q.entity(state.api, id).catch((err) => { cache.delete(id); throw err; }));
  }
  return cache.get(id);
}

function route() {
  const match = /^#\/entity\/(.+)$/.exec(location.hash);
  if (match && state.api) openEntity(decodeURIComponent(match[1]));
}

async function openEntity(id) {
  const t0 = performance.now();
  delete document.body.dataset.ready;
  const entity = await fetchEntity(id).catch((err) => { showError(err); return undefined; });
  if (entity === undefined) return;
  if (!entity) {
    clear($("entity"), h("p", { class: "error" }, t("not_found", { id })));
    $("entity").hidden = false;
    return;
  }
  const t1 = performance.now();
  Object.assign(state, { entity, serverPaths: null, serverPathsAsOf: null, assessment: null, decisions: [], message: null, selected: null });
  $("welcome").hidden = true;
  $("entity").hidden = false;
  state.disclosures = (await Promise.all(entity.relations.filter((r) => r.otherLabel === "Disclosure").map((r) => fetchEntity(r.otherId).catch(() => null))))
    .filter(Boolean).sort((a, b) => (b.properties.version ?? 0) - (a.properties.version ?? 0));
  renderEntity($("entity"), entity, state.disclosures, { onEvidence: (title, ev) => showEvidence(title, ev) });
  graph.reset(entity);
  await loadServerPaths();
  await redraw();
  Object.assign(metrics, { fetchMs: t1 - t0, openMs: performance.now() - t0, nodes: graph.cy.nodes().length, edges: graph.cy.edges().length });
  $("export-html").disabled = false;
  $("export-pdf").disabled = false;
  document.body.dataset.ready = entity.id;
  loadAssessment();
}

// Answers can arrive out of order (a slow as-of 2020 answer after the 2022 one): only the answer to
// the latest request for the subject on screen is applied.
let pathsRequest = 0;

async function loadServerPaths() {
  const names = new Map();
  const request = ++pathsRequest;
  const subject = state.entity.id;
  const asOf = graph.filters.asOf || null;
  const paths = await Q.concernPaths(state.api, subject, { asOf }, names)
    .catch((err) => { showError(err); return null; });
  if (request !== pathsRequest || state.entity?.id !== subject) return false;
  if (paths) {
    Object.assign(state, { serverPaths: paths, serverPathsAsOf: asOf });
    graph.setServerPaths(paths.paths, names);
  }
  return true;
}

/** After any change to the graph: filters, layout, paths, node list and filter controls. */
async function redraw({ relayout = true } = {}) {
  renderFilterControls();
  graph.applyFilters();
  if (relayout) {
    const t0 = performance.now();
    await graph.layout();
    metrics.layoutMs = performance.now() - t0;
  }
  updatePaths();
  renderNodeList();
}

function updatePaths() {
  state.paths = state.serverPaths
    ? { ...state.serverPaths, paths: graph.shownPaths(state.serverPaths.paths), server: true }
    : { paths: graph.exploredPaths(), partial: false, server: false };
  graph.highlight(state.paths.paths);
  renderPaths($("paths"), state.paths, { onSelectPath: showPathEvidence });
}

async function expand(id) {
  const t0 = performance.now();
  const node = graph.node(id);
  if (!node) return;
  if (node.hasClass("group")) graph.expandGroup(id);
  else {
    const entity = await fetchEntity(id).catch((err) => { showError(err); return null; });
    if (!entity) return;
    graph.addEntity(entity);
  }
  await redraw();
  metrics.expandMs = performance.now() - t0;
  metrics.nodes = graph.cy.nodes().length;
  document.body.dataset.expanded = id;
}

// ---------------------------------------------------------------- selection and evidence

async function selectNode(data) {
  state.selected = data;
  $("expand").disabled = data.expanded || (data.kind === "Group" && !data.count);
  graph.select(data.id);
  for (const li of $("node-list").querySelectorAll("li")) li.setAttribute("aria-current", String(li.dataset.id === data.id));
  if (data.kind === "Group") {
    return clear($("evidence"), h("h3", { id: "evidence-title" }, data.label), h("p", {}, data.count ? t("group_help", { n: data.count.toLocaleString() }) : t("group_unloaded")),
      data.count ? h("button", { type: "button", onclick: () => expand(data.id) }, t("expand")) : null);
  }
  const entity = await fetchEntity(data.id).catch(() => null);
  await renderEvidence($("evidence"), data.label, entity?.evidence || [], fetchEntity);
}

function selectEdge(data) {
  state.selected = data;
  $("expand").disabled = true;
  const name = (id) => graph.node(id)?.data("label") || id;
  return showEvidence(`${name(data.source)} —${data.type}→ ${name(data.target)}`, data.evidence);
}

function showEvidence(title, evidence) {
  return renderEvidence($("evidence"), title, evidence, fetchEntity);
}

async function showPathEvidence(path) {
  const name = (id) => graph.node(id)?.data("label") || id;
  const blocks = path.hops.map(() => h("div", { class: "hop" }));
  clear($("evidence"), h("h3", { id: "evidence-title" }, `${name(state.entity.id)} ⇢ ${path.listName || path.targetName}`), blocks);
  await Promise.all(path.hops.map((hop, i) => renderEvidence(blocks[i], `${name(hop.from)} —${hop.type}→ ${name(hop.to)}`, hop.evidence, fetchEntity)));
  document.body.dataset.evidence = "path";
}

function showError(err) {
  if (err instanceof AuthError) return showSignIn(err.message);
  clear($("evidence"), h("p", { class: "error", role: "alert" }, t("error", { msg: err.message })));
}

// ---------------------------------------------------------------- filters and keyboard list

function renderFilterControls() {
  const f = graph.filters;
  clear($("type-filters"), graph.relationTypes().map((type) => h("label", {},
    h("input", { type: "checkbox", checked: !f.hiddenTypes.has(type), dataset: { type }, onchange: (e) => {
      e.target.checked ? f.hiddenTypes.delete(type) : f.hiddenTypes.add(type);
      filtersChanged();
    } }), ` ${type}`)));
  clear($("list-filters"), graph.watchlists().map((wl) => h("label", {},
    h("input", { type: "checkbox", checked: !f.hiddenLists.has(wl.id), dataset: { list: wl.id }, onchange: (e) => {
      e.target.checked ? f.hiddenLists.delete(wl.id) : f.hiddenLists.add(wl.id);
      filtersChanged();
    } }), ` ${wl.name}`)));
}

function filtersChanged() {
  const t0 = performance.now();
  graph.applyFilters();
  updatePaths();
  renderNodeList();
  metrics.filterMs = performance.now() - t0;
}

async function datesChanged() {
  const f = graph.filters;
  const asOfChanged = f.asOf !== $("as-of").value;
  Object.assign(f, { asOf: $("as-of").value, from: $("date-from").value, to: $("date-to").value });
  const asOf = f.asOf;
  const stale = state.serverPaths && state.serverPathsAsOf !== (asOf || null);
  const latest = stale ? await loadServerPaths() : true;
  if (!latest) return;  // a later change is in flight; its answer will redraw
  filtersChanged();
  document.body.dataset.asOf = asOf;  // settled: what is drawn is as of this date
  if (asOfChanged) loadAssessment();
}

function renderNodeList() {
  const nodes = graph.cy.nodes().not(".hidden").sort((a, b) => (b.data("subject") ? 1 : 0) - (a.data("subject") ? 1 : 0) || (b.hasClass("concern") ? 1 : 0) - (a.hasClass("concern") ? 1 : 0));
  clear($("node-list"), nodes.slice(0, NODE_LIST_MAX).map((n) => h("li", { dataset: { id: n.id() } },
    h("button", { type: "button", onclick: () => selectNode(n.data()), onkeydown: (e) => {
      if (e.key === "e" || e.key === "E") { e.preventDefault(); expand(n.id()); }
    } }, `${n.data("label")}${n.data("kind") && n.data("kind") !== "Group" ? ` (${n.data("kind")})` : ""}${n.data("listed") ? " ⚠" : ""}`))));
}

// ---------------------------------------------------------------- assessment and decisions

let assessmentRequest = 0;

async function loadAssessment() {
  const subject = state.entity.id;
  const request = ++assessmentRequest;
  const assessment = await Q.riskAssessment(state.api, subject, { asOf: graph.filters.asOf || null })
    .catch((err) => { state.message = { text: t("error", { msg: err.message }), error: true }; return null; });
  if (request !== assessmentRequest || state.entity?.id !== subject) return;
  state.assessment = assessment;
  drawAssessment();
}

function drawAssessment() {
  renderAssessment($("assessment"), {
    assessment: state.assessment, canDecide: canDecide(), decisionAvailable: state.api.isAvailable("recordDecision"),
    decisions: state.decisions, message: state.message,
  }, { onDecision: recordDecision, onResponse: recordResponse });
}

async function recordDecision(form) {
  try {
    const decision = { ...form, ...(await Q.recordDecision(state.api, state.entity.id, form)) };
    state.decisions.push(decision);
    state.message = { text: t("decision_saved", { outcome: decision.outcome, by: decision.decidedBy || "" }) };
  } catch (err) {
    state.message = err instanceof Unavailable ? { text: t("decision_unavailable"), error: true }
      : err instanceof AuthError ? { text: t("decision_denied"), error: true } : { text: t("error", { msg: err.message }), error: true };
  }
  drawAssessment();
}

async function recordResponse(form) {
  try {
    await Q.recordResponse(state.api, state.entity.id, form);
    state.message = { text: t("response_saved") };
  } catch (err) {
    state.message = { text: err instanceof AuthError ? t("decision_denied") : t("error", { msg: err.message }), error: true };
  }
  drawAssessment();
}

// ---------------------------------------------------------------- dossier

async function dossierHtml() {
  const evidence = [
    ...state.entity.evidence, ...state.entity.relations.flatMap((r) => r.evidence),
    ...state.paths.paths.flatMap((p) => p.hops.flatMap((hop) => hop.evidence || [])),
  ];
  const ids = [...new Set(evidence.map((e) => e.sourceId))];
  const sources = new Map((await Promise.all(ids.map((i) => fetchEntity(i).catch(() => null)))).filter(Boolean).map((e) => [e.id, e]));
  return buildDossier({
    entity: state.entity, disclosures: state.disclosures, paths: state.paths, assessment: state.assessment,
    decisions: state.decisions, sources, asOf: graph.filters.asOf,
    who: state.me?.name || state.me?.role || "API key",
    nameOf: (id) => graph.node(id)?.data("label") || id,
    graphPng: graph.cy.png({ full: true, bg: "#ffffff", maxWidth: 1600, maxHeight: 1200 }),
  });
}

async function exportHtml() {
  const html = await dossierHtml();
  const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  const a = h("a", { href: url, download: `kizuna-dossier-${state.entity.id.replace(/[^\w.-]+/g, "_")}.html` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function exportPdf() {
  const html = await dossierHtml();
  const win = window.open("", "_blank");
  if (!win) return;
  win.document.write(html);
  win.document.close();
  win.addEventListener("load", () => win.print());
}

// ---------------------------------------------------------------- start

function bind() {
  $("lang").textContent = t("language");
  $("lang").addEventListener("click", () => {
    setLang(lang() === "ja" ? "en" : "ja");
    applyText();
    $("lang").textContent = t("language");
    if (state.me !== undefined && state.api) $("role").textContent = state.me?.role ? t("role", { role: state.me.role }) : t("role_unknown");
    if (state.entity) {
      renderEntity($("entity"), state.entity, state.disclosures, { onEvidence: showEvidence });
      renderPaths($("paths"), state.paths, { onSelectPath: showPathEvidence });
      drawAssessment();
    }
  });
  $("signin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await signIn($("api-key").value.trim());
    } catch (err) {
      showSignIn(err.message);
    }
  });
  $("signin").addEventListener("cancel", (e) => e.preventDefault()); // nothing works without a key
  $("signout").addEventListener("click", () => {
    sessionStorage.removeItem("kizuna.key");
    location.hash = "";
    location.reload();
  });
  const input = $("search");
  input.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => runSearch(input.value), 150);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { e.preventDefault(); moveActive(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); moveActive(-1); }
    else if (e.key === "Escape") hideResults();
    else if (e.key === "Enter") {
      const options = [...$("search-results").querySelectorAll("li[data-id]")];
      const chosen = options[Math.max(0, activeIndex)];
      if (chosen) { e.preventDefault(); openHit(chosen.dataset.id); }
    }
  });
  input.addEventListener("blur", () => setTimeout(hideResults, 100));
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement?.tagName || "")) { e.preventDefault(); input.focus(); }
  });
  $("expand").addEventListener("click", () => state.selected && expand(state.selected.id));
  $("fit").addEventListener("click", () => graph.cy.fit(undefined, 30));
  for (const id of ["as-of", "date-from", "date-to"]) $(id).addEventListener("change", datesChanged);
  $("export-html").addEventListener("click", exportHtml);
  $("export-pdf").addEventListener("click", exportPdf);
  window.addEventListener("hashchange", route);
}

function start() {
  setLang(lang());
  applyText();
  graph = new GraphView($("cy"), { onSelectNode: selectNode, onSelectEdge: selectEdge, onExpand: expand });
  bind();
  const key = sessionStorage.getItem("kizuna.key");
  if (key) signIn(key).catch((err) => showSignIn(err.message));
  else showSignIn();
}

start();
