// Recording a prompt in the browser: the microphone's PCM (Web Audio API, AudioWorklet) is
// resampled to 16 kHz, encoded as a 16-bit mono WAV here, played back for checking, then sent
// with PUT /api/prompts/{id}. No server-side conversion is needed.
"use strict";
(function () {
  const root = document.getElementById("enregistreur");
  if (!root) return;
  const RATE = 16000;
  const MAX_SECONDS = 60;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const idInput = document.getElementById("rec-id");
  const start = document.getElementById("rec-start");
  const stop = document.getElementById("rec-stop");
  const send = document.getElementById("rec-send");
  const player = document.getElementById("rec-player");
  const status = document.getElementById("rec-status");
  let context = null, stream = null, chunks = [], wav = null, timer = null;

  root.hidden = false;
  if (!navigator.mediaDevices || !window.AudioWorkletNode) {
    status.textContent = "Ce navigateur ne peut pas enregistrer ici (il faut une adresse " +
      "https ou localhost) : envoyez un fichier WAV avec le formulaire ci-dessous.";
    start.disabled = true;
    return;
  }

  function resample(samples, from) {
    if (from === RATE) return samples;
    const ratio = from / RATE;
    const out = new Float32Array(Math.floor(samples.length / ratio));
    for (let i = 0; i < out.length; i += 1) {
      const begin = Math.floor(i * ratio), end = Math.min(samples.length, Math.floor((i + 1) * ratio));
      let sum = 0;
      for (let j = begin; j < end; j += 1) sum += samples[j];
      out[i] = end > begin ? sum / (end - begin) : 0;
    }
    return out;
  }

  function encodeWav(samples) {
    const buffer = new ArrayBuffer(44 + samples.length * 2);
    const view = new DataView(buffer);
    const text = (offset, value) => { for (let i = 0; i < value.length; i += 1) view.setUint8(offset + i, value.charCodeAt(i)); };
    text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
    text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);
    view.setUint16(22, 1, true); view.setUint32(24, RATE, true); view.setUint32(28, RATE * 2, true);
    view.setUint16(32, 2, true); view.setUint16(34, 16, true);
    text(36, "data"); view.setUint32(40, samples.length * 2, true);
    for (let i = 0; i < samples.length; i += 1) {
      const s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([buffer], {type: "audio/wav"});
  }

  async function finish() {
    clearTimeout(timer);
    stop.disabled = true;
    start.disabled = false;
    stream.getTracks().forEach((t) => t.stop());
    const rate = context.sampleRate;
    await context.close();
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const all = new Float32Array(total);
    let offset = 0;
    chunks.forEach((c) => { all.set(c, offset); offset += c.length; });
    wav = encodeWav(resample(all, rate));
    player.src = URL.createObjectURL(wav);
    player.hidden = false;
    send.disabled = false;
    status.textContent = "Enregistrement terminé (" + (total / rate).toFixed(1) +
      " s). Écoutez-le, puis envoyez-le ou recommencez.";
    send.focus();
  }

  start.addEventListener("click", async () => {
    if (!idInput.reportValidity()) return;
    try {
      stream = await navigator.mediaDevices.getUserMedia({audio: {channelCount: 1}});
    } catch (err) {
      status.textContent = "Micro inaccessible : " + err.message;
      return;
    }
    context = new AudioContext();
    await context.audioWorklet.addModule("/static/pcm-worklet.js");
    const node = new AudioWorkletNode(context, "pcm-tap");
    chunks = [];
    node.port.onmessage = (event) => chunks.push(event.data);
    context.createMediaStreamSource(stream).connect(node);
    start.disabled = true; send.disabled = true; stop.disabled = false;
    stop.focus();
    status.textContent = "Enregistrement en cours… Parlez, puis appuyez sur « Arrêter ».";
    timer = setTimeout(finish, MAX_SECONDS * 1000);
  });
  stop.addEventListener("click", finish);
  send.addEventListener("click", async () => {
    if (!wav || !idInput.reportValidity()) return;
    status.textContent = "Envoi…";
    const answer = await fetch("/api/prompts/" + encodeURIComponent(idInput.value.trim()), {
      method: "PUT", headers: {"Content-Type": "audio/wav", "X-CSRF-Token": csrf}, body: wav,
    });
    if (answer.ok) {
      window.location.assign("/admin?fait=message#messages");
    } else {
      const data = await answer.json().catch(() => ({}));
      status.textContent = "Refusé : " + (data.message || answer.status);
    }
  });
})();
