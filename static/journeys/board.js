// The journey-map editor: a board of stages (columns) and lanes, saved through the API at once.
// Every user text goes into the DOM with textContent, never innerHTML.
(function () {
  "use strict";

  const cfg = JSON.parse(document.getElementById("jr-config").textContent);
  const initial = JSON.parse(document.getElementById("jr-board-data").textContent);
  const API = cfg.api;
  const POLL_MS = 2000;
  const UNDO_MS = 9000;
  const LANES = [
    ["head", "Stage"],
    ["actions", "Customer actions"],
    ["touchpoints", "Touchpoints"],
    ["owners", "Owners"],
    ["pains", "Pain points & opportunities"],
    ["emotion", "Emotion"],
  ];
  const FACE_COLOURS = { "-2": "#e03131", "-1": "#f76707", "0": "#868e96", "1": "#74b816", "2": "#2f9e44" };
  const SIGNS = { "-2": "−2", "-1": "−1", "0": "0", "1": "+1", "2": "+2" };
  const FACE_LABELS = { "-2": "Very negative", "-1": "Negative", "0": "Neutral", "1": "Positive", "2": "Very positive" };
  const SVG = "http://www.w3.org/2000/svg";

  // A face drawn in SVG (no emoji font needed): the mouth curves with the emotion.
  function face(value) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "jr-face-svg");
    const colour = FACE_COLOURS[value];
    const parts = [
      ["circle", { cx: 12, cy: 12, r: 10.5, fill: colour, opacity: 0.16 }],
      ["circle", { cx: 12, cy: 12, r: 10.5, fill: "none", stroke: colour, "stroke-width": 1.6 }],
      ["circle", { cx: 8.6, cy: 9.6, r: 1.35, fill: colour }],
      ["circle", { cx: 15.4, cy: 9.6, r: 1.35, fill: colour }],
      ["path", { d: "M7.5 " + (15.6 - value * 0.6) + " Q12 " + (15.6 + value * 2.4) + " 16.5 " + (15.6 - value * 0.6), fill: "none", stroke: colour, "stroke-width": 1.8, "stroke-linecap": "round" }],
    ];
    parts.forEach(([tag, attrs]) => {
      const node = document.createElementNS(SVG, tag);
      Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
      svg.appendChild(node);
    });
    return svg;
  }
  const PHASES = { before: "Before", during: "During", after: "After" };
  // A card's channel may be unset (nothing in its name said which): the select offers that too.
  const CHANNELS_OR_NONE = [{ id: "", name: "— Not set —" }].concat(cfg.channels);

  const state = {
    revision: initial.revision,
    journey: initial.journey,
    stages: new Map(),
    touchpoints: new Map(),
    pains: new Map(),
    linksEnabled: !!(initial.signals && initial.signals.links_enabled),
    dragging: false,
    pendingRender: false,
    highlight: null, // a set of touchpoint ids a signal chip highlights
    drawer: null, // {type, id, version}
    composer: null, // {kind, stage, value}
    failures: 0,
  };
  initial.stages.forEach((s) => state.stages.set(s.id, s));
  initial.touchpoints.forEach((t) => state.touchpoints.set(t.id, t));
  initial.pain_points.forEach((p) => state.pains.set(p.id, p));

  const board = document.getElementById("jr-board");
  const wrap = document.getElementById("jr-board-wrap");
  const drawerEl = document.getElementById("jr-drawer");
  const drawerForm = document.getElementById("jr-drawer-form");
  const drawerAlert = document.getElementById("jr-drawer-alert");
  const drawerTitle = document.getElementById("jr-drawer-title");

  // ---- small helpers ---------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    children.flat().forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  async function api(method, path, body) {
    const options = {
      method: method,
      headers: { "X-CSRFToken": window.cxalign.csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(API + path, options);
    } catch (error) {
      return { ok: false, status: 0, data: { detail: "The server cannot be reached. Check your connection; nothing was saved." } };
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = { detail: "Unexpected answer from the server (" + response.status + ")." };
    }
    return { ok: response.ok, status: response.status, data: data };
  }

  function errorText(data) {
    if (!data) return "Something went wrong.";
    if (typeof data.detail === "string") return data.detail;
    return Object.entries(data)
      .map(([field, messages]) => (field === "non_field_errors" ? "" : field.replace(/_/g, " ") + ": ") + [].concat(messages).join(" "))
      .join(" ");
  }

  function toast(message, kind, action) {
    const box = document.getElementById("jr-toasts");
    const item = el("div", { class: "jr-toast " + (kind || ""), role: "status" }, el("span", { text: message }));
    if (action) {
      item.appendChild(
        el("button", {
          type: "button", class: "btn small", text: action.label, "data-testid": "undo",
          onclick: () => { item.remove(); action.run(); },
        })
      );
    }
    box.appendChild(item);
    setTimeout(() => item.remove(), action ? UNDO_MS : 4000);
  }

  function byPosition(a, b) {
    return a.position - b.position || a.id - b.id;
  }
  function stagesInOrder() {
    return [...state.stages.values()].filter((s) => !s.deleted).sort(byPosition);
  }
  function cardsOf(stageId) {
    return [...state.touchpoints.values()].filter((t) => t.stage === stageId && !t.deleted).sort(byPosition);
  }
  function painsOf(stageId) {
    return [...state.pains.values()]
      .filter((p) => p.stage === stageId && !p.deleted)
      .sort((a, b) => (a.kind === b.kind ? b.severity - a.severity || a.id - b.id : a.kind === "pain" ? -1 : 1));
  }
  function unitName(id) {
    const unit = cfg.units.find((u) => u.id === id);
    return unit ? unit.name : "";
  }

  // ---- silo signals (the same rules as journeys.selectors.journey_signals) ----------------

  function computeSignals() {
    const stageName = new Map(stagesInOrder().map((s) => [s.id, s.name]));
    const cards = [...state.touchpoints.values()].filter((t) => !t.deleted && stageName.has(t.stage));
    const unowned = cards.filter((t) => !t.owner);
    const asked = new Map();
    cards.forEach((t) => (t.data_fields || []).forEach((f) => {
      if (!asked.has(f)) asked.set(f, []);
      asked.get(f).push(t);
    }));
    const duplicates = [...asked.entries()].filter(([, list]) => list.length > 1).sort();
    const unlinked = state.linksEnabled
      ? cards.filter((t) => t.moment_that_matters && !(t.goals || []).length && !(t.initiatives || []).length)
      : [];
    return { unowned, duplicates, unlinked };
  }

  function renderSignals(signals) {
    const box = document.getElementById("jr-signals");
    box.textContent = "";
    const chips = [];
    const chip = (text, cards, kind, testid, onPick) => {
      const active = !!(state.highlight && state.highlight.key === text);
      chips.push(
        el("button", {
          type: "button", class: "jr-signal " + kind + (active ? " active" : ""), "data-testid": testid,
          title: "Highlight these touchpoints on the map", "aria-pressed": active ? "true" : "false",
          onclick: () => {
            state.highlight = active ? null : { key: text, ids: new Set(cards.map((c) => c.id)) };
            if (onPick) onPick(!active);
            render();
          },
        }, text)
      );
    };
    const u = signals.unowned.length;
    if (u) chip(u + " touchpoint" + (u > 1 ? "s" : "") + " without an owner", signals.unowned, "bad", "signal-unowned");
    const d = signals.duplicates.length;
    if (d) {
      const all = [...new Set(signals.duplicates.flatMap(([, cards]) => cards))];
      chip(d + " data field" + (d > 1 ? "s" : "") + " asked at more than one touchpoint", all, "warn", "signal-duplicate",
        (on) => { state.dupOpen = on; });
      if (state.dupOpen) {
        signals.duplicates.forEach(([field, cards]) => chip("“" + field + "” × " + cards.length, cards, "warn sub", "signal-field"));
      }
    }
    const m = signals.unlinked.length;
    if (m) chip(m + " moment" + (m > 1 ? "s" : "") + " that matter with no goal or initiative", signals.unlinked, "warn", "signal-unlinked");
    const label = el("span", { class: "jr-signals-label" }, "Silo signals");
    const hasCards = [...state.touchpoints.values()].some((t) => !t.deleted);
    if (!chips.length) {
      box.append(label, el("span", { class: "jr-signal ok" }, hasCards
        ? "✓ None on this map: every touchpoint has an owner and no data is asked twice"
        : "Nothing to check yet: add touchpoints to see owners and data asked"));
    } else {
      box.append(label, ...chips);
    }
    if (cfg.audiencesWithout) {
      box.appendChild(el("a", { class: "jr-signal warn", href: cfg.indexUrl, "data-testid": "signal-audiences" },
        cfg.audiencesWithout + " priority audience" + (cfg.audiencesWithout > 1 ? "s have" : " has") + " no journey"));
    }
  }

  // ---- the board -------------------------------------------------------------------------

  // A render rebuilds the board: never while a card is held or dragged (it would drop it).
  board.addEventListener("pointerdown", (e) => {
    if (e.target.closest(".jr-card, .jr-handle")) state.holding = true;
  });
  ["pointerup", "pointercancel", "dragend", "drop"].forEach((type) =>
    document.addEventListener(type, () => {
      if (!state.holding) return;
      state.holding = false;
      setTimeout(() => { if (state.pendingRender && !state.dragging) render(); }, 0);
    }, true)
  );

  function render() {
    if (state.dragging || state.holding) {
      state.pendingRender = true;
      return;
    }
    state.pendingRender = false;
    state.renders = (state.renders || 0) + 1;
    const scroll = wrap.scrollLeft;
    const active = document.activeElement;
    const composerFocused = active && active.classList && active.classList.contains("jr-composer-input");
    if (composerFocused && state.composer) state.composer.value = active.value;

    const stages = stagesInOrder();
    const signals = computeSignals();
    renderSignals(signals);
    const unlinkedIds = new Set(signals.unlinked.map((t) => t.id));
    const duplicateFields = new Set(signals.duplicates.map(([f]) => f));

    board.textContent = "";
    board.style.setProperty("--cols", String(stages.length));
    board.classList.toggle("empty", stages.length === 0);

    const lanes = el("div", { class: "jr-lanes" });
    LANES.forEach(([key, label]) => lanes.appendChild(el("div", { class: "jr-lane-label lane-" + key }, label)));
    board.appendChild(lanes);

    stages.forEach((stage, index) => board.appendChild(renderStage(stage, index, unlinkedIds, duplicateFields)));

    if (!stages.length) {
      board.appendChild(
        el("div", { class: "jr-empty-board", "data-testid": "empty-board" },
          el("h3", { text: "This map has no stages yet" }),
          el("p", { text: cfg.canWrite
            ? "Add the stages your audience goes through — before, during and after being a customer (e.g. Discover, Buy, Onboard, Use, Get help, Renew). Then add touchpoints to each."
            : "Nobody has mapped this journey yet. Members of the organization can add stages and touchpoints." }),
          cfg.canWrite ? el("div", { class: "actions" },
            el("button", { type: "button", class: "btn primary", onclick: () => { state.composer = { kind: "stage", stage: null, value: "", phase: "before" }; render(); focusComposer(); } }, "+ Add the first stage"),
            el("a", { class: "btn", href: cfg.newUrl }, "Start from a template instead")) : null)
      );
    }
    if (cfg.canWrite) board.appendChild(renderAddStage(stages));

    wireSortables();
    wrap.scrollLeft = scroll;
    if (state.renaming) {
      const input = board.querySelector(".jr-rename-input");
      if (input && document.activeElement !== input) {
        input.focus();
        input.setSelectionRange(input.value.length, input.value.length);
      }
    }
    if (composerFocused && state.composer) {
      const again = board.querySelector(".jr-composer-input");
      if (again) {
        again.focus();
        again.setSelectionRange(again.value.length, again.value.length);
      }
    }
    renderEmotionChart(stages);
    document.getElementById("jr-title").textContent = state.journey.name;
  }

  function renderStage(stage, index, unlinkedIds, duplicateFields) {
    const cards = cardsOf(stage.id);
    const col = el("section", { class: "jr-col phase-" + stage.phase, dataset: { stageId: stage.id }, "data-testid": "stage", "aria-label": "Stage " + stage.name });

    // Stage header
    col.appendChild(
      el("header", { class: "jr-cell jr-stage-head" },
        cfg.canWrite ? el("span", { class: "jr-handle", title: "Drag to reorder stages", "aria-hidden": "true" }, "⠿") : null,
        el("div", { class: "jr-stage-meta" },
          el("span", { class: "jr-phase", text: (index + 1) + " · " + PHASES[stage.phase] }),
          el("button", { type: "button", class: "jr-stage-name", "data-testid": "stage-name", onclick: () => openStage(stage.id), text: stage.name })
        ),
        el("span", { class: "jr-count", title: "Touchpoints", text: String(cards.length) })
      )
    );

    // Customer actions
    const actions = el("div", { class: "jr-cell jr-actions-cell" });
    if (stage.customer_goal) actions.appendChild(el("div", { class: "jr-goal" }, el("b", { text: "Goal: " }), stage.customer_goal));
    actions.appendChild(
      stage.customer_actions
        ? el("div", { class: "jr-actions-text", text: stage.customer_actions })
        : el("div", { class: "jr-placeholder", text: cfg.canWrite ? "What does the customer do here? Click to add." : "No customer actions noted." })
    );
    if (cfg.canWrite) {
      actions.classList.add("editable");
      actions.addEventListener("click", () => openStage(stage.id, "customer_actions"));
    }
    col.appendChild(actions);

    // Touchpoints (sortable)
    const cell = el("div", { class: "jr-cell jr-cards-cell" });
    const list = el("div", { class: "jr-cards", dataset: { stage: stage.id }, "data-testid": "cards" });
    cards.forEach((card) => list.appendChild(renderCard(card, unlinkedIds, duplicateFields)));
    cell.appendChild(list);
    if (!cards.length) cell.appendChild(el("div", { class: "jr-placeholder small", text: cfg.canWrite ? "No touchpoints yet — add one or drop a card here." : "No touchpoints." }));
    if (cfg.canWrite) cell.appendChild(renderComposer("touchpoint", stage.id, "+ Add touchpoint", "Touchpoint name, then Enter"));
    col.appendChild(cell);

    // Owners
    const owners = new Map();
    let unowned = 0;
    cards.forEach((c) => {
      if (c.owner) owners.set(c.owner, (owners.get(c.owner) || 0) + 1);
      else unowned += 1;
    });
    col.appendChild(
      el("div", { class: "jr-cell jr-owners-cell" },
        [...owners.entries()].map(([id, n]) => el("span", { class: "jr-chip", title: n + " touchpoint(s)" }, (unitName(id) || "Unit") + (n > 1 ? " ×" + n : ""))),
        unowned ? el("span", { class: "jr-chip jr-chip-bad", title: "Silo signal: touchpoints nobody owns" }, "No owner ×" + unowned) : null,
        !cards.length ? el("span", { class: "jr-placeholder small", text: "—" }) : null
      )
    );

    // Pain points and opportunities
    const pains = el("div", { class: "jr-cell jr-pains-cell" });
    painsOf(stage.id).forEach((p) => pains.appendChild(renderPain(p)));
    if (cfg.canWrite) {
      pains.appendChild(
        el("div", { class: "jr-pain-add" },
          renderComposer("pain", stage.id, "+ Pain point", "Pain point, then Enter"),
          renderComposer("opportunity", stage.id, "+ Opportunity", "Opportunity, then Enter"))
      );
    } else if (!painsOf(stage.id).length) {
      pains.appendChild(el("div", { class: "jr-placeholder small", text: "None noted." }));
    }
    col.appendChild(pains);

    // Emotion
    const emotion = el("div", { class: "jr-cell jr-emotion-cell", role: "radiogroup", "aria-label": "Emotion at " + stage.name });
    [-2, -1, 0, 1, 2].forEach((value) => {
      const selected = stage.emotion === value;
      emotion.appendChild(
        el("button", {
          type: "button", class: "jr-face v" + value + (selected ? " selected" : ""), role: "radio",
          "aria-checked": selected ? "true" : "false", title: FACE_LABELS[value], disabled: !cfg.canWrite,
          "data-testid": "emotion-" + value,
          onclick: () => setEmotion(stage.id, selected ? null : value),
        }, face(value))
      );
    });
    if (stage.emotion_note) emotion.appendChild(el("div", { class: "jr-emotion-note", text: stage.emotion_note }));
    col.appendChild(emotion);
    return col;
  }

  function renderCard(card, unlinkedIds, duplicateFields) {
    const pains = [...state.pains.values()].filter((p) => p.touchpoint === card.id && !p.deleted);
    const links = (card.goals || []).length + (card.initiatives || []).length;
    const classes = ["jr-card"];
    if (card.moment_that_matters) classes.push("mtm");
    if (!card.owner) classes.push("unowned");
    if (state.highlight) classes.push(state.highlight.ids.has(card.id) ? "highlight" : "dim");
    const renaming = state.renaming && state.renaming.id === card.id;
    let nameNode;
    if (renaming) {
      nameNode = el("input", {
        type: "text", class: "jr-rename-input", maxlength: "200", value: state.renaming.value,
        "aria-label": "Touchpoint name", "data-testid": "rename-input",
      });
      nameNode.addEventListener("input", () => { state.renaming.value = nameNode.value; });
      nameNode.addEventListener("keydown", (e) => {
        e.stopPropagation();
        if (e.key === "Enter") { e.preventDefault(); saveName(card.id); }
        if (e.key === "Escape") { state.renaming = null; render(); }
      });
      nameNode.addEventListener("blur", () => {
        // Leaving the field saves, unless the board is being redrawn underneath it.
        setTimeout(() => { if (state.renaming && state.renaming.id === card.id && !document.querySelector(".jr-rename-input:focus")) saveName(card.id); }, 150);
      });
    } else {
      nameNode = el("div", { class: "jr-card-name", "data-testid": "card-name", text: card.name });
    }
    const node = el("article", {
      class: classes.join(" "), tabindex: "0", dataset: { id: card.id }, "data-testid": "card",
      onclick: (e) => { if (!e.target.closest("input, button")) openCard(card.id); },
      onkeydown: (e) => {
        if (e.target !== e.currentTarget) return;
        if (e.key === "Enter") openCard(card.id);
        if (e.key === "F2" && cfg.canWrite) startRename(card.id);
      },
    },
      el("div", { class: "jr-card-top" },
        card.channel
          ? el("span", { class: "jr-channel ch-" + card.channel, title: "Channel" }, card.channel_label)
          : el("span", { class: "jr-channel ch-none", title: "No channel yet: open the card to set one", "data-testid": "no-channel" }, "No channel"),
        el("span", { class: "jr-card-tools" },
          card.moment_that_matters ? el("span", { class: "jr-star", title: "Moment that matters" + (unlinkedIds.has(card.id) ? " — no goal or initiative linked" : "") }, unlinkedIds.has(card.id) ? "★ !" : "★") : null,
          cfg.canWrite && !renaming ? el("button", { type: "button", class: "jr-rename", title: "Rename here (F2)", "aria-label": "Rename " + card.name, "data-testid": "rename", onclick: (e) => { e.stopPropagation(); startRename(card.id); } }, "✎") : null)
      ),
      nameNode,
      card.customer_action ? el("div", { class: "jr-card-action", text: card.customer_action }) : null,
      (card.data_fields || []).length
        ? el("div", { class: "jr-fields" }, card.data_fields.slice(0, 4).map((f) =>
            el("span", { class: "jr-field" + (duplicateFields.has(f) ? " dup" : ""), title: duplicateFields.has(f) ? "Also asked at another touchpoint of this journey" : "Data asked", text: f })),
            card.data_fields.length > 4 ? el("span", { class: "jr-field", text: "+" + (card.data_fields.length - 4) }) : null)
        : null,
      el("div", { class: "jr-card-foot" },
        card.owner ? el("span", { class: "jr-chip", text: card.owner_name || unitName(card.owner) }) : el("span", { class: "jr-chip jr-chip-bad", text: "No owner" }),
        pains.length ? el("span", { class: "jr-mini bad", title: "Pain points on this touchpoint", text: "⚡" + pains.length }) : null,
        links ? el("span", { class: "jr-mini ok", title: "Linked goals and initiatives", text: "◎ " + links }) : null
      )
    );
    return node;
  }

  function startRename(id) {
    const card = state.touchpoints.get(id);
    if (!card) return;
    state.renaming = { id: id, value: card.name, version: card.version };
    render();
  }

  async function saveName(id) {
    const renaming = state.renaming;
    if (!renaming || renaming.id !== id || renaming.saving) return;
    const card = state.touchpoints.get(id);
    const name = (renaming.value || "").trim();
    if (!card || name === card.name) {
      state.renaming = null;
      return render();
    }
    renaming.saving = true;
    const result = await api("PATCH", "touchpoints/" + id + "/", { name: name, version: renaming.version });
    renaming.saving = false;
    if (result.ok) {
      state.renaming = null;
      state.touchpoints.set(id, result.data);
      render();
      return;
    }
    if (result.status === 409 && result.data.current) {
      // Someone saved the card meanwhile: show both in the panel, with the user's name kept.
      state.renaming = null;
      state.touchpoints.set(id, result.data.current);
      render();
      openCard(id);
      drawerForm.querySelector("input[name=name]").value = name;
      showConflict(result.data.current, CARD_LABELS);
      return;
    }
    toast(errorText(result.data), "bad");
  }

  function renderPain(p) {
    return el("div", {
      class: "jr-pain " + p.kind + " sev" + p.severity, tabindex: "0", "data-testid": "pain",
      onclick: () => openPain(p.id),
      onkeydown: (e) => { if (e.key === "Enter") openPain(p.id); },
    },
      el("span", { class: "jr-pain-icon", "aria-hidden": "true" }, p.kind === "pain" ? "⚡" : "✦"),
      el("span", { class: "jr-pain-text", text: p.text }),
      p.touchpoint && state.touchpoints.get(p.touchpoint)
        ? el("span", { class: "jr-pain-on", text: "on " + state.touchpoints.get(p.touchpoint).name })
        : null
    );
  }

  function renderComposer(kind, stageId, label, placeholder) {
    const open = state.composer && state.composer.kind === kind && state.composer.stage === stageId;
    if (!open) {
      return el("button", {
        type: "button", class: "jr-add", "data-testid": "add-" + kind,
        onclick: () => { state.composer = { kind: kind, stage: stageId, value: "" }; render(); focusComposer(); },
      }, label);
    }
    const input = el("input", {
      type: "text", class: "jr-composer-input", placeholder: placeholder, maxlength: "200",
      value: state.composer.value || "", "data-testid": "composer-" + kind, "aria-label": placeholder,
    });
    input.addEventListener("input", () => { state.composer.value = input.value; });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { state.composer = null; render(); }
      if (e.key === "Enter") { e.preventDefault(); submitComposer(input.value); }
    });
    return el("div", { class: "jr-composer" }, input,
      el("div", { class: "jr-composer-actions" },
        el("button", { type: "button", class: "btn small primary", onclick: () => submitComposer(input.value) }, "Add"),
        el("button", { type: "button", class: "btn small", onclick: () => { state.composer = null; render(); } }, "Cancel")));
  }

  function focusComposer() {
    const input = board.querySelector(".jr-composer-input") || document.querySelector(".jr-composer-input");
    if (input) input.focus();
  }

  async function submitComposer(value) {
    const composer = state.composer;
    if (!composer) return;
    const text = (value || "").trim();
    if (!text) {
      toast("Type a name first.", "warn");
      return;
    }
    if (composer.kind === "stage") {
      const result = await api("POST", "stages/", { journey: cfg.journey, name: text, phase: composer.phase || "during" });
      if (!result.ok) return toast(errorText(result.data), "bad");
      state.stages.set(result.data.id, result.data);
    } else if (composer.kind === "touchpoint") {
      const result = await api("POST", "touchpoints/", { stage: composer.stage, name: text });
      if (!result.ok) return toast(errorText(result.data), "bad");
      state.touchpoints.set(result.data.id, result.data);
    } else {
      const result = await api("POST", "pain-points/", { stage: composer.stage, text: text, kind: composer.kind });
      if (!result.ok) return toast(errorText(result.data), "bad");
      state.pains.set(result.data.id, result.data);
    }
    composer.value = "";
    render();
    focusComposer();
  }

  function renderAddStage(stages) {
    const open = state.composer && state.composer.kind === "stage";
    const col = el("div", { class: "jr-add-col" });
    if (!open) {
      col.appendChild(el("button", {
        type: "button", class: "jr-add jr-add-stage", "data-testid": "add-stage",
        onclick: () => { state.composer = { kind: "stage", stage: null, value: "", phase: stages.length ? stages[stages.length - 1].phase : "before" }; render(); focusComposer(); },
      }, "+ Add stage"));
      return col;
    }
    const input = el("input", { type: "text", class: "jr-composer-input", placeholder: "Stage name, then Enter", maxlength: "200", value: state.composer.value || "", "data-testid": "composer-stage" });
    input.addEventListener("input", () => { state.composer.value = input.value; });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { state.composer = null; render(); }
      if (e.key === "Enter") { e.preventDefault(); submitComposer(input.value); }
    });
    const phase = el("select", { "aria-label": "Phase", onchange: (e) => { state.composer.phase = e.target.value; } },
      cfg.phases.map((p) => el("option", { value: p.id, selected: p.id === state.composer.phase }, p.name)));
    col.appendChild(el("div", { class: "jr-composer" }, input, phase,
      el("div", { class: "jr-composer-actions" },
        el("button", { type: "button", class: "btn small primary", onclick: () => submitComposer(input.value) }, "Add stage"),
        el("button", { type: "button", class: "btn small", onclick: () => { state.composer = null; render(); } }, "Cancel"))));
    return col;
  }

  // ---- drag and drop ---------------------------------------------------------------------

  let sortables = [];
  function wireSortables() {
    sortables.forEach((s) => s.destroy());
    sortables = [];
    if (!cfg.canWrite || typeof Sortable === "undefined") return;
    board.querySelectorAll(".jr-cards").forEach((list) => {
      sortables.push(Sortable.create(list, {
        group: "touchpoints", animation: 150, draggable: ".jr-card", ghostClass: "jr-ghost", chosenClass: "jr-chosen",
        filter: ".jr-rename-input, .jr-rename", preventOnFilter: false,
        // Pointer-based dragging (not native HTML5 DnD): the same on mouse, pen and touch,
        // and a live update cannot cancel it halfway.
        forceFallback: true, fallbackTolerance: 4, fallbackOnBody: true, scroll: true, bubbleScroll: true,
        onStart: () => { state.dragging = true; },
        onEnd: (evt) => {
          state.dragging = false;
          const id = Number(evt.item.dataset.id);
          const stageId = Number(evt.to.dataset.stage);
          if (evt.from === evt.to && evt.oldIndex === evt.newIndex) {
            if (state.pendingRender) render();
            return;
          }
          let prev = evt.item.previousElementSibling;
          while (prev && !prev.classList.contains("jr-card")) prev = prev.previousElementSibling;
          moveCard(id, stageId, prev ? Number(prev.dataset.id) : null);
        },
      }));
    });
    sortables.push(Sortable.create(board, {
      draggable: ".jr-col", handle: ".jr-handle", animation: 150, direction: "horizontal", ghostClass: "jr-ghost",
      forceFallback: true, fallbackTolerance: 4, fallbackOnBody: true,
      onStart: () => { state.dragging = true; },
      onEnd: (evt) => {
        state.dragging = false;
        if (evt.oldIndex === evt.newIndex) {
          if (state.pendingRender) render();
          return;
        }
        reorderStages([...board.querySelectorAll(".jr-col")].map((c) => Number(c.dataset.stageId)));
      },
    }));
  }

  async function moveCard(id, stageId, afterId) {
    const card = state.touchpoints.get(id);
    // Optimistic: place it locally at once, between its new neighbours.
    const siblings = cardsOf(stageId).filter((c) => c.id !== id);
    const anchorIndex = afterId === null ? -1 : siblings.findIndex((c) => c.id === afterId);
    const lower = anchorIndex >= 0 ? siblings[anchorIndex].position : (siblings.length ? siblings[0].position - 2048 : 0);
    const upper = siblings[anchorIndex + 1] ? siblings[anchorIndex + 1].position : lower + 2048;
    state.touchpoints.set(id, { ...card, stage: stageId, position: (lower + upper) / 2 });
    render();
    const result = await api("POST", "touchpoints/" + id + "/move/", { stage: stageId, after: afterId });
    if (result.ok) {
      const { revision, ...data } = result.data;
      state.touchpoints.set(id, data);
      render();
      return;
    }
    toast(errorText(result.data), "bad");
    await reload();
  }

  async function reorderStages(order) {
    order.forEach((id, i) => {
      const s = state.stages.get(id);
      if (s) state.stages.set(id, { ...s, position: (i + 1) * 1024 });
    });
    render();
    const result = await api("POST", "journeys/" + cfg.journey + "/reorder-stages/", { order: order });
    if (!result.ok) {
      toast(errorText(result.data), "bad");
      await reload();
    }
  }

  async function reload() {
    const result = await api("GET", "journeys/" + cfg.journey + "/board/");
    if (!result.ok) return;
    state.stages.clear(); state.touchpoints.clear(); state.pains.clear();
    result.data.stages.forEach((s) => state.stages.set(s.id, s));
    result.data.touchpoints.forEach((t) => state.touchpoints.set(t.id, t));
    result.data.pain_points.forEach((p) => state.pains.set(p.id, p));
    state.journey = result.data.journey;
    state.revision = result.data.revision;
    render();
  }

  async function setEmotion(stageId, value) {
    const stage = state.stages.get(stageId);
    state.stages.set(stageId, { ...stage, emotion: value });
    render();
    const result = await api("PATCH", "stages/" + stageId + "/", { emotion: value, version: stage.version });
    if (result.ok) {
      state.stages.set(stageId, result.data);
    } else if (result.status === 409 && result.data.current) {
      state.stages.set(stageId, result.data.current);
      toast("Someone else just changed this stage; its emotion is now shown as they left it. Click again to apply yours.", "warn");
    } else {
      state.stages.set(stageId, stage);
      toast(errorText(result.data), "bad");
    }
    render();
  }

  // ---- the drawer: edit a card, a stage or a pain point ----------------------------------

  function field(label, input, name, help) {
    return el("div", { class: "field", dataset: { field: name } },
      el("label", { for: "jr-f-" + name, text: label }), input,
      help ? el("div", { class: "help", text: help }) : null,
      el("ul", { class: "errors" }));
  }
  function textInput(name, value, attrs) {
    return el("input", { type: "text", id: "jr-f-" + name, name: name, value: value || "", ...(attrs || {}) });
  }
  function textArea(name, value, attrs) {
    const area = el("textarea", { id: "jr-f-" + name, name: name, rows: "3", ...(attrs || {}) });
    area.value = value || "";
    return area;
  }
  function select(name, options, value, attrs) {
    return el("select", { id: "jr-f-" + name, name: name, ...(attrs || {}) },
      options.map((o) => el("option", { value: o.id === null ? "" : String(o.id), selected: String(o.id) === String(value) || (o.id === null && (value === null || value === undefined)) }, o.name)));
  }

  function openDrawer(type, id, title) {
    state.drawer = { type: type, id: id, version: null };
    drawerTitle.textContent = title;
    drawerAlert.textContent = "";
    drawerForm.textContent = "";
    drawerEl.classList.add("open");
    drawerEl.setAttribute("aria-hidden", "false");
  }
  function closeDrawer() {
    state.drawer = null;
    drawerEl.classList.remove("open");
    drawerEl.setAttribute("aria-hidden", "true");
  }

  function historyLink(model, id) {
    const href = cfg.historyUrl.replace("/MODEL/", "/" + model + "/").replace(/\/0\/$/, "/" + id + "/");
    return el("a", { class: "btn small", href: href, target: "_blank", rel: "noopener" }, "History");
  }

  function drawerButtons(onDelete, history) {
    return el("div", { class: "actions jr-drawer-actions" },
      history || null,
      cfg.canWrite ? el("button", { type: "submit", class: "btn primary", "data-testid": "drawer-save" }, "Save") : null,
      el("button", { type: "button", class: "btn", onclick: closeDrawer }, cfg.canWrite ? "Cancel" : "Close"),
      cfg.canWrite && onDelete ? el("button", { type: "button", class: "btn danger jr-right", "data-testid": "drawer-delete", onclick: onDelete }, "Delete") : null);
  }

  function openCard(id) {
    const card = state.touchpoints.get(id);
    if (!card) return;
    openDrawer("touchpoint", id, cfg.canWrite ? "Edit touchpoint" : "Touchpoint");
    state.drawer.version = card.version;
    const disabled = !cfg.canWrite;
    const owners = [{ id: null, name: "— No owner (silo signal) —" }, ...cfg.units];
    drawerForm.append(
      field("Name", textInput("name", card.name, { maxlength: "200", required: true, disabled: disabled, "data-testid": "field-name" }), "name"),
      field("Stage", select("stage", stagesInOrder().map((s, i) => ({ id: s.id, name: (i + 1) + ". " + s.name })), card.stage, { disabled: disabled, "data-testid": "field-stage" }), "stage", "Changing it moves the card to the end of that stage (or drag it on the board)."),
      el("div", { class: "form-row" },
        field("Channel", select("channel", CHANNELS_OR_NONE, card.channel, { disabled: disabled, "data-testid": "field-channel" }), "channel"),
        field("Owning unit", select("owner", owners, card.owner, { disabled: disabled }), "owner")),
      el("label", { class: "jr-check" }, el("input", { type: "checkbox", name: "moment_that_matters", checked: card.moment_that_matters, disabled: disabled }), " ★ A moment that matters"),
      field("Customer action", textInput("customer_action", card.customer_action, { maxlength: "200", disabled: disabled }), "customer_action"),
      field("Data asked", textInput("data_fields", (card.data_fields || []).join(", "), { disabled: disabled }), "data_fields", "Comma separated, e.g. email, phone, VAT number. Asking the same at two touchpoints is a silo signal."),
      field("Notes", textArea("notes", card.notes, { maxlength: "4000", rows: "4", disabled: disabled, "data-testid": "field-notes" }), "notes")
    );
    if (state.linksEnabled) {
      ["goals", "initiatives"].forEach((name) => {
        const options = cfg.links[name] || [];
        const chosen = card[name] || [];
        // Linked ones first, so what matters is visible without scrolling.
        const sorted = [...options].sort((a, b) => (chosen.includes(b.id) - chosen.includes(a.id)));
        const list = el("div", { class: "jr-linklist", dataset: { links: name } },
          sorted.length ? sorted.map((o) => el("label", { class: "jr-check", dataset: { label: o.name.toLowerCase() } },
            el("input", { type: "checkbox", value: String(o.id), checked: chosen.includes(o.id), disabled: disabled }), " " + o.name))
            : el("span", { class: "muted", text: "None defined yet in Strategy." }));
        const filter = options.length > 6 ? el("input", {
          type: "search", class: "jr-link-filter", placeholder: "Filter " + name + "…", "aria-label": "Filter " + name,
          oninput: (e) => {
            const q = e.target.value.trim().toLowerCase();
            list.querySelectorAll("label").forEach((l) => { l.hidden = q && !l.dataset.label.includes(q) && !l.querySelector("input").checked; });
          },
        }) : null;
        const box = el("div", { class: "jr-linkbox" }, filter, list);
        drawerForm.appendChild(field(name === "goals" ? "Linked goals (" + chosen.length + ")" : "Linked initiatives (" + chosen.length + ")", box, name));
      });
    } else {
      drawerForm.appendChild(el("p", { class: "muted small", text: "Links to goals and initiatives appear here once Strategy is set up." }));
    }
    const pains = [...state.pains.values()].filter((p) => p.touchpoint === id && !p.deleted);
    drawerForm.appendChild(el("div", { class: "jr-drawer-pains" },
      el("h3", { text: "Pain points & opportunities on this touchpoint" }),
      pains.length ? pains.map(renderPain) : el("p", { class: "muted", text: "None yet." }),
      cfg.canWrite ? el("button", { type: "button", class: "btn small", onclick: () => addPainToCard(card) }, "+ Add a pain point here") : null));
    drawerForm.appendChild(drawerButtons(() => deleteItem("touchpoint", id), historyLink("touchpoint", id)));
    drawerForm.onsubmit = (e) => { e.preventDefault(); saveCard(id); };
    const first = drawerForm.querySelector("input[name=name]");
    if (first && cfg.canWrite) first.focus();
  }

  async function addPainToCard(card) {
    const text = window.prompt("Pain point on “" + card.name + "”:");
    if (!text || !text.trim()) return;
    const result = await api("POST", "pain-points/", { stage: card.stage, touchpoint: card.id, text: text.trim(), kind: "pain" });
    if (!result.ok) return toast(errorText(result.data), "bad");
    state.pains.set(result.data.id, result.data);
    render();
    openCard(card.id);
  }

  function formValues() {
    const data = {};
    drawerForm.querySelectorAll("input[name], select[name], textarea[name]").forEach((input) => {
      if (input.type === "checkbox") data[input.name] = input.checked;
      else data[input.name] = input.value;
    });
    drawerForm.querySelectorAll("[data-links]").forEach((box) => {
      data[box.dataset.links] = [...box.querySelectorAll("input:checked")].map((i) => Number(i.value));
    });
    return data;
  }

  function showFieldErrors(data) {
    drawerForm.querySelectorAll(".errors").forEach((ul) => (ul.textContent = ""));
    drawerForm.querySelectorAll(".field").forEach((f) => f.classList.remove("has-error"));
    const general = [];
    Object.entries(data || {}).forEach(([name, messages]) => {
      const box = drawerForm.querySelector('[data-field="' + name + '"]');
      const list = [].concat(messages).map((m) => (typeof m === "string" ? m : JSON.stringify(m)));
      if (box) {
        box.classList.add("has-error");
        list.forEach((m) => box.querySelector(".errors").appendChild(el("li", { text: m })));
      } else {
        general.push(list.join(" "));
      }
    });
    drawerAlert.textContent = "";
    if (general.length) drawerAlert.appendChild(el("div", { class: "alert error", role: "alert", text: general.join(" ") }));
  }

  function showConflict(current, labels) {
    drawerAlert.textContent = "";
    const mine = formValues();
    const diffs = Object.entries(labels)
      .filter(([name]) => JSON.stringify(normalise(current[name])) !== JSON.stringify(normalise(mine[name])))
      .map(([name, label]) => el("li", {}, el("b", { text: label + ": " }), el("span", { text: display(name, current[name]) || "(empty)" })));
    drawerAlert.appendChild(
      el("div", { class: "alert warning jr-conflict", role: "alert", "data-testid": "conflict" },
        el("strong", { text: "Someone else saved this while you were editing (now version " + current.version + ")." }),
        el("p", { text: "Your text is kept in the form below. Their saved values differ here:" }),
        diffs.length ? el("ul", {}, diffs) : el("p", { text: "(Their change touched other fields.)" }),
        el("p", { text: "Review, then press Save again to apply your version on top of theirs." }))
    );
  }
  function normalise(value) {
    if (Array.isArray(value)) return value.join(", ");
    if (value === null || value === undefined) return "";
    return String(value);
  }
  function display(name, value) {
    if (name === "owner") return value ? unitName(value) : "No owner";
    if (name === "channel") return (CHANNELS_OR_NONE.find((c) => c.id === (value || "")) || {}).name || value;
    if (name === "moment_that_matters") return value ? "yes" : "no";
    return normalise(value);
  }

  const CARD_LABELS = { name: "Name", channel: "Channel", owner: "Owning unit", moment_that_matters: "Moment that matters", customer_action: "Customer action", data_fields: "Data asked", notes: "Notes" };

  async function saveCard(id) {
    const values = formValues();
    const body = {
      name: values.name, channel: values.channel, owner: values.owner ? Number(values.owner) : null,
      moment_that_matters: values.moment_that_matters, customer_action: values.customer_action,
      data_fields: values.data_fields.split(",").map((f) => f.trim()).filter(Boolean), notes: values.notes,
      version: state.drawer.version,
    };
    if (state.linksEnabled) {
      body.goals = values.goals || [];
      body.initiatives = values.initiatives || [];
    }
    const targetStage = Number(values.stage);
    const result = await api("PATCH", "touchpoints/" + id + "/", body);
    if (result.ok) {
      state.touchpoints.set(id, result.data);
      closeDrawer();
      if (targetStage && targetStage !== result.data.stage) {
        const others = cardsOf(targetStage).filter((c) => c.id !== id);
        await moveCard(id, targetStage, others.length ? others[others.length - 1].id : null);
      } else {
        render();
      }
      toast("Saved.", "ok");
      return;
    }
    if (result.status === 404) {
      closeDrawer();
      toast("This touchpoint was deleted by someone else.", "bad");
      return reload();
    }
    drawerSaveRefused(result, state.touchpoints, id, CARD_LABELS);
  }

  const STAGE_LABELS = { name: "Name", phase: "Phase", customer_goal: "Customer goal", customer_actions: "Customer actions", emotion: "Emotion", emotion_note: "Emotion note" };

  function openStage(id, focus) {
    const stage = state.stages.get(id);
    if (!stage) return;
    openDrawer("stage", id, cfg.canWrite ? "Edit stage" : "Stage");
    state.drawer.version = stage.version;
    const disabled = !cfg.canWrite;
    const emotions = [{ id: null, name: "Not set" }, ...[2, 1, 0, -1, -2].map((v) => ({ id: v, name: SIGNS[v] + " " + FACE_LABELS[v] }))];
    drawerForm.append(
      field("Name", textInput("name", stage.name, { maxlength: "200", required: true, disabled: disabled }), "name"),
      el("div", { class: "form-row" },
        field("Phase", select("phase", cfg.phases, stage.phase, { disabled: disabled }), "phase"),
        field("Position", select("position", stagesInOrder().map((s, i) => ({ id: i, name: String(i + 1) + (s.id === id ? " (now)" : "") })), stagesInOrder().findIndex((s) => s.id === id), { disabled: disabled, "data-testid": "field-position" }), "position")),
      field("Customer goal", textArea("customer_goal", stage.customer_goal, { maxlength: "4000", rows: "2", disabled: disabled }), "customer_goal"),
      field("Customer actions", textArea("customer_actions", stage.customer_actions, { maxlength: "4000", rows: "3", disabled: disabled }), "customer_actions"),
      el("div", { class: "form-row" },
        field("Emotion", select("emotion", emotions, stage.emotion, { disabled: disabled }), "emotion"),
        field("Emotion note", textInput("emotion_note", stage.emotion_note, { maxlength: "200", disabled: disabled }), "emotion_note")),
      drawerButtons(() => deleteItem("stage", id), historyLink("stage", id))
    );
    drawerForm.onsubmit = (e) => { e.preventDefault(); saveStage(id); };
    const target = drawerForm.querySelector("[name=" + (focus || "name") + "]");
    if (target && cfg.canWrite) target.focus();
  }

  async function saveStage(id) {
    const v = formValues();
    const body = {
      name: v.name, phase: v.phase, customer_goal: v.customer_goal, customer_actions: v.customer_actions,
      emotion: v.emotion === "" ? null : Number(v.emotion), emotion_note: v.emotion_note, version: state.drawer.version,
    };
    const result = await api("PATCH", "stages/" + id + "/", body);
    if (result.ok) {
      state.stages.set(id, result.data);
      closeDrawer();
      const order = stagesInOrder().map((s) => s.id);
      const from = order.indexOf(id);
      const to = Number(v.position);
      if (from >= 0 && to >= 0 && to !== from) {
        order.splice(from, 1);
        order.splice(to, 0, id);
        await reorderStages(order);
      } else {
        render();
      }
      toast("Stage saved.", "ok");
    } else {
      drawerSaveRefused(result, state.stages, id, STAGE_LABELS);
    }
  }

  const PAIN_LABELS = { text: "Text", kind: "Kind", severity: "Severity", detail: "Detail" };

  function openPain(id) {
    const pain = state.pains.get(id);
    if (!pain) return;
    openDrawer("pain", id, pain.kind === "pain" ? "Pain point" : "Opportunity");
    state.drawer.version = pain.version;
    const disabled = !cfg.canWrite;
    const cards = [{ id: null, name: "— The whole stage —" }, ...cardsOf(pain.stage).map((c) => ({ id: c.id, name: c.name }))];
    drawerForm.append(
      field("Text", textInput("text", pain.text, { maxlength: "200", required: true, disabled: disabled }), "text"),
      el("div", { class: "form-row" },
        field("Kind", select("kind", [{ id: "pain", name: "⚡ Pain point" }, { id: "opportunity", name: "✦ Opportunity" }], pain.kind, { disabled: disabled }), "kind"),
        field("Severity", select("severity", [{ id: 3, name: "High" }, { id: 2, name: "Medium" }, { id: 1, name: "Low" }], pain.severity, { disabled: disabled }), "severity")),
      field("On touchpoint", select("touchpoint", cards, pain.touchpoint, { disabled: disabled }), "touchpoint"),
      field("Detail", textArea("detail", pain.detail, { maxlength: "4000", disabled: disabled }), "detail"),
      drawerButtons(() => deleteItem("pain", id), historyLink("painpoint", id))
    );
    drawerForm.onsubmit = (e) => { e.preventDefault(); savePain(id); };
  }

  async function savePain(id) {
    const v = formValues();
    const body = { text: v.text, kind: v.kind, severity: Number(v.severity), touchpoint: v.touchpoint ? Number(v.touchpoint) : null, detail: v.detail, version: state.drawer.version };
    const result = await api("PATCH", "pain-points/" + id + "/", body);
    if (result.ok) {
      state.pains.set(id, result.data);
      closeDrawer();
      render();
    } else {
      drawerSaveRefused(result, state.pains, id, PAIN_LABELS);
    }
  }

  // A drawer's save the server refused: on a conflict (someone saved meanwhile) show theirs
  // beside ours and take their version; else the field errors.
  function drawerSaveRefused(result, rows, id, labels) {
    if (result.status === 409 && result.data.current) {
      rows.set(id, result.data.current);
      state.drawer.version = result.data.current.version;
      render();
      showConflict(result.data.current, labels);
    } else {
      showFieldErrors(result.data);
    }
  }

  const ENDPOINTS = { touchpoint: ["touchpoints/", "touchpoints"], stage: ["stages/", "stages"], pain: ["pain-points/", "pains"] };
  const NAMES = { touchpoint: "Touchpoint", stage: "Stage", pain: "Pain point" };

  async function deleteItem(type, id) {
    const [path, store] = ENDPOINTS[type];
    const item = state[store].get(id);
    const result = await api("DELETE", path + id + "/");
    closeDrawer();
    if (!result.ok) {
      toast(errorText(result.data), "bad");
      return reload();
    }
    state[store].set(id, { ...item, deleted: true });
    if (type === "stage") {
      state.touchpoints.forEach((t) => { if (t.stage === id) t.deleted = true; });
      state.pains.forEach((p) => { if (p.stage === id) p.deleted = true; });
    }
    if (type === "touchpoint") state.pains.forEach((p) => { if (p.touchpoint === id) p.deleted = true; });
    render();
    const label = item.name || item.text || "";
    toast(NAMES[type] + " “" + label + "” deleted" + (type === "stage" ? " with its cards." : "."), "", {
      label: "Undo",
      run: async () => {
        const undo = await api("POST", path + id + "/restore/");
        if (!undo.ok) return toast(errorText(undo.data), "bad");
        await poll(true);
        toast(NAMES[type] + " restored.", "ok");
      },
    });
  }

  // ---- live updates ----------------------------------------------------------------------

  // The badge says "Connecting…" until the first poll answers, then "Live"; "Reconnecting…"
  // only once polls fail twice running (one lost answer is not worth alarming anyone). A poll
  // that answered but whose changes could not be shown is not a connection problem: the board
  // reloads itself instead.
  const LIVE_TEXT = { connecting: " Connecting…", live: " Live", offline: " Reconnecting…" };
  const FAILURES_SHOWN = 2;
  function setLive(status) {
    const live = document.getElementById("jr-live");
    live.classList.toggle("offline", status === "offline");
    live.classList.toggle("connecting", status === "connecting");
    live.dataset.status = status;
    live.lastChild.textContent = LIVE_TEXT[status];
  }

  function applyChanges(data) {
    renderPresence(data.present || []);
    if (!data.changed) return;
    (data.stages || []).forEach((s) => state.stages.set(s.id, s));
    (data.touchpoints || []).forEach((t) => state.touchpoints.set(t.id, t));
    (data.pain_points || []).forEach((p) => state.pains.set(p.id, p));
    if (data.journey) state.journey = data.journey;
    state.revision = data.revision;
    noteDrawerChange();
    render();
  }

  let polling = false;
  async function poll(force) {
    if (polling || (!force && document.hidden)) return;
    polling = true;
    try {
      const result = await api("GET", "journeys/" + cfg.journey + "/changes/?since=" + state.revision);
      if (result.status === 400) return reload(); // our revision is unusable: start afresh
      if (!result.ok) {
        state.failures += 1;
        if (state.failures >= FAILURES_SHOWN) setLive("offline");
        return;
      }
      state.failures = 0;
      setLive("live");
      try {
        applyChanges(result.data);
      } catch (error) {
        console.error("Live update could not be shown; reloading the board.", error);
        await reload();
      }
    } finally {
      polling = false;
    }
  }

  function renderPresence(people) {
    const box = document.getElementById("jr-presence");
    const others = people.filter((p) => p.id !== cfg.meId);
    box.textContent = "";
    if (!others.length) return;
    others.slice(0, 5).forEach((p) => {
      const initials = p.name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join("");
      box.appendChild(el("span", { class: "jr-avatar", title: p.name + " has this map open" }, initials || "?"));
    });
    const names = others.map((p) => p.name.split(/\s+/)[0]);
    const text = names.length === 1 ? names[0] + " is here too" : names.length === 2 ? names.join(" and ") + " are here too" : names.length + " others are here";
    box.appendChild(el("span", { class: "jr-presence-text" }, text));
  }

  function noteDrawerChange() {
    const d = state.drawer;
    if (!d) return;
    const store = { touchpoint: "touchpoints", stage: "stages", pain: "pains" }[d.type];
    const item = state[store].get(d.id);
    if (!item) return;
    if (item.deleted) {
      drawerAlert.textContent = "";
      drawerAlert.appendChild(el("div", { class: "alert error", text: "Someone else deleted this just now. Copy your text if you need it." }));
    } else if (item.version > d.version && !drawerAlert.querySelector(".jr-conflict")) {
      drawerAlert.textContent = "";
      drawerAlert.appendChild(el("div", { class: "alert info", "data-testid": "remote-change", text: "Someone else just changed this. Your edits are kept; when you save you can compare and re-apply them." }));
    }
  }

  setInterval(poll, POLL_MS);
  setTimeout(poll, 300);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });

  // ---- emotion curve ---------------------------------------------------------------------

  function plotText(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function renderEmotionChart(stages) {
    const target = document.getElementById("jr-emotion-chart");
    if (!stages.length) {
      target.textContent = "";
      target.appendChild(el("div", { class: "jr-placeholder", text: "The curve appears once the map has stages with an emotion set." }));
      return;
    }
    if (target.querySelector(".jr-placeholder")) target.textContent = "";
    const x = stages.map((s, i) => i);
    const y = stages.map((s) => (s.emotion === null ? null : s.emotion));
    const colours = y.map((v) => (v === null ? "#cbd5e1" : v < 0 ? "#e03131" : v > 0 ? "#2f9e44" : "#868e96"));
    const unset = stages.filter((s) => s.emotion === null).length;
    window.cxalign.plotly().then((Plotly) => Plotly.react(target, [{
      x: x, y: y, type: "scatter", mode: "lines+markers+text", connectgaps: false,
      line: { shape: "spline", width: 3, color: "#3b5bdb" },
      marker: { size: 14, color: colours, line: { color: "#fff", width: 2 } },
      text: y.map((v) => (v === null ? "" : SIGNS[v])), textposition: "top center", textfont: { size: 12, color: "#4a5568" },
      hovertext: stages.map((s) => plotText(s.name) + (s.emotion_note ? "<br>" + plotText(s.emotion_note) : "")),
      hoverinfo: "text+y",
    }], {
      title: { text: "Emotion across “" + plotText(state.journey.name) + "”" + (unset ? " (" + unset + " stage" + (unset > 1 ? "s" : "") + " not rated)" : ""), font: { size: 15 } },
      xaxis: { title: { text: "Stage (in journey order)" }, zeroline: false, showgrid: false, tickmode: "array", tickvals: x, ticktext: stages.map((s) => plotText(s.name.length > 22 ? s.name.slice(0, 21) + "…" : s.name)), fixedrange: true },
      yaxis: { title: { text: "Emotion (−2 very negative … +2 very positive)" }, range: [-2.7, 2.9], tickvals: [-2, -1, 0, 1, 2], ticktext: ["−2", "−1", "0", "+1", "+2"], zeroline: true, zerolinecolor: "#adb5bd", fixedrange: true },
      margin: { l: 70, r: 20, t: 50, b: 80 }, height: 320, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fbfcfe",
      shapes: [
        { type: "rect", xref: "paper", x0: 0, x1: 1, y0: 0, y1: 2.9, fillcolor: "rgba(47,158,68,.05)", line: { width: 0 }, layer: "below" },
        { type: "rect", xref: "paper", x0: 0, x1: 1, y0: -2.7, y1: 0, fillcolor: "rgba(224,49,49,.05)", line: { width: 0 }, layer: "below" },
      ],
    }, { displayModeBar: false, responsive: true }));
  }

  // ---- export as PNG -----------------------------------------------------------------------

  async function exportPng() {
    if (typeof htmlToImage === "undefined") return toast("The image exporter did not load.", "bad");
    toast("Preparing the image…");
    board.classList.add("exporting");
    const highlight = state.highlight;
    if (highlight) { state.highlight = null; render(); }
    try {
      const url = await htmlToImage.toPng(board, {
        backgroundColor: "#f5f7fb", pixelRatio: 2, width: board.scrollWidth, height: board.scrollHeight,
        filter: (node) => !(node.classList && (node.classList.contains("jr-add") || node.classList.contains("jr-add-col") || node.classList.contains("jr-handle"))),
      });
      const link = el("a", { href: url, download: (state.journey.name || "journey").replace(/[^\w-]+/g, "-").toLowerCase() + ".png" });
      document.body.appendChild(link);
      link.click();
      link.remove();
    } catch (error) {
      toast("The image could not be made: " + error, "bad");
    } finally {
      board.classList.remove("exporting");
      if (highlight) { state.highlight = highlight; render(); }
    }
  }

  document.addEventListener("click", (e) => {
    const target = e.target.closest("[data-action]");
    if (!target) return;
    if (target.dataset.action === "close-drawer") closeDrawer();
    if (target.dataset.action === "export-png") {
      target.closest("details").removeAttribute("open");
      exportPng();
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state.drawer) closeDrawer();
  });

  window.cxJourney = { state: state, reload: reload, poll: poll };
  render();
})();
