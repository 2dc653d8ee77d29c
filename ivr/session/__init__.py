"""Call sessions: the live call loop joining telephony (AudioSocket, AMI), speech (VAD,
recognition, synthesis) and dialogs (the engine), one `CallSession` per call.

Modules: `call` (the loop), `report` (what a call did), `listener` (a caller's turn: speech,
digits, barge-in), `speaker` (prompts out), `line` (audio and digits in), `turns` (pure turn
decisions), `grammar` (the phrases a step is decoded with), `call_endings` (transfer, callback
offer, degraded endings), `callback` (pure callback dialogue), `switchboard` (transfers over
AMI), `recorder` (the call record), `services_db` (the flow's bookings in the database),
`fallback_prompts` (recorded prompts when synthesis fails), `resources` (what all calls share).
"""
