// Post-editing playground: a chat per segment over the public API (no private endpoints, no libraries).
"use strict";

(() => {
  const KEY_STORE = "postedit.apiKey";
  const $ = (sel) => document.querySelector(sel);
  const state = { key: localStorage.getItem(KEY_STORE) || "", conv: null, busy: false, liveSteps: null,
    names: { glossary: {}, styleguide: {}, memory: {} } };  // resource id -> display name, for every pair

  // ---- DOM helpers: text only (never innerHTML with data), so segments cannot inject markup ----------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // ---- API ---------------------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ Authorization: "Bearer " + state.key }, options.headers || {});
    if (options.json !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, {
      method: options.method || "GET",
      headers,
      body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
    });
    if (!res.ok) {
      let code = "error", message = res.status + " " + res.statusText;
      try {
        const body = await res.json();
        if (body && body.error) { code = body.error.code; message = body.error.message; }
      } catch (_) { /* not JSON */ }
      throw new ApiError(res.status, code, message);
    }
    return options.raw ? res : res.status === 204 ? null : res.json();
  }

  // Server-Sent Events over fetch (EventSource cannot POST or send the Authorization header).
  async function streamEvents(res, onEvent) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) onEvent(event, JSON.parse(data.join("\n")));
      }
    }
  }

  // ---- rendering pieces ----------------------------------------------------------------------------------------
  function termTip(term) {
    const lines = [];
    if (term.dnt) lines.push("Do not translate: keep “" + term.source + "”");
    else if (term.target) lines.push("Target: " + term.target);
    if (term.forbidden && term.forbidden.length) lines.push("Forbidden: " + term.forbidden.join(", "));
    if (term.note) lines.push("Note: " + term.note);
    return "Glossary — " + term.source + ". " + lines.join(". ");
  }

  // `text` with the given non-overlapping spans wrapped in highlighted, focusable <mark>s.
  function highlighted(text, spans) {
    const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
    const out = [];
    let pos = 0;
    for (const span of sorted) {
      if (span.start < pos) continue;
      out.push(text.slice(pos, span.start));
      const tip = termTip(span.term);  // shown by CSS on hover and focus; read by screen readers as a description
      out.push(el("mark", { class: "term " + (span.cls || ""), tabindex: "0", "data-term": span.term.source,
        "data-tip": tip, "aria-description": tip }, text.slice(span.start, span.end)));
      pos = span.end;
    }
    out.push(text.slice(pos));
    return out;
  }

  const sourceSpans = (terms) => terms.map((t) => ({ start: t.start, end: t.end, term: t }));

  function targetSpans(terms) {
    const spans = [];
    for (const t of terms) {
      if (t.target_start !== null && t.target_start !== undefined) {
        spans.push({ start: t.target_start, end: t.target_end, term: t });
      }
      for (const [start, end] of t.forbidden_spans || []) spans.push({ start, end, term: t, cls: "forbidden" });
    }
    return spans;
  }

  // The output with the MT's deleted words and the inserted words marked (edits carry character offsets).
  function diffNodes(output, edits) {
    const out = [];
    let pos = 0;
    for (const e of [...edits].sort((a, b) => a.out_start - b.out_start)) {
      if (e.out_start < pos) continue;
      out.push(output.slice(pos, e.out_start));
      const title = e.reason || null;
      if (e.before) out.push(el("del", { title }, el("span", { class: "sr-only", text: "deleted: " }), e.before));
      if (e.before && e.after) out.push(" ");
      if (e.after) out.push(el("ins", { title }, el("span", { class: "sr-only", text: "inserted: " }), e.after));
      pos = e.out_end;
    }
    out.push(output.slice(pos));
    return out;
  }

  const STATUS_TEXT = { edited: "edited", unchanged: "unchanged", needs_review: "needs review", error: "error" };

  function statusBadge(status) {
    return el("span", { class: "status status-" + status, "data-status": status, text: STATUS_TEXT[status] || status });
  }

  function violationBadges(violations) {
    if (!violations.length) return el("p", { class: "muted", text: "No QA issues." });
    return el("ul", { class: "badges", "aria-label": "QA violations" },
      violations.map((v) => el("li", {
        class: "badge sev-" + v.severity, tabindex: "0", title: v.message,
        "aria-label": v.severity + ": " + v.code + ": " + v.message, text: v.code,
      })));
  }

  function stepItem(step) {
    return el("li", {}, el("span", { class: "step-name", text: step.step }), " — ", step.detail, " ",
      el("span", { class: "step-ms", text: "(" + Number(step.ms).toFixed(1) + " ms)" }));
  }

  function stepsDetails(steps, open) {
    const total = steps.reduce((sum, s) => sum + (Number(s.ms) || 0), 0);
    return el("details", { class: "steps", open },
      el("summary", {}, "Agent steps (" + steps.length + (steps.length ? ", " + total.toFixed(0) + " ms" : "") + ")"),
      el("ol", {}, steps.map(stepItem)));
  }

  function optionsLine(conv) {
    const parts = [conv.source_lang + " → " + conv.target_lang, conv.mode + " mode"];
    if (conv.glossary_id) parts.push("glossary " + nameOf("glossary", conv.glossary_id));
    if (conv.styleguide_id) parts.push("style guide " + nameOf("styleguide", conv.styleguide_id));
    if (conv.memory_id) parts.push("memory " + nameOf("memory", conv.memory_id));
    return el("p", { class: "options", text: parts.join(" · ") });
  }

  function firstTerms(conv) {
    const turn = conv.turns.find((t) => t.role === "agent" && t.result);
    return turn ? turn.terms : [];
  }

  function latestVersionIndex(conv) {
    for (let i = conv.turns.length - 1; i >= 0; i--) {
      const t = conv.turns[i];
      if (t.result && t.result.output !== null) return i;
    }
    return -1;
  }

  function userCard(conv, turn) {
    if (turn.kind !== "segment") {
      return el("article", { class: "turn user", "aria-label": "Your message" },
        el("p", { class: "who", text: "You" }), el("p", { class: "reply", text: turn.text }));
    }
    return el("article", { class: "turn user", "aria-label": "Your segment" },
      el("p", { class: "who", text: "You" }),
      el("dl", {},
        el("dt", { text: "Source" }), el("dd", { class: "source" }, highlighted(conv.source, sourceSpans(firstTerms(conv)))),
        el("dt", { text: "MT" }), el("dd", { class: "mt" }, conv.mt === null ? el("em", { class: "muted", text: "(none: translate)" }) : conv.mt)),
      optionsLine(conv));
  }

  function agentCard(conv, turn) {
    if (turn.kind === "error" || !turn.result) {
      return el("article", { class: "turn agent error", "aria-label": "Agent error" },
        el("p", { class: "who", text: "Agent" }), el("p", { class: "reply", text: turn.text }));
    }
    const r = turn.result;
    const isLatest = turn.index === latestVersionIndex(conv);
    const accepted = conv.accepted_turn === turn.index;
    const body = [el("dt", { text: "Post-edit" }), el("dd", { class: "output" }, highlighted(r.output, targetSpans(turn.terms)))];
    if (conv.mt !== null) {
      body.push(el("dt", { text: "Changes vs MT" }),
        el("dd", { class: "diff" }, r.edits.length ? diffNodes(r.output, r.edits) : el("span", { class: "muted", text: "none" })));
    }
    const actions = el("div", { class: "row actions" });
    if (accepted) actions.append(el("span", { class: "accepted", text: "✓ Accepted" }));
    if (isLatest && !accepted) actions.append(el("button", { type: "button", class: "accept", onclick: () => accept(turn.index) }, "Accept"));
    actions.append(el("button", { type: "button", class: "copy", onclick: () => copy(r.output) }, "Copy"));
    if (isLatest) {
      actions.append(el("button", { type: "button", onclick: () => exportConv("jsonl", conv.id) }, "Export JSONL"),
        el("button", { type: "button", onclick: () => exportConv("xliff", conv.id) }, "Export XLIFF"));
    }
    return el("article", { class: "turn agent", "aria-label": "Agent answer", "data-kind": turn.kind },
      el("p", { class: "who" }, "Agent ", statusBadge(r.status), r.cached ? el("span", { class: "muted", text: " (cached)" }) : null),
      turn.text ? el("p", { class: "reply", text: turn.text }) : null,
      el("dl", {}, body),
      violationBadges(r.violations),
      stepsDetails(r.trace || [], false),
      actions);
  }

  function pendingCard(steps) {
    const list = el("ol", {}, steps.map(stepItem));
    const card = el("article", { class: "turn agent pending", "aria-label": "Agent working", "aria-busy": "true" },
      el("p", { class: "who", text: "Agent" }),
      el("details", { class: "steps", open: true }, el("summary", {}, "Agent steps (live)"), list));
    return { card, list };
  }

  function renderThread() {
    const thread = $("#thread");
    thread.replaceChildren();
    const conv = state.conv;
    if (!conv) {
      thread.append(el("p", { class: "muted intro" },
        "Paste a source segment and its machine translation (or only the source), pick the language pair, ",
        "glossary and style guide, and send. Then ask for changes or questions in the same conversation. ",
        el("kbd", { text: "Ctrl" }), "+", el("kbd", { text: "Enter" }), " sends."));
    } else {
      for (const turn of conv.turns) thread.append(turn.role === "user" ? userCard(conv, turn) : agentCard(conv, turn));
    }
    $("#segment-form").hidden = Boolean(conv);
    $("#message-form").hidden = !conv;
    for (const button of document.querySelectorAll("#conv-list button")) {
      button.setAttribute("aria-current", conv && button.dataset.id === conv.id ? "true" : "false");
    }
  }

  // ---- actions -------------------------------------------------------------------------------------------------
  function setWorking(text, busy = false) {
    $("#working").textContent = text;
    $("#working").classList.toggle("busy", busy);
  }
  function showError(text) { $("#thread-error").textContent = text; }

  function setBusy(busy) {
    state.busy = busy;
    for (const b of document.querySelectorAll(".composer button[type=submit]")) b.disabled = busy;
  }

  async function loadConversations() {
    const list = await api("/v1/conversations");
    const ul = $("#conv-list");
    ul.replaceChildren(...list.items.map((c) => el("li", {},
      el("button", { type: "button", "data-id": c.id, onclick: () => openConversation(c.id),
        "aria-current": state.conv && state.conv.id === c.id ? "true" : "false" },
        c.title, el("br"), el("span", { class: "meta" },
          c.source_lang + "→" + c.target_lang + " · " + (c.status ? STATUS_TEXT[c.status] || c.status : "new") +
          (c.accepted ? " · accepted" : "") + " · " + c.turns + (c.turns === 1 ? " turn" : " turns"))))));
    $("#conv-empty").hidden = list.items.length > 0;
  }

  // Every resource's name (past conversations may use another pair), then the choices for the chosen pair.
  async function loadResources() {
    const [glossaries, styles, memories] = await Promise.all(
      [api("/v1/glossaries"), api("/v1/styleguides"), api("/v1/memories"), loadChoices()]);
    for (const g of glossaries.items) state.names.glossary[g.id] = g.name || g.id;
    for (const s of styles.items) state.names.styleguide[s.id] = s.name || s.id;
    for (const m of memories.items) state.names.memory[m.id] = m.name || m.id;
  }

  const nameOf = (kind, id) => state.names[kind][id] || id;

  // Only the glossaries and style guides a segment in the chosen pair can use; the server decides what fits
  // (a glossary's pair, regions aside; the languages a style guide names). A pair being typed offers none.
  let choicesAsked = 0;
  async function loadChoices() {
    const asked = ++choicesAsked;
    const src = $("#source-lang"), tgt = $("#target-lang");
    let glossaries = [], styles = [], memories = [];
    if (src.checkValidity() && tgt.checkValidity()) {
      const pair = "?" + new URLSearchParams({ source_lang: src.value.trim(), target_lang: tgt.value.trim() });
      [glossaries, styles, memories] = (await Promise.all(
        [api("/v1/glossaries" + pair), api("/v1/styleguides" + pair), api("/v1/memories" + pair)]))
        .map((list) => list.items);
    }
    if (asked !== choicesAsked) return;  // the pair changed meanwhile; a newer answer fills the lists
    fillSelect($("#glossary"), glossaries, (g) => g.entries === null ? "" : " (" + g.entries + (g.entries === 1 ? " entry)" : " entries)"));
    fillSelect($("#styleguide"), styles, () => "");
    fillSelect($("#memory"), memories, (m) => " (" + m.entries + (m.entries === 1 ? " entry)" : " entries)"));
  }

  let pairTimer = null;
  function onPairInput() {
    if (!state.key) return;
    clearTimeout(pairTimer);
    pairTimer = setTimeout(() => loadChoices().catch((err) => showError(err.message)), 250);
  }

  // Options labelled by name, alphabetically (the id too where two share a name); the id is the value and tooltip.
  function fillSelect(select, items, detail) {
    const chosen = select.value;
    const name = (i) => i.name || i.id;
    const count = {};
    for (const i of items) count[name(i)] = (count[name(i)] || 0) + 1;
    const label = (i) => name(i) + (count[name(i)] > 1 && i.name ? " [" + i.id + "]" : "") + detail(i);
    const sorted = [...items].sort((a, b) => name(a).localeCompare(name(b)));
    select.replaceChildren(el("option", { value: "", text: "(none)" }),
      ...sorted.map((i) => el("option", { value: i.id, text: label(i), title: i.id })));
    if (items.some((i) => i.id === chosen)) select.value = chosen;
  }

  async function openConversation(id) {
    showError("");
    try {
      state.conv = await api("/v1/conversations/" + encodeURIComponent(id));
      history.replaceState(null, "", "#c=" + id);
    } catch (err) {
      state.conv = null;
      history.replaceState(null, "", location.pathname);
      if (err.status !== 404) showError(err.message);
    }
    renderThread();
  }

  // Send a message (empty for the first post-edit) and show the agent's steps live, then its turn.
  async function send(message) {
    const conv = state.conv;
    if (message) {
      conv.turns.push({ index: conv.turns.length, role: "user", kind: "message", text: message, created_at: Date.now() / 1000 });
      renderThread();
    }
    const steps = [];
    const pending = pendingCard(steps);
    $("#thread").append(pending.card);
    setWorking("The agent is working…", true);
    let turn = null;
    try {
      const res = await api("/v1/conversations/" + conv.id + "/messages/stream", { method: "POST", json: { message }, raw: true });
      await streamEvents(res, (event, data) => {
        if (event === "step") {
          steps.push(data);
          pending.list.append(stepItem(data));
          setWorking("The agent is working: " + data.step + "…", true);
        } else if (event === "turn") {
          turn = data;
        }
      });
    } catch (err) {
      showError(err.message);
    } finally {
      setWorking("");
    }
    await openConversation(conv.id);  // the stored conversation is the truth (turn indices, terms)
    if (turn) setWorking(turn.kind === "answer" ? "The agent answered." : "New version: " + (turn.result ? STATUS_TEXT[turn.result.status] : "error") + ".");
    await loadConversations();
  }

  async function accept(index) {
    try {
      state.conv = await api("/v1/conversations/" + state.conv.id + "/accept", { method: "POST", json: { turn: index } });
      renderThread();
      setWorking(state.conv.memory_id ? "Accepted; the memory learned it." : "Accepted.");
      await Promise.all([loadConversations(), loadChoices()]);  // the memory's entry count changed
    } catch (err) { showError(err.message); }
  }

  function copy(text) {
    const done = () => setWorking("Copied to the clipboard.");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
    } else fallbackCopy(text, done);
  }

  function fallbackCopy(text, done) {
    const area = el("textarea", { class: "sr-only", "aria-hidden": "true" }, text);
    document.body.append(area);
    area.select();
    try { if (document.execCommand("copy")) done(); else setWorking("Select the text to copy it."); } finally { area.remove(); }
  }

  async function exportConv(format, id) {
    showError("");
    try {
      const path = id ? "/v1/conversations/" + id + "/export?format=" + format : "/v1/conversations/export?format=" + format;
      const res = await api(path, { raw: true });
      const blob = await res.blob();
      const match = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
      const link = el("a", { href: URL.createObjectURL(blob), download: match ? match[1] : "export." + format });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (err) { showError("Export: " + err.message); }
  }

  // ---- forms -----------------------------------------------------------------------------------------------------
  async function onSegment(event) {
    event.preventDefault();
    if (state.busy) return;
    showError("");
    if (!state.key) { showError("Enter your API key first."); $("#api-key").focus(); return; }
    const form = event.target;
    if (!form.reportValidity()) return;
    const mt = $("#mt").value;
    const body = {
      source_lang: $("#source-lang").value.trim(), target_lang: $("#target-lang").value.trim(),
      mode: $("#mode").value, source: $("#source").value, mt: mt.trim() ? mt : null,
      glossary_id: $("#glossary").value || null, styleguide_id: $("#styleguide").value || null,
      memory_id: $("#memory").value || null,
    };
    setBusy(true);
    try {
      state.conv = await api("/v1/conversations", { method: "POST", json: body });
      history.replaceState(null, "", "#c=" + state.conv.id);
      renderThread();
      $("#message").focus();
      await send("");
      $("#source").value = "";
      $("#mt").value = "";
    } catch (err) {
      showError(err.message);
    } finally { setBusy(false); }
  }

  async function onMessage(event) {
    event.preventDefault();
    if (state.busy || !state.conv) return;
    const text = $("#message").value.trim();
    if (!text) { $("#message").focus(); return; }
    showError("");
    setBusy(true);
    $("#message").value = "";
    try { await send(text); } finally { setBusy(false); $("#message").focus(); }
  }

  async function onUpload(event) {
    event.preventDefault();
    const error = $("#upload-error"), ok = $("#upload-ok");
    error.textContent = ""; ok.textContent = "";
    if (!state.key) { error.textContent = "Enter your API key first."; return; }
    const kind = $("#upload-kind").value, id = $("#upload-id").value.trim(), file = $("#upload-file").files[0];
    if (!id || !$("#upload-id").checkValidity()) { error.textContent = "Id: letters, digits, '.', '_' or '-' (up to 128)."; return; }
    if (!file) { error.textContent = "Choose a file."; return; }
    const params = new URLSearchParams({ filename: file.name });
    if (kind === "glossary") {
      params.set("source_lang", $("#source-lang").value.trim());
      params.set("target_lang", $("#target-lang").value.trim());
    }
    const path = (kind === "glossary" ? "/v1/glossaries/" : "/v1/styleguides/") + encodeURIComponent(id) + "?" + params;
    try {
      const info = await api(path, { method: "PUT", body: file, headers: { "Content-Type": "application/octet-stream" } });
      ok.textContent = "Stored " + (info.name || info.id) + (info.entries !== null ? " (" + info.entries + " entries)" : "") + ".";
      await loadResources();
      const select = $(kind === "glossary" ? "#glossary" : "#styleguide");
      select.value = info.id;
      if (select.value !== info.id) ok.textContent += " It is for another language pair, so it is not offered for this one.";
    } catch (err) {
      error.textContent = err.message;
    }
  }

  async function onKey(event) {
    event.preventDefault();
    state.key = $("#api-key").value.trim();
    localStorage.setItem(KEY_STORE, state.key);
    await start();
  }

  async function start() {
    const status = $("#key-status");
    if (!state.key) { status.textContent = "Enter an API key to start."; return; }
    try {
      await Promise.all([loadConversations(), loadResources()]);
      status.textContent = "Connected.";
    } catch (err) {
      status.textContent = err.status === 401 ? "This key is not valid." : err.message;
      return;
    }
    const match = /^#c=([0-9a-f]+)$/.exec(location.hash);
    if (match) await openConversation(match[1]);
  }

  function submitOnCtrlEnter(event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  }

  function updateUploadHint() {
    $("#upload-hint").textContent = $("#upload-kind").value === "glossary"
      ? "Stored for " + $("#source-lang").value + " → " + $("#target-lang").value + " (the segment's language pair)."
      : "A YAML style guide (formality, quotes, rules…).";
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("#api-key").value = state.key;
    $("#key-form").addEventListener("submit", onKey);
    $("#segment-form").addEventListener("submit", onSegment);
    $("#message-form").addEventListener("submit", onMessage);
    $("#upload-form").addEventListener("submit", onUpload);
    for (const id of ["#upload-kind", "#source-lang", "#target-lang"]) $(id).addEventListener("input", updateUploadHint);
    for (const id of ["#source-lang", "#target-lang"]) $(id).addEventListener("input", onPairInput);
    for (const area of document.querySelectorAll("textarea")) area.addEventListener("keydown", submitOnCtrlEnter);
    $("#new-conv").addEventListener("click", () => {
      state.conv = null;
      history.replaceState(null, "", location.pathname);
      showError("");
      renderThread();
      $("#source").focus();
    });
    for (const b of document.querySelectorAll("[data-export]")) b.addEventListener("click", () => exportConv(b.dataset.export, null));
    updateUploadHint();
    renderThread();
    start();
  });
})();
