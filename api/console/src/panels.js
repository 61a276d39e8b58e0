// The side panels: entity details, evidence, concern paths and the assessment with decisions.
import { h, clear } from "./dom.js";
import { t } from "./i18n.js";

const fmtList = (items) => (items.length ? items : [t("none")]);

/** Every source cited by the entity or its relations, with how many facts it supports. */
export function sourcesOf(entity) {
  const counts = new Map();
  const all = [...entity.evidence, ...entity.relations.flatMap((r) => r.evidence)];
  for (const ev of all) counts.set(ev.sourceId, (counts.get(ev.sourceId) || 0) + 1);
  return [...counts].map(([id, n]) => ({ id, n }));
}

export function listingsOf(entity) {
  return entity.relations.filter((r) => r.type === "LISTED_ON").map((r) => ({ list: r.otherName || r.otherId, listId: r.otherId, ...r.properties, evidence: r.evidence }));
}

export function renderEntity(el, entity, disclosures, { onEvidence }) {
  const names = entity.names.length ? entity.names : [entity.name];
  const ids = entity.identifiers;
  const listings = listingsOf(entity);
  clear(el,
    h("h2", { id: "entity-title", class: listings.length ? "listed" : "" }, entity.name || entity.id),
    h("p", { class: "help" }, `${entity.label}${entity.properties?.kind ? " · " + entity.properties.kind : ""} · ${t("degree", { n: entity.degree.toLocaleString() })}`),
    h("h3", {}, t("names")),
    h("ul", { class: "plain", id: "entity-names" }, names.map((n) => h("li", { lang: /[\u3040-\u30ff\u3400-\u9fff]/.test(n) ? "ja" : undefined }, n))),
    h("h3", {}, t("identifiers")),
    h("dl", { id: "entity-identifiers" }, ids.length ? ids.flatMap((i) => [h("dt", {}, i.scheme), h("dd", {}, i.value)]) : h("dd", {}, t("none"))),
    h("h3", {}, t("listings")),
    h("ul", { class: "plain", id: "entity-listings" }, fmtList(listings.map((l) =>
      h("li", { class: "listed" }, `${l.list}${l.start ? " · " + l.start : ""}${l.end ? "–" + l.end : ""}${l.reason ? " · " + l.reason : ""} `,
        h("button", { type: "button", onclick: () => onEvidence(`${entity.name} → ${l.list}`, l.evidence) }, t("evidence")))))),
    h("h3", {}, t("disclosures")),
    h("ul", { class: "plain", id: "entity-disclosures" }, fmtList(disclosures.map((d) =>
      h("li", {}, `${t("version", { v: d.properties.version ?? "?" })} · ${d.properties.submitted_at || ""} · ${d.properties.superseded ? t("superseded") : t("current")} `,
        h("a", { href: `#/entity/${encodeURIComponent(d.id)}` }, d.properties.document || d.id))))),
    h("h3", {}, t("sources")),
    h("ul", { class: "plain", id: "entity-sources" }, fmtList(sourcesOf(entity).map((s) => h("li", {}, h("code", {}, s.id), ` (${s.n})`)))),
  );
}

/** The evidence of one fact: snippet with its span highlighted, or the record field; source date; link. */
export async function renderEvidence(el, title, evidence, fetchEntity) {
  clear(el, h("h3", { id: "evidence-title" }, title), h("p", { class: "help" }, t("loading")));
  const items = await Promise.all((evidence || []).map(async (ev) => ({ ev, source: await fetchEntity(ev.sourceId).catch(() => null) })));
  clear(el, h("h3", { id: "evidence-title" }, title),
    items.length ? items.map(({ ev, source }) => evidenceItem(ev, source)) : h("p", {}, t("evidence_none")));
}

/** The words around [start, end) in ``text`` with the span itself marked. */
export function snippet(text, start, end, context = 160) {
  const from = Math.max(0, start - context);
  const to = Math.min(text.length, end + context);
  return h("div", { class: "snippet" }, from > 0 ? "…" : "", text.slice(from, start), h("mark", {}, text.slice(start, end)), text.slice(end, to), to < text.length ? "…" : "");
}

function evidenceItem(ev, source) {
  const props = source?.properties || {};
  const date = props.retrieved_at || props.submitted_at || props.published || ev.observedAt;
  const link = props.uri || props.url || (source ? `#/entity/${encodeURIComponent(source.id)}` : null);
  let body;
  const full = typeof props.text === "string" ? props.text : null;
  if (full && ev.start >= 0 && ev.end > ev.start) {
    let start = ev.start;
    let end = ev.end;
    if (ev.text && full.slice(start, end) !== ev.text && full.includes(ev.text)) {
      start = full.indexOf(ev.text);
      end = start + ev.text.length;
    }
    body = snippet(full, start, end);
  } else if (ev.start >= 0 && ev.text) {
    body = h("div", { class: "snippet" }, h("mark", {}, ev.text));
  } else {
    body = h("div", { class: "snippet record" }, h("strong", {}, `${t("record_field")}: ${ev.locator}`), " = ", ev.text || "");
  }
  return h("div", { class: "evidence-item" },
    h("div", {}, h("strong", {}, `${t("source")}: `), props.title || source?.name || props.document || ev.sourceId, " ",
      link ? h("a", { href: link, target: link.startsWith("#") ? undefined : "_blank", rel: "noopener" }, t("open_source")) : ""),
    body,
    h("div", { class: "help" }, `${t("locator")}: ${ev.locator} · ${t("observed")}: ${date || "?"} · ${t("method")}: ${ev.method} · ${t("confidence")}: ${ev.confidence ?? "?"}`));
}

