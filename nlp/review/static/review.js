// jixiao review: answers (accept, correct, drop) sent to /api/answer; every text is set with textContent.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const reviewer = document.getElementById("reviewer");
  const message = document.getElementById("message");
  const FIELDS = ["level2_final", "annual_kind", "annual_op", "annual_number", "annual_number_max", "annual_unit", "name_kind"];

  if (reviewer) {
    reviewer.value = localStorage.getItem("jixiao-reviewer") || "";
    reviewer.addEventListener("change", () => localStorage.setItem("jixiao-reviewer", reviewer.value.trim()));
  }

  function say(text, bad) {
    message.textContent = text;
    message.className = bad ? "bad" : "ok";
    message.hidden = false;
  }

  function shown(v) {
    return v === null || v === undefined ? "" : String(v);
  }

  function valueText(r) {
    let t = r.annual_kind || "—";
    if (r.annual_op) t += " " + r.annual_op;
    if (r.annual_number !== null && r.annual_number !== undefined) t += " " + r.annual_number;
    if (r.annual_number_max !== null && r.annual_number_max !== undefined) t += "–" + r.annual_number_max;
    if (r.annual_unit) t += " " + r.annual_unit;
    return t;
  }

  function fill(tr, r) {
    const set = (f, text) => { const el = tr.querySelector('[data-f="' + f + '"]'); if (el) el.textContent = text; };
    set("level2_final", shown(r.level2_final));
    set("level2_source", r.level2_source || "—");
    const src = tr.querySelector('[data-f="level2_source"]');
    if (src) src.className = "badge src-" + (r.level2_source || "none");
    set("value", valueText(r));
    set("name_kind", r.name_kind || "—");
    set("name_kind_proba", r.name_kind_proba === null || r.name_kind_proba === undefined ? "" : r.name_kind_proba.toFixed(2));
    set("status", r.status + (r.accepted && r.status === "reviewed" && !r.answered.length ? " ✓" : ""));
    FIELDS.forEach((f) => { tr.dataset[f] = shown(r[f]); });
    tr.className = "row status-" + r.status + " just-answered";
    const drop = tr.querySelector("button.drop, button.undrop");
    if (drop) {
      const dropped = r.status === "dropped";
      drop.className = dropped ? "undrop" : "drop";
      drop.textContent = dropped ? "Undo drop" : "✗ Not an indicator";
    }
  }

  async function send(tr, action, values) {
    const body = {
      doc: tr.dataset.doc, project_id: tr.dataset.projectId, seq: Number(tr.dataset.seq),
      action: action, values: values || {}, reviewer: reviewer ? reviewer.value.trim() : "",
    };
    let response;
    try {
      response = await fetch("/api/answer", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
    } catch (err) {
      say("not saved: the server cannot be reached (" + err + ")", true);
      return false;
    }
    const data = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) {
      say("not saved: " + (data.error || response.status), true);
      return false;
    }
    fill(tr, data.row);
    say("saved: " + data.row.project + " #" + data.row.seq + " (" + action + ")", false);
    return true;
  }

  function openEditor(tr) {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains("editor")) { next.remove(); return; }
    const editor = document.getElementById("editor").content.firstElementChild.cloneNode(true);
    const form = editor.querySelector("form");
    FIELDS.forEach((f) => { form.elements[f].value = tr.dataset[f] || ""; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = {};
      FIELDS.forEach((f) => { values[f] = form.elements[f].value; });
      if (await send(tr, "correct", values)) editor.remove();
    });
    form.elements.annual_kind.addEventListener("change", () => {
      if (["qualitative", "unspecified"].includes(form.elements.annual_kind.value)) {
        ["annual_op", "annual_number", "annual_number_max", "annual_unit"].forEach((f) => { form.elements[f].value = ""; });
      }
    });
    editor.querySelector("button.cancel").addEventListener("click", () => editor.remove());
    tr.after(editor);
    form.elements.level2_final.focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("tr.row button");
    if (!button) return;
    const tr = button.closest("tr.row");
    if (button.classList.contains("accept")) send(tr, "accept");
    else if (button.classList.contains("drop")) send(tr, "drop");
    else if (button.classList.contains("undrop")) send(tr, "undrop");
    else if (button.classList.contains("correct")) openEditor(tr);
  });
})();
