"""Scripted phone calls as real audio: espeak-ng speaks each turn, sox lays the turns out on two channels.

Contract:
- `make_call(script, folder, name)` speaks every `(speaker, text)` turn of `script` with espeak-ng
  (agent and customer in different voices), resamples it to 16 kHz mono with sox, and places the
  turns one after another with `GAP_S` of silence between them: the agent's on the left channel,
  the customer's on the right, in one 16-bit WAV (`<folder>/<name>.wav`). Returns a `Call` with the
  path, the length, and each turn's speaker, text and start / end second as laid out (espeak-ng
  adds a few hundredths of a second of silence around speech, well inside a test's tolerance).
Needs /usr/bin/espeak-ng and /usr/bin/sox (the project's set-up installs both).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

GAP_S = 0.7
SAMPLE_RATE = 16_000
VOICES = {"agent": "en-us", "customer": "en-gb"}
WORDS_PER_MINUTE = 150


@dataclass(frozen=True, slots=True)
class ScriptedTurn:
    speaker: str
    text: str
    offset_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Call:
    path: Path
    duration_s: float
    turns: tuple[ScriptedTurn, ...]


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _seconds(path: Path) -> float:
    return float(_run("soxi", "-D", str(path)).strip())


def _speak(text: str, voice: str, path: Path) -> None:
    """One utterance as 16 kHz mono 16-bit WAV (espeak-ng writes 22,050 Hz)."""
    raw = path.with_suffix(".raw.wav")
    _run("espeak-ng", "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(raw), text)
    _run("sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(path))
    raw.unlink()


def _channel(parts: list[Path], total_s: float, path: Path) -> None:
    """Mix the (already delayed) turns of one speaker into one mono track `total_s` long."""
    if not parts:  # a speaker who never talks: a silent track
        _run("sox", "-n", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(path), "trim", "0", f"{total_s:.3f}")
        return
    if len(parts) == 1:
        _run("sox", str(parts[0]), str(path))
    else:  # -v 1 on each input: sox -m would otherwise scale every input down by the number of inputs
        _run("sox", "-m", *[arg for part in parts for arg in ("-v", "1", str(part))], str(path))
    missing = total_s - _seconds(path)
    if missing > 0:
        padded = path.with_suffix(".pad.wav")
        _run("sox", str(path), str(padded), "pad", "0", f"{missing:.3f}")
        padded.replace(path)


def make_call(script: list[tuple[str, str]], folder: Path, name: str = "call") -> Call:
    """A two-channel call (left agent, right customer) speaking `script` turn by turn."""
    work = folder / f"{name}.parts"
    work.mkdir(parents=True, exist_ok=True)
    turns: list[ScriptedTurn] = []
    delayed: dict[str, list[Path]] = {"agent": [], "customer": []}
    at = GAP_S
    for index, (speaker, text) in enumerate(script):
        spoken = work / f"turn{index:02d}.wav"
        _speak(text, VOICES[speaker], spoken)
        length = _seconds(spoken)
        placed = work / f"turn{index:02d}.placed.wav"
        _run("sox", str(spoken), str(placed), "pad", f"{at:.3f}")  # leading silence puts the turn at `at`
        delayed[speaker].append(placed)
        turns.append(ScriptedTurn(speaker, text, round(at, 3), round(at + length, 3)))
        at += length + GAP_S
    total = at
    tracks = {speaker: work / f"{speaker}.wav" for speaker in delayed}
    for speaker, parts in delayed.items():
        _channel(parts, total, tracks[speaker])
    path = folder / f"{name}.wav"
    _run("sox", "-M", str(tracks["agent"]), str(tracks["customer"]), str(path))
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return Call(path=path, duration_s=_seconds(path), turns=tuple(turns))
