// The dossier for the committee: one self-contained HTML document built in the browser from what
// the console shows (subject, names, identifiers, listings, disclosures, concern paths with the
// evidence of every hop, the assessment and the decisions). Printing it gives the PDF.
import { t, lang } from "./i18n.js";
import { listingsOf, sourcesOf } from "./panels.js";

const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function evidenceHtml(ev, sources) {
  const source = sources.get(ev.sourceId);
  const full = typeof source?.properties?.text === "string" ? source.properties.text : null;
  let quote;
  if (full && ev.start >= 0 && ev.end > ev.start) {
    const from = Math.max(0, ev.start - 120);
    const to = Math.min(full.length, ev.end + 120);
    quote = `${esc(full.slice(from, ev.start))}<mark>${esc(full.slice(ev.start, ev.end))}</mark>${esc(full.slice(ev.end, to))}`;
  } else if (ev.start >= 0) quote = `<mark>${esc(ev.text)}</mark>`;
  else quote = `${esc(t("record_field"))} <code>${esc(ev.locator)}</code> = ${esc(ev.text)}`;
  const props = source?.properties || {};
  const date = props.retrieved_at || props.submitted_at || ev.observedAt;
  const link = props.uri || props.url;
  return `<li><blockquote>${quote}</blockquote><small>${esc(t("source"))}: ${esc(props.title || source?.name || props.document || ev.sourceId)}${link ? ` (<a href="${esc(link)}">${esc(link)}</a>)` : ""} · ${esc(t("locator"))}: ${esc(ev.locator)} · ${esc(t("observed"))}: ${esc(date)} · ${esc(t("method"))}: ${esc(ev.method)} · ${esc(t("confidence"))}: ${esc(ev.confidence)}</small></li>`;
}

/** The dossier as a complete HTML document (string). ``sources`` maps source id -> entity. */
export function buildDossier({ entity, disclosures, paths, assessment, decisions, graphPng, who, asOf, sources, nameOf }) {
  const names = (entity.names.length ? entity.names : [entity.name]).map((n) => `<li>${esc(n)}</li>`).join("");
  const ids = entity.identifiers.map((i) => `<tr><th>${esc(i.scheme)}</th><td>${esc(i.value)}</td></tr>`).join("");
  const listings = listingsOf(entity).map((l) => `<li>${esc(l.list)} ${esc(l.start || "")}–${esc(l.end || "")} ${esc(l.reason || "")}<ul>${l.evidence.map((e) => evidenceHtml(e, sources)).join("")}</ul></li>`).join("");
  const discl = disclosures.map((d) => `<li>${esc(t("version", { v: d.properties.version }))} · ${esc(d.properties.submitted_at)} · ${esc(d.properties.superseded ? t("superseded") : t("current"))}</li>`).join("");
  const pathItems = paths.paths.map((p) => `<li><strong>${esc(p.listName || p.targetName)}</strong> — ${esc(t("hop_count", { n: p.hops.length }))}${p.score !== undefined ? ` · score ${esc(p.score)}` : ""}<ol>${p.hops
    .map((hop) => `<li>${esc(nameOf(hop.from))} —${esc(hop.type)}→ ${esc(nameOf(hop.to))} ${esc(hop.properties?.role || "")} ${esc(hop.properties?.start || "")}–${esc(hop.properties?.end || "")}<ul>${(hop.evidence || []).map((e) => evidenceHtml(e, sources)).join("")}</ul></li>`)
    .join("")}</ol></li>`).join("");
  const assess = assessment
    ? `<p>${esc(t("tier"))}: <strong>${esc(assessment.tier)}</strong> · ${esc(t("recommendation"))}: <strong>${esc(assessment.recommendation)}</strong></p><p>${esc(assessment.explanation || "")}</p>
       <h3>${esc(t("rules_fired"))}</h3><ul>${assessment.rules.map((r) => `<li>${esc(r.pack)} ${esc(r.id)} ${esc(r.title)} → ${esc(r.outcome)} (${(r.citations || []).map((c) => `${esc(c.document)} ${esc(c.section || "")} ${esc(c.url || "")}`).join("; ")})</li>`).join("")}</ul>
       <h3>${esc(t("measures"))}</h3><ul>${assessment.measures.map((m) => `<li>${esc(m)}</li>`).join("")}</ul>`
    : `<p>${esc(t("assessment_unavailable"))}</p>`;
  const dec = decisions.map((d) => `<li>${esc(d.outcome)} · ${esc(d.decidedBy)} · ${esc(d.decidedAt)} · ${esc(d.rationale || "")}${d.measures?.length ? ` · ${esc(t("measures"))}: ${esc(d.measures.join("; "))}` : ""}</li>`).join("");
  const srcs = sourcesOf(entity).map((s) => `<li><code>${esc(s.id)}</code> (${s.n})</li>`).join("");
  const none = `<p>${esc(t("none"))}</p>`;
  return `<!doctype html>
<html lang="${esc(lang())}"><head><meta charset="utf-8"><title>${esc(t("dossier_title"))}: ${esc(entity.name)}</title>
<style>body{font:12pt/1.45 system-ui,"Noto Sans CJK JP",sans-serif;color:#111;max-width:900px;margin:24px auto;padding:0 16px}
h1{font-size:20pt}h2{border-bottom:1px solid #999;font-size:14pt;margin-top:20px}mark{background:#ffe08a}
blockquote{margin:4px 0;padding:4px 8px;border-left:3px solid #0b4f8a;background:#f6f7f9;white-space:pre-wrap}
img{max-width:100%;border:1px solid #ccc}table th{text-align:left;padding-right:12px}@media print{a{color:#111}}</style></head>
<body>
<h1>${esc(t("dossier_title"))}: ${esc(entity.name)}</h1>
<p>${esc(t("generated", { at: new Date().toISOString(), who }))}${asOf ? ` · ${esc(t("as_of"))} ${esc(asOf)}` : ""} · <code>${esc(entity.id)}</code> (${esc(entity.label)})</p>
<h2>${esc(t("names"))}</h2><ul>${names}</ul>
<h2>${esc(t("identifiers"))}</h2>${ids ? `<table>${ids}</table>` : none}
<h2>${esc(t("listings"))}</h2>${listings ? `<ul>${listings}</ul>` : none}
<h2>${esc(t("disclosures"))}</h2>${discl ? `<ul>${discl}</ul>` : none}
<h2>${esc(paths.server ? t("paths_server") : t("paths_explored"))}</h2>${paths.partial ? `<p>${esc(t("paths_partial"))}</p>` : ""}${pathItems ? `<ol>${pathItems}</ol>` : none}
${graphPng ? `<h2>${esc(t("graph"))}</h2><img alt="${esc(t("graph"))}" src="${graphPng}">` : ""}
<h2>${esc(t("assessment"))}</h2>${assess}
<h2>${esc(t("decision"))}</h2>${dec ? `<ul>${dec}</ul>` : none}
<h2>${esc(t("sources"))}</h2><ul>${srcs}</ul>
</body></html>`;
}
