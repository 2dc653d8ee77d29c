// Web chat page: opens a conversation with the town hall's published flow and sends each
// message (text or a keypad-like choice); the server runs the dialogue and keeps the state.
// Once the conversation is handed over to an agent, messages go to the agent and the page
// receives the agent's replies as server-sent events until either side ends the conversation.
"use strict";
(function () {
  const root = document.getElementById("chat");
  if (!root) return;
  const log = document.getElementById("chat-log");
  const form = document.getElementById("chat-form");
  const text = document.getElementById("chat-texte");
  const choice = document.getElementById("chat-choix");
  const status = document.getElementById("chat-statut");
  const finish = document.getElementById("chat-fin");
  const RETRY_MS = 5000;
  let base = null;  // "/api/chat/ID" while a conversation is open
  let busy = false;
  let agent = false;
  let next = 0;
  let source = null;  // the stream of the agent's replies, once handed over
  let retry = null;

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
    finish.disabled = !on;
  }

  function over(message) {
    base = null;
    agent = false;
    clearTimeout(retry);
    if (source) source.close();
    source = null;
    enable(false);
    status.textContent = message;
  }

  function listen() {
    if (!base || !agent || source) return;
    source = new EventSource(base + "/stream?after=" + next);
    source.addEventListener("replies", (event) => {
      const data = JSON.parse(event.data);
      data.messages.forEach((m) => line("Conseiller", m, "conseiller"));
      next = data.next;
      if (data.ended) {
        over(data.ended_by === "agent"
          ? "Le conseiller a terminé la conversation. Merci."
          : "Conversation terminée.");
      }
    });
    source.addEventListener("gone", () => {
      over("La conversation est terminée. Cliquez sur « Nouvelle conversation ».");
    });
    source.onerror = () => {
      // a dropped connection is retried by the browser itself; a refusal closes the source
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
        checkAgain();
      }
    };
  }

  async function checkAgain() {
    // the stream was refused: ask once why, then listen again unless it is over
    if (!base || !agent) return;
    let wait = RETRY_MS;
    try {
      const answer = await fetch(base + "/replies?after=" + next,
        {headers: {Accept: "application/json"}});
      if (answer.status === 404) {
        over("La conversation est terminée. Cliquez sur « Nouvelle conversation ».");
        return;
      }
      if (answer.status === 429) {
        wait = 1000 * Number(answer.headers.get("Retry-After") || 5);
      }
    } catch (err) {
      // the service is away: try again later
    }
    retry = setTimeout(listen, wait);
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
        enable(base !== null);
        return;
      }
      if (!answer.ok) {
        if (answer.status === 404) {
          over("La conversation est terminée. Cliquez sur « Nouvelle conversation ».");
        } else {
          over(answer.status === 503 ? data.message : "Erreur : " + (data.message || answer.status));
        }
        return;
      }
      base = "/api/chat/" + encodeURIComponent(data.id);
      data.messages.forEach((m) => line("Mairie", m, "assistant"));
      if (data.ended) {
        over(data.agent ? "Le conseiller a terminé la conversation. Merci."
          : "Conversation terminée.");
        return;
      }
      if (data.agent && !agent) {
        agent = true;
        next = 0;
        listen();
      }
      status.textContent = agent ? "Vous écrivez à un conseiller de la mairie." : "";
      enable(true);
      text.focus();
    } catch (err) {
      status.textContent = "Le service ne répond pas. Réessayez plus tard.";
      enable(base !== null);
    } finally {
      busy = false;
    }
  }

  function start() {
    if (base) fetch(base + "/end", {method: "POST"}).catch(() => {});
    over("");
    log.replaceChildren();
    send(root.dataset.start, {});
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = text.value.trim();
    if (busy || !base || !message) return;
    line("Vous", message, "caller");
    text.value = "";
    send(base + "/say", {text: message});
  });
  document.getElementById("chat-choisir").addEventListener("click", () => {
    const digits = choice.value.trim();
    if (busy || !base || !/^[0-9*#]{1,20}$/.test(digits)) return;
    line("Vous", "choix " + digits, "caller");
    choice.value = "";
    send(base + "/say", {choice: digits});
  });
  finish.addEventListener("click", async () => {
    if (!base) return;
    const url = base + "/end";
    over("Vous avez terminé la conversation.");
    try { await fetch(url, {method: "POST"}); } catch (err) { /* already over here */ }
  });
  document.getElementById("chat-nouveau").addEventListener("click", start);
  start();
})();
