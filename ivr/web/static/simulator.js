// Simulator page: sends each caller input to the server, which runs the real dialogue engine;
// the call state (JSON) travels back and forth, the server keeps nothing.
"use strict";
(function () {
  const root = document.getElementById("simulateur");
  if (!root) return;
  const url = root.dataset.url;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const conversation = document.getElementById("sim-conversation");
  const speakForm = document.getElementById("sim-parler");
  const textInput = document.getElementById("sim-texte");
  const keypad = document.getElementById("sim-clavier");
  const status = document.getElementById("sim-statut");
  let state = null;
  let busy = false;

  function line(who, text, kind) {
    const item = document.createElement("li");
    item.className = kind;
    const label = document.createElement("strong");
    label.textContent = who + " : ";
    item.append(label, document.createTextNode(text));
    conversation.append(item);
  }

  function enable(on) {
    textInput.disabled = !on;
    speakForm.querySelectorAll("button").forEach((b) => { b.disabled = !on; });
    keypad.disabled = !on;
  }

  function show(turn, ended) {
    document.getElementById("sim-noeud").textContent = turn.node;
    document.getElementById("sim-intention").textContent = turn.intent || "non comprise";
    const slots = Object.entries(turn.slots).map(([k, v]) => k + " = " + v);
    document.getElementById("sim-champs").textContent = slots.length ? slots.join(", ") : "aucune";
    const actions = {listen: "écoute l’appelant", transfer: "transfère l’appel", hangup: "raccroche"};
    document.getElementById("sim-action").textContent = actions[turn.action] || turn.action;
    document.getElementById("sim-transfert").textContent = turn.transfer
      ? "vers " + turn.transfer.queue + " (" + turn.transfer.reason + ")" : "aucun";
    line("Assistant", turn.say.join(" ") || "(ne dit rien)", "assistant");
    if (ended) {
      status.textContent = turn.action === "transfer"
        ? "Appel transféré au service " + turn.transfer.queue + "." : "L’assistant a raccroché.";
      enable(false);
      document.getElementById("sim-appeler").focus();
    }
  }

  async function send(input, label) {
    if (busy) return;
    busy = true;
    if (label) line("Appelant", label, "appelant");
    try {
      const now = document.getElementById("sim-heure").value;
      const answer = await fetch(url, {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify({state: state, input: input, now: now || null}),
      });
      const data = await answer.json();
      if (!answer.ok) {
        status.textContent = "Erreur : " + (data.message || answer.status);
        return;
      }
      state = data.state;
      show(data.turn, data.ended);
    } catch (err) {
      status.textContent = "Le serveur ne répond pas : " + err;
    } finally {
      busy = false;
    }
  }

  document.getElementById("sim-debut").addEventListener("submit", async (event) => {
    event.preventDefault();
    state = null;
    conversation.replaceChildren();
    status.textContent = "Appel en cours.";
    await send("", null);
    if (state) { enable(true); textInput.focus(); }
  });
  speakForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textInput.value.trim();
    if (!text) return;
    textInput.value = "";
    send(text, "« " + text + " »");
  });
  document.getElementById("sim-silence").addEventListener("click", () => send("", "(silence)"));
  keypad.addEventListener("click", (event) => {
    const key = event.target.closest("button[data-digit]");
    if (key) send("dtmf:" + key.dataset.digit, "touche " + key.dataset.digit);
  });
})();
