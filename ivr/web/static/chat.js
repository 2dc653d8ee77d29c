// Web chat page: opens a conversation with the town hall's published flow and sends each
// message (text or a keypad-like choice); the server runs the dialogue and keeps the state.
"use strict";
(function () {
  const root = document.getElementById("chat");
  if (!root) return;
  const log = document.getElementById("chat-log");
  const form = document.getElementById("chat-form");
  const text = document.getElementById("chat-texte");
  const choice = document.getElementById("chat-choix");
  const status = document.getElementById("chat-statut");
  let sayUrl = null;
  let busy = false;

  function line(who, message, kind) {
    const item = document.createElement("li");
    item.className = kind;
    const label = document.createElement("strong");
    label.textContent = who + " : ";
    item.append(label, document.createTextNode(message));
    log.append(item);
  }

  function enable(on) {
    form.querySelectorAll("input, button").forEach((el) => { el.disabled = !on; });
  }

  async function send(url, body) {
    busy = true;
    enable(false);
    status.textContent = "…";
    try {
      const answer = await fetch(url, {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify(body)});
      const data = await answer.json();
      if (answer.status === 429) {
        status.textContent = "Trop de messages : réessayez dans " +
          (answer.headers.get("Retry-After") || "quelques") + " secondes.";
        enable(sayUrl !== null);
        return;
      }
      if (!answer.ok) {
        status.textContent = answer.status === 404
          ? "La conversation est terminée. Cliquez sur « Nouvelle conversation »."
          : "Erreur : " + (data.message || answer.status);
        sayUrl = null;
        return;
      }
      sayUrl = "/api/chat/" + encodeURIComponent(data.id) + "/say";
      data.messages.forEach((m) => line("Mairie", m, "assistant"));
      if (data.ended) {
        sayUrl = null;
        status.textContent = data.transfer
          ? "Conversation transmise à un conseiller." : "Conversation terminée.";
      } else {
        status.textContent = "";
        enable(true);
        text.focus();
      }
    } catch (err) {
      status.textContent = "Le service ne répond pas. Réessayez plus tard.";
      enable(sayUrl !== null);
    } finally {
      busy = false;
    }
  }

  function start() {
    log.replaceChildren();
    sayUrl = null;
    send(root.dataset.start, {});
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = text.value.trim();
    if (busy || !sayUrl || !message) return;
    line("Vous", message, "caller");
    text.value = "";
    send(sayUrl, {text: message});
  });
  document.getElementById("chat-choisir").addEventListener("click", () => {
    const digits = choice.value.trim();
    if (busy || !sayUrl || !/^[0-9*#]{1,20}$/.test(digits)) return;
    line("Vous", "choix " + digits, "caller");
    choice.value = "";
    send(sayUrl, {choice: digits});
  });
  document.getElementById("chat-nouveau").addEventListener("click", start);
  start();
})();
