// Agent console, page of a web chat handed over to the agent (shown when the transfer event
// arrives if the page was opened before): sends the agent's replies and the end of the
// conversation (JSON, X-CSRF-Token header). Each reply comes back into the
// transcript through the live events (live.js), like the citizen's messages.
"use strict";
(function () {
  const root = document.getElementById("chat-agent");
  if (!root) return;
  const form = document.getElementById("reponse-form");
  const input = document.getElementById("reponse-texte");
  const end = document.getElementById("reponse-fin");
  const status = document.getElementById("reponse-statut");
  const token = document.querySelector('meta[name="csrf-token"]').content;

  function close(message) {
    form.querySelectorAll("input, button").forEach((el) => { el.disabled = true; });
    end.disabled = true;
    status.textContent = message;
  }

  async function post(url, body) {
    const answer = await fetch(url, {
      method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify(body)});
    if (answer.ok) return true;
    let message = "erreur " + answer.status;
    try { message = (await answer.json()).message || message; } catch (err) { /* not JSON */ }
    if (answer.status === 404 || answer.status === 409) {
      close("La conversation est terminée (" + message + ").");
    } else {
      status.textContent = "Réponse non envoyée : " + message;
    }
    return false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    status.textContent = "Envoi…";
    try {
      if (await post(root.dataset.reply, {text: text})) {
        input.value = "";
        status.textContent = "Réponse envoyée.";
        input.focus();
      }
    } catch (err) {
      status.textContent = "Le service ne répond pas : réponse non envoyée.";
    }
  });
  end.addEventListener("click", async () => {
    try {
      if (await post(root.dataset.end, {})) close("Vous avez terminé la conversation.");
    } catch (err) {
      status.textContent = "Le service ne répond pas.";
    }
  });
  document.addEventListener("appel-transfere", () => {
    root.hidden = false;
    status.textContent = "Conversation transmise : vous pouvez répondre.";
  });
  document.addEventListener("appel-termine", () => {
    if (!end.disabled) close("La conversation est terminée.");
  });
})();
