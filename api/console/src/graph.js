// The graph view (Cytoscape.js): the subject and the neighbours the investigator chose to expand.
//
// Why hubs are collapsed: a university with thousands of affiliates would bury the few links that
// matter and make the page unusable. A node with more than HUB_THRESHOLD links shows individually
// only what matters (listings, nodes already on screen, nodes on a concern path); the rest of each
// relation type becomes one group node with its count, expanded only on request.
import cytoscape from "../vendor/cytoscape-3.35.0/cytoscape.esm.min.js";

export const HUB_THRESHOLD = 40;
const GROUP_MIN = 8;
const LAYOUT_COSE_MAX = 60; // above this a force layout costs seconds; concentric rings cost milliseconds

const STYLE = [
  { selector: "node", style: {
    label: "data(label)", "font-size": 10, color: "#1a1a1a", "text-wrap": "ellipsis", "text-max-width": 130,
    "text-valign": "bottom", "text-margin-y": 3, "background-color": "#5b7db1", width: 22, height: 22,
    "border-width": 1, "border-color": "#2b3f5c" } },
  { selector: "node[kind = 'Person']", style: { "background-color": "#3f8f5f", shape: "ellipse" } },
  { selector: "node[kind = 'Organization']", style: { "background-color": "#5b7db1", shape: "round-rectangle" } },
  { selector: "node[kind = 'Watchlist']", style: { "background-color": "#a4161a", shape: "octagon", width: 28, height: 28 } },
  { selector: "node[kind = 'Disclosure'], node[kind = 'Source']", style: { "background-color": "#8a8a8a", shape: "tag" } },
  { selector: "node[?listed]", style: { "border-width": 4, "border-color": "#a4161a" } },
  { selector: "node[?subject]", style: { width: 34, height: 34, "font-weight": "bold", "font-size": 12, "border-width": 3, "border-color": "#e0a100" } },
  { selector: "node.group", style: { shape: "round-rectangle", "background-color": "#eef1f5", "border-color": "#4a4a4a",
    "border-style": "dashed", width: 70, height: 26, label: "data(label)", "text-valign": "center", "text-margin-y": 0, "font-size": 10 } },
  { selector: "edge", style: { width: 1.5, "line-color": "#9aa3ad", "target-arrow-color": "#9aa3ad", "target-arrow-shape": "triangle",
    "curve-style": "bezier", label: "data(type)", "font-size": 8, color: "#4a4a4a", "text-rotation": "autorotate" } },
  { selector: "edge.group-edge", style: { "line-style": "dashed", label: "" } },
  { selector: "edge.concern", style: { "line-color": "#a4161a", "target-arrow-color": "#a4161a", width: 4, "z-index": 10 } },
  { selector: "node.concern", style: { "border-width": 4, "border-color": "#a4161a" } },
  { selector: ":selected", style: { "overlay-color": "#e0a100", "overlay-opacity": 0.35, "overlay-padding": 4 } },
  { selector: ".hidden", style: { display: "none" } },
];

/** A stable id for one relationship fact, the same whichever endpoint it was read from. */
export function edgeId(type, from, to, props = {}) {
  return [type, from, to, props.role || "", props.start || "", props.end || ""].join("|");
}

/** "2021" -> "2021-01-01" (start) or "2021-12-31" (end), so partial dates compare as strings. */
export function normDate(value, isEnd) {
  if (!value) return null;
  const s = String(value);
  if (/^\d{4}$/.test(s)) return isEnd ? `${s}-12-31` : `${s}-01-01`;
  if (/^\d{4}-\d{2}$/.test(s)) return isEnd ? `${s}-31` : `${s}-01`;
  return s.slice(0, 10);
}

export function validOn(props, asOf) {
  if (!asOf) return true;
  const start = normDate(props.start, false);
  const end = normDate(props.end, true);
  return (!start || start <= asOf) && (!end || end >= asOf);
}

export function overlaps(props, from, to) {
  const start = normDate(props.start, false);
  const end = normDate(props.end, true);
  return (!start || !to || start <= to) && (!end || !from || end >= from);
}

