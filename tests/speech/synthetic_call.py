"""A scripted two-party call spoken by espeak-ng and laid out with sox: the ground truth for transcription tests.

Each line is synthesised on its own, resampled to 16 kHz and padded with silence so it starts at its scripted time
on its speaker's track; the agent track is the left channel, the customer track the right one (`sox -M`). The mono
mix of both tracks is the same call as a single-channel recording. The voices differ in pitch (espeak-ng's `+f3`
variant alone keeps the base pitch, so `-p` sets it), which the mono diarization relies on.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from redflare.domain.conversation import Speaker

VOICES = {Speaker.AGENT: ("en-us", "35"), Speaker.CUSTOMER: ("en-gb+f3", "85")}
GAP_S = 1.2  # silence between one line's end and the next line's start
LEAD_S = 0.5  # silence before the first line

SCRIPT: tuple[tuple[Speaker, str], ...] = (
    (Speaker.AGENT, "Thank you for calling Acme support, my name is Sam. How can I help you today?"),
    (Speaker.CUSTOMER, "Hi, I was charged twice for my order last week and I would like a refund."),
    (Speaker.AGENT, "I am sorry to hear that. Can you tell me the email address on the order?"),
    (Speaker.CUSTOMER, "Yes, it is the same address I used to sign up for the account."),
    (Speaker.AGENT, "Thank you. I have found the second charge and I will refund it today."),
    (Speaker.CUSTOMER, "That is great, thank you very much for your help."),
)


@dataclass(frozen=True, slots=True)
class ScriptedLine:
    speaker: Speaker
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class ScriptedCall:
    stereo: Path
    mono: Path
    lines: tuple[ScriptedLine, ...]
    duration_s: float


def build_call(folder: Path, script: tuple[tuple[Speaker, str], ...] = SCRIPT, *, gap_s: float = GAP_S) -> ScriptedCall:
    """Synthesise the script into `folder`: `call.wav` (left agent, right customer) and `call_mono.wav`.

    Lines follow each other `gap_s` apart; a negative gap makes a line start before the previous one ends.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lines: list[ScriptedLine] = []
    clips: list[tuple[Path, ScriptedLine]] = []
    cursor = LEAD_S
    for index, (speaker, text) in enumerate(script):
        clip = folder / f"line{index}.wav"
        voice, pitch = VOICES[speaker]
        raw = folder / f"line{index}_raw.wav"
        _run("espeak-ng", "-v", voice, "-p", pitch, "-w", str(raw), text)
        _run("sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(clip))
        duration = float(_run("soxi", "-D", str(clip)))
        line = ScriptedLine(speaker=speaker, text=text, start_s=round(cursor, 3), end_s=round(cursor + duration, 3))
        lines.append(line)
        clips.append((clip, line))
        cursor = max(line.end_s + gap_s, 0.0)
    total = round(max(line.end_s for line in lines) + GAP_S, 3)
    tracks = {speaker: _track(folder, speaker, clips, total) for speaker in (Speaker.AGENT, Speaker.CUSTOMER)}
    stereo, mono = folder / "call.wav", folder / "call_mono.wav"
    _run("sox", "-M", str(tracks[Speaker.AGENT]), str(tracks[Speaker.CUSTOMER]), str(stereo))
    _run("sox", "-m", str(tracks[Speaker.AGENT]), str(tracks[Speaker.CUSTOMER]), str(mono))
    return ScriptedCall(stereo=stereo, mono=mono, lines=tuple(lines), duration_s=total)


def _track(folder: Path, speaker: Speaker, clips: list[tuple[Path, ScriptedLine]], total_s: float) -> Path:
    """One speaker's lines at their scripted times, silence elsewhere, `total_s` long."""
    parts: list[Path] = []
    for index, (clip, line) in enumerate(clips):
        if line.speaker != speaker:
            continue
        padded = folder / f"{speaker.value}_{index}.wav"
        _run("sox", str(clip), str(padded), "pad", f"{line.start_s}", f"{total_s - line.end_s}")
        parts.append(padded)
    track = folder / f"{speaker.value}.wav"
    if len(parts) == 1:
        _run("sox", str(parts[0]), str(track))
    else:
        # Mixing with -m divides by the input count; -v 1 per input keeps every line at its own level.
        inputs = [arg for part in parts for arg in ("-v", "1", str(part))]
        _run("sox", "-m", *inputs, str(track))
    return track


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()
