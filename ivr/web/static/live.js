// Live calls (agent console): listens to the server-sent events of the call hub.
// On the list page, the tables are reloaded from the server and transfers are announced;
// on a call's page, new turns are appended and the context is updated.
"use strict";
(function () {
  const list = document.getElementById("tableaux-appels");
  const context = document.getElementById("appel-contexte");
  const source = (list || context || {}).dataset && (list || context).dataset.stream;
  if (!source) return;
  const events = new EventSource(source);
  events.addEventListener("open", () => { document.documentElement.dataset.live = "ouvert"; });
  // The session ended (signed out, new password, account disabled): sign in again.
  events.addEventListener("ended", () => { events.close(); window.location.assign("/login"); });

  function text(id, value) {
    const node = document.getElementById(id);
    if (node) node.textContent = value || "—";
  }

  if (list) {
    const announce = document.getElementById("annonces");
    let pending = null;
    const refresh = () => {
      if (pending) return;
      pending = setTimeout(async () => {
        pending = null;
        const answer = await fetch(list.dataset.refresh, {headers: {Accept: "text/html"}});
        if (!answer.ok) return;
        const html = await answer.text();
        const focused = document.activeElement && document.activeElement.getAttribute("href");
        list.innerHTML = html;
        if (focused) {
          const again = list.querySelector('a[href="' + focused + '"]');
          if (again) again.focus();
        }
      }, 150);
    };
    ["start", "end", "turn"].forEach((kind) => events.addEventListener(kind, refresh));
    // The screen-pop: while this agent's phone rings for a call, who, why and what was said;
    // "en ligne" once this agent answered, "terminé" once they hung up (kept for notes until
    // "Masquer" or the next call); closed when the phone stops ringing unanswered or another
    // agent takes the call.
    const pop = document.getElementById("appel-entrant");
    const phone = pop ? pop.dataset.phone : "";
    let popped = null;  // {call, state: "sonne" | "en-ligne" | "termine"}
    const show = () => {
      pop.dataset.state = popped.state;
      const title = document.getElementById("sonnerie-titre");
      if (!title) return;
      if (popped.state === "en-ligne") title.textContent = "En ligne avec l’appelant";
      if (popped.state === "termine") title.textContent = "Appel terminé";
    };
    const closePop = (callId) => {
      if (!popped || callId !== popped.call) return;
      popped = null;
      pop.hidden = true;
      pop.replaceChildren();
      delete pop.dataset.state;
      delete pop.dataset.call;
    };
    events.addEventListener("ringing", async (event) => {
      const data = JSON.parse(event.data);
      if (!pop || !phone || data.agent !== phone) return;
      const mine = {call: data.call_id, state: "sonne"};
      popped = mine;
      let html = "";
      try {
        const answer = await fetch("/agent/calls/" + encodeURIComponent(data.call_id) +
                                   "/sonnerie", {headers: {Accept: "text/html"}});
        if (answer.ok) html = await answer.text();
      } catch (error) {
        return;  // the server is unreachable: the stream reconnects by itself
      }
      if (popped !== mine || !html) return;  // stopped ringing meanwhile, or gone
      pop.innerHTML = html;
      pop.dataset.call = data.call_id;
      pop.hidden = false;
      show();
    });
    events.addEventListener("answered", (event) => {
      const data = JSON.parse(event.data);
      if (!popped || data.call_id !== popped.call) return;
      if (data.agent !== phone) { closePop(data.call_id); return; }
      popped.state = "en-ligne";
      if (!pop.hidden) show();
    });
    events.addEventListener("ring_end", (event) => {
      const data = JSON.parse(event.data);
      if (popped && popped.state === "sonne") closePop(data.call_id);
    });
    events.addEventListener("agent_end", (event) => {
      const data = JSON.parse(event.data);
      if (!popped || data.call_id !== popped.call) return;
      popped.state = "termine";
      if (!pop.hidden) show();
    });
    if (pop) {
      pop.addEventListener("click", (event) => {
        if (popped && event.target.closest("[data-fermer]")) closePop(popped.call);
      });
    }
    events.addEventListener("transfer", (event) => {
      const data = JSON.parse(event.data);
      announce.textContent = "Appel " + data.call_id + " transféré vers " + data.queue +
        (data.reason ? " : " + data.reason : "") + ".";
      refresh();
    });
    return;
  }

  const SPEAKERS = {caller: ["appelant", "Appelant"], assistant: ["assistant", "Assistant"],
                    agent: ["conseiller", "Conseiller"]};
  const transcript = document.getElementById("transcript");
  const state = document.getElementById("etat-appel");
  events.addEventListener("turn", (event) => {
    const data = JSON.parse(event.data);
    const empty = document.getElementById("transcript-vide");
    if (empty) empty.remove();
    const item = document.createElement("li");
    const [kind, label] = SPEAKERS[data.speaker] || SPEAKERS.assistant;
    item.className = kind;
    const who = document.createElement("strong");
    who.textContent = label + " : ";
    item.append(who, document.createTextNode(data.text || ""));
    if (data.intent) {
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = " (demande : " + data.intent + ")";
      item.append(hint);
      text("ctx-intention", data.intent);
    }
    transcript.append(item);
    const slots = Object.entries(data.slots || {}).map(([k, v]) => k + " = " + v);
    if (slots.length) text("ctx-champs", slots.join(", "));
  });
  events.addEventListener("transfer", (event) => {
    const data = JSON.parse(event.data);
    text("ctx-service", data.queue);
    text("ctx-motif", data.reason);
    text("ctx-resume", data.text);
    state.textContent = "Appel transféré vers " + data.queue + ".";
    document.dispatchEvent(new CustomEvent("appel-transfere", {detail: data}));
  });
  events.addEventListener("end", (event) => {
    const data = JSON.parse(event.data);
    state.textContent = "Appel terminé" + (data.reason ? " (" + data.reason + ")" : "") + ".";
    events.close();
    document.dispatchEvent(new CustomEvent("appel-termine", {detail: data}));
  });
})();