export class GraphView {
  constructor(container, handlers) {
    this.handlers = handlers;
    this.cy = cytoscape({ container, style: STYLE, elements: [], minZoom: 0.1, maxZoom: 4, wheelSensitivity: 0.3 });
    this.subjectId = null;
    this.serverPaths = [];
    this.filters = { hiddenTypes: new Set(), hiddenLists: new Set(), asOf: "", from: "", to: "" };
    this.cy.on("tap", "node", (e) => this.handlers.onSelectNode(e.target.data()));
    this.cy.on("tap", "edge", (e) => this.handlers.onSelectEdge(e.target.data()));
    this.cy.on("dbltap", "node", (e) => this.handlers.onExpand(e.target.id()));
    // Cytoscape caches where its canvas is on the page and re-reads it only when the canvas itself is
    // resized or scrolled. Anything laid out before the canvas that grows or shrinks (the filters
    // folded, a subject with more relation types) moves it, and clicks would land beside the node
    // under the pointer; resize() makes cytoscape read its place again.
    const moved = new ResizeObserver(() => this.cy.resize());
    for (let el = container; el && el !== document.body; el = el.parentElement) {
      for (let before = el.previousElementSibling; before; before = before.previousElementSibling) moved.observe(before);
    }
  }

  reset(entity) {
    this.cy.elements().remove();
    this.subjectId = entity.id;
    this.serverPaths = [];
    this.addEntity(entity, { subject: true });
  }

  node(id) {
    const n = this.cy.getElementById(id);
    return n.nonempty() ? n : null;
  }

  nodeData(entityLike) {
    return { id: entityLike.id, label: entityLike.name || entityLike.id, kind: entityLike.label };
  }

  /** Adds ``entity`` (as returned by the API) and its neighbours, collapsing hubs. */
  addEntity(entity, { subject = false } = {}) {
    const cy = this.cy;
    const added = [];
    cy.batch(() => {
      const listed = entity.relations.some((r) => r.type === "LISTED_ON");
      let n = this.node(entity.id);
      if (!n) n = cy.add({ group: "nodes", data: this.nodeData(entity) });
      n.data({ expanded: true, degree: entity.degree, listed: listed || n.data("listed") || false, subject: subject || n.data("subject") || false });
      const pathNodes = new Set(this.serverPaths.flatMap((p) => p.hops.flatMap((h) => [h.from, h.to])));
      const isHub = entity.degree > HUB_THRESHOLD;
      const byType = new Map();
      for (const rel of entity.relations) {
        const important = !isHub || rel.type === "LISTED_ON" || rel.otherLabel === "Watchlist" || this.node(rel.otherId) || pathNodes.has(rel.otherId);
        if (important) added.push(...this.addRelation(entity.id, rel));
        else {
          if (!byType.has(rel.type)) byType.set(rel.type, []);
          byType.get(rel.type).push(rel);
        }
      }
      for (const [type, rels] of byType) {
        if (rels.length <= GROUP_MIN) rels.forEach((rel) => added.push(...this.addRelation(entity.id, rel)));
        else added.push(...this.addGroup(entity.id, `${entity.id}#${type}`, `${type} ×${rels.length}`, rels));
      }
      const notLoaded = entity.degree - entity.relations.length;
      if (notLoaded > 0) added.push(...this.addGroup(entity.id, `${entity.id}#more`, `+${notLoaded.toLocaleString()}`, []));
    });
    return added;
  }

  addRelation(ownerId, rel) {
    const cy = this.cy;
    const out = [];
    if (!this.node(rel.otherId)) out.push(cy.add({ group: "nodes", data: { id: rel.otherId, label: rel.otherName || rel.otherId, kind: rel.otherLabel } }));
    const from = rel.outgoing ? ownerId : rel.otherId;
    const to = rel.outgoing ? rel.otherId : ownerId;
    const id = edgeId(rel.type, from, to, rel.properties);
    if (cy.getElementById(id).empty()) {
      out.push(cy.add({ group: "edges", data: { id, source: from, target: to, type: rel.type, properties: rel.properties || {}, evidence: rel.evidence || [] } }));
    }
    if (rel.type === "LISTED_ON") this.node(from)?.data("listed", true);
    return out;
  }

  addGroup(ownerId, groupId, label, members) {
    const cy = this.cy;
    if (this.node(groupId)) return [];
    const type = members[0]?.type || "";
    const group = cy.add({ group: "nodes", classes: "group", data: { id: groupId, label, kind: "Group", owner: ownerId, members, count: members.length } });
    const edge = cy.add({ group: "edges", classes: "group-edge", data: { id: `${groupId}~edge`, source: ownerId, target: groupId, type, properties: {} } });
    return [group, edge];
  }

  /** Replaces a group node by its members. */
  expandGroup(groupId) {
    const group = this.node(groupId);
    if (!group || !group.data("members").length) return [];
    const { owner, members } = group.data();
    const added = [];
    this.cy.batch(() => {
      group.remove();
      members.forEach((rel) => added.push(...this.addRelation(owner, rel)));
    });
    return added;
  }

