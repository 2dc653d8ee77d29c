"""Speech: audio frames and conversion, voice activity, Vosk recognition, speech synthesis.

Modules: `frames` (AudioFrame), `convert` (resampling, re-chunking), `wav` (WAV files),
`voice` (webrtcvad), `vad` (pure endpointing), `recognizer` (Vosk), `listen` (one listen step
as events), `models` and `download` (Vosk models on disk), `tts`, `prompt_cache` and `prompts`
(synthesis, its cache, recorded prompts), `evaluation` (WER scoring), `settings`, `errors`.
Imports no other project package.
"""