export function renderPaths(el, result, { onSelectPath }) {
  const { paths, partial, server } = result;
  clear(el,
    h("p", { class: "help" }, server ? t("paths_server") : t("paths_explored")),
    partial ? h("p", { class: "error" }, t("paths_partial")) : null,
    paths.length ? h("ol", { class: "plain", id: "path-list" }, paths.map((p, i) =>
      h("li", { class: "path" },
        h("span", { class: "listed" }, p.listName || p.targetName), ` · ${t("hop_count", { n: p.hops.length })}`, p.score !== undefined ? ` · ${p.score}` : "",
        h("div", {}, p.hops.map((hop) => hop.type).join(" → ")),
        h("button", { type: "button", "data-path": i, onclick: () => onSelectPath(p) }, t("evidence"))))) : h("p", {}, t("paths_none")));
}

export function renderAssessment(el, state, { onDecision, onResponse }) {
  const { assessment, canDecide, decisionAvailable, decisions, message } = state;
  const parts = [];
  if (!assessment) parts.push(h("p", { class: "help", id: "assessment-unavailable" }, t("assessment_unavailable")));
  else {
    parts.push(h("dl", {},
      h("dt", {}, t("tier")), h("dd", { class: `tier-${assessment.tier}`, id: "assessment-tier" }, assessment.tier),
      h("dt", {}, t("recommendation")), h("dd", { id: "assessment-recommendation" }, assessment.recommendation),
      assessment.explanation ? h("dd", {}, assessment.explanation) : null,
      assessment.missing.length ? [h("dt", {}, t("missing_info")), h("dd", {}, assessment.missing.join("; "))] : null,
      h("dt", {}, t("rules_fired")),
      h("dd", {}, h("ul", { class: "plain", id: "assessment-rules" }, fmtList(assessment.rules.map((r) =>
        h("li", {}, `${r.pack || ""} ${r.id}: ${r.title || ""} → ${r.outcome || ""} `,
          (r.citations || []).map((c) => (c.url ? h("a", { href: c.url, target: "_blank", rel: "noopener" }, `${c.document} ${c.section || ""}`) : `${c.document} ${c.section || ""}`))))))),
      h("dt", {}, t("measures")),
      h("dd", {}, h("ul", { class: "plain" }, fmtList(assessment.measures.map((m) => h("li", {}, m))))),
    ));
  }
  if (!canDecide) parts.push(h("p", { class: "help", id: "view-only" }, t("view_only")));
  else if (!decisionAvailable) parts.push(h("p", { class: "help" }, t("decision_unavailable")));
  else {
    const findings = assessment?.findings || [];
    const form = h("form", { class: "decision", id: "decision-form" },
      h("h3", {}, t("decision")),
      findings.length ? h("label", {}, t("finding"), h("select", { name: "finding" }, h("option", { value: "" }, "—"), findings.map((f) => h("option", { value: f.id }, f.title || f.id)))) : null,
      h("label", {}, t("outcome"), h("select", { name: "outcome", required: true }, ["ACCEPT", "MITIGATE", "AVOID"].map((o) => h("option", { value: o }, o)))),
      h("label", {}, t("measures_input"), h("textarea", { name: "measures", rows: 2 })),
      h("label", {}, t("rationale"), h("textarea", { name: "rationale", rows: 3, required: true })),
      h("button", { type: "submit" }, t("save_decision")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const data = new FormData(form);
      onDecision({ findingId: data.get("finding") || null, outcome: data.get("outcome"), rationale: data.get("rationale"),
        measures: String(data.get("measures") || "").split("\n").map((s) => s.trim()).filter(Boolean) });
    });
    parts.push(form);
    if (findings.length) {
      const response = h("form", { class: "decision", id: "response-form" },
        h("h3", {}, t("response")),
        h("label", {}, t("finding"), h("select", { name: "finding" }, findings.map((f) => h("option", { value: f.id }, f.title || f.id)))),
        h("label", {}, t("response"), h("textarea", { name: "text", rows: 3, required: true })),
        h("button", { type: "submit" }, t("save_response")));
      response.addEventListener("submit", (e) => {
        e.preventDefault();
        const data = new FormData(response);
        onResponse({ findingId: data.get("finding"), text: data.get("text") });
      });
      parts.push(response);
    }
  }
  if (message) parts.push(h("p", { role: "status", id: "decision-status", class: message.error ? "error" : "" }, message.text));
  if (decisions.length) parts.push(h("ul", { class: "plain", id: "decisions" }, decisions.map((d) => h("li", {}, `${d.outcome} · ${d.decidedBy || ""} · ${d.decidedAt || ""}`))));
  clear(el, parts);
}