  /** Server-computed concern paths: their nodes and hops are added and drawn highlighted. */
  setServerPaths(paths, names) {
    this.serverPaths = paths;
    this.cy.batch(() => {
      for (const path of paths) {
        for (const hop of path.hops) {
          for (const id of [hop.from, hop.to]) {
            if (!this.node(id)) this.cy.add({ group: "nodes", data: { id, label: names.get(id)?.name || id, kind: names.get(id)?.label } });
          }
          const id = edgeId(hop.type, hop.from, hop.to, hop.properties);
          if (this.cy.getElementById(id).empty()) {
            this.cy.add({ group: "edges", data: { id, source: hop.from, target: hop.to, type: hop.type, properties: hop.properties, evidence: hop.evidence } });
          }
          if (hop.type === "LISTED_ON") this.node(hop.from).data("listed", true);
        }
      }
    });
  }

  relationTypes() {
    return [...new Set(this.cy.edges().map((e) => e.data("type")).filter(Boolean))].sort();
  }

  watchlists() {
    return this.cy.nodes("[kind = 'Watchlist']").map((n) => ({ id: n.id(), name: n.data("label") }));
  }

  /** Hides what the filters exclude: relation types, dates (as-of and range) and lists. */
  applyFilters() {
    const { hiddenTypes, hiddenLists, asOf, from, to } = this.filters;
    const cy = this.cy;
    cy.batch(() => {
      cy.edges().forEach((e) => {
        const d = e.data();
        const visible = !hiddenTypes.has(d.type) && validOn(d.properties, asOf) && overlaps(d.properties, from, to) && !hiddenLists.has(d.target);
        e.toggleClass("hidden", !visible);
      });
      cy.nodes().forEach((n) => {
        if (n.id() === this.subjectId) return n.removeClass("hidden");
        const shown = n.connectedEdges().some((e) => !e.hasClass("hidden"));
        n.toggleClass("hidden", !shown || hiddenLists.has(n.id()));
      });
    });
  }

  /** Shortest paths from the subject to every visible list in the explored graph (Cytoscape's Dijkstra). */
  exploredPaths() {
    const visible = this.cy.elements().not(".hidden").not(".group").not(".group-edge");
    const root = this.node(this.subjectId);
    if (!root) return [];
    const dijkstra = visible.dijkstra({ root, directed: false });
    const paths = [];
    visible.nodes("[kind = 'Watchlist']").forEach((target) => {
      if (!Number.isFinite(dijkstra.distanceTo(target))) return;
      const path = dijkstra.pathTo(target);
      const nodes = path.nodes().map((n) => n.id());
      const hops = path.edges().map((e, i) => ({ ...e.data(), from: nodes[i], to: nodes[i + 1], edgeId: e.id() }));
      paths.push({ targetId: target.id(), targetName: target.data("label"), listName: target.data("label"), hops, explored: true });
    });
    return paths.sort((a, b) => a.hops.length - b.hops.length);
  }

  /** Server paths as the filters leave them: a path stays while every hop but its listings is
   * shown and at least one of its listings is; hidden listings are dropped from it. */
  shownPaths(paths) {
    const shown = (hop) => {
      const edge = this.cy.getElementById(hop.edgeId || edgeId(hop.type, hop.from, hop.to, hop.properties));
      return edge.nonempty() && !edge.hasClass("hidden");
    };
    return paths.flatMap((p) => {
      const links = p.hops.filter((hop) => hop.type !== "LISTED_ON");
      const listings = p.hops.filter((hop) => hop.type === "LISTED_ON" && shown(hop));
      return links.every(shown) && listings.length ? [{ ...p, hops: [...links, ...listings] }] : [];
    });
  }

  highlight(paths) {
    this.cy.batch(() => {
      this.cy.elements(".concern").removeClass("concern");
      for (const path of paths) {
        for (const hop of path.hops) {
          const edge = this.cy.getElementById(hop.edgeId || edgeId(hop.type, hop.from, hop.to, hop.properties));
          edge.addClass("concern");
          edge.connectedNodes().addClass("concern");
        }
      }
    });
  }

  /** Lays out the graph; resolves when the layout has stopped (what the page shows is final). */
  layout() {
    const visible = this.cy.elements().not(".hidden");
    const options = visible.nodes().length <= LAYOUT_COSE_MAX
      ? { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 90, numIter: 600 }
      : { name: "concentric", animate: false, minNodeSpacing: 6, concentric: (n) => (n.id() === this.subjectId ? 100 : n.degree()), levelWidth: () => 2 };
    return new Promise((resolve) => {
      const layout = visible.layout({ ...options, fit: true, padding: 30 });
      layout.one("layoutstop", () => resolve());
      layout.run();
    });
  }

  select(id) {
    this.cy.elements(":selected").unselect();
    const el = this.cy.getElementById(id);
    el.select();
    return el;
  }
}
