"""Simple diarization for a mono recording without RTTM: pauses cut turns, voice pitch tells the speakers apart.

Method:
1. The recognised words are cut into candidate turns wherever the gap between two words is at least
   `DIARIZE_PAUSE_S`, or a sentence ends (. ? !) and the next word follows at least `TURN_TAKING_GAP_S` later:
   partners in a conversation answer after a short gap (a few hundred milliseconds), while one speaker's sentences
   usually follow closer than that in Whisper's word timings.
2. Each turn's voice is measured on its own samples: frame energy picks the voiced frames (those within 20 dB of the
   turn's loudest frame), and an autocorrelation pitch tracker (60–400 Hz) gives the turn's median pitch.
3. The turns' log-pitches are split into the two groups that best explain them (1-D two-means). When the groups
   are clearly apart (means at least `MIN_SEPARATION_SEMITONES` apart, the split explains most of the spread, and
   each group holds at least `MIN_SPEAKER_SHARE` of the speech time, so a few excited or misheard turns of one
   voice do not pass for a second speaker), each group is a speaker. Otherwise (similar voices, too little voiced
   speech, one speaker only) the speakers simply alternate at each turn, as in a question-and-answer exchange.
4. Consecutive candidate turns of the same speaker closer than `DIARIZE_PAUSE_S` are joined into one turn.
5. Whichever speaker talks first is the agent (the agent greets the caller).

Limits: two speakers at most; it does not split a turn where the speakers change without a pause, nor see
overlapping speech (Whisper transcribes the dominant voice); two voices of similar pitch (two women, two men) fall
back to alternation, which errs whenever someone pauses after a sentence or speaks twice in a row, and misses quick
exchanges without a gap. On the 30-second pyannote sample (two female voices, its RTTM withheld) it puts 63 of 73
words (86%) with the right speaker. Loudness is used only to find the voiced frames, never to tell speakers apart
(it changes with the distance to the microphone more than with the speaker).
A source that knows its speakers should ship an RTTM file or record the call as two channels.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redflare.domain.conversation import Speaker, Turn
from redflare.speech.contract import Word
from redflare.speech.turns import split_at_pauses, turn_of

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DIARIZE_PAUSE_S = 0.6
TURN_TAKING_GAP_S = 0.3
_SENTENCE_ENDS = (".", "?", "!")
MIN_SEPARATION_SEMITONES = 5.0
MIN_EXPLAINED_SPREAD = 0.6
MIN_SPEAKER_SHARE = 0.1
_FRAME_S = 0.04
_HOP_S = 0.02
_MIN_PITCH_HZ = 60.0
_MAX_PITCH_HZ = 400.0
_VOICED_CORRELATION = 0.5
_MIN_VOICED_FRAMES = 3


@dataclass(frozen=True, slots=True)
class Voice:
    """What a turn's samples say about its speaker: median pitch (None when too little was voiced), and length."""

    pitch_hz: float | None
    duration_s: float = 1.0


def diarize(words: Sequence[Word], samples: npt.NDArray[np.float32], *, sample_rate: int = 16_000) -> list[Turn]:
    """A mono recording's words as agent / customer turns (see the module docstring for the method)."""
    runs = candidate_turns(words)
    voices = [
        voice_of(samples[int(run[0].start_s * sample_rate) : int(run[-1].end_s * sample_rate)], sample_rate)
        for run in runs
    ]
    turns: list[tuple[Speaker, list[Word]]] = []
    for speaker, run in zip(assign_speakers(voices), runs, strict=True):
        if turns and turns[-1][0] == speaker and run[0].start_s - turns[-1][1][-1].end_s < DIARIZE_PAUSE_S:
            turns[-1][1].extend(run)
        else:
            turns.append((speaker, list(run)))
    return [turn_of(speaker, run) for speaker, run in turns]


def candidate_turns(words: Sequence[Word]) -> list[list[Word]]:
    """Words cut at long pauses, and at sentence ends followed by a turn-taking gap."""
    runs: list[list[Word]] = []
    for run in split_at_pauses(words, pause_s=DIARIZE_PAUSE_S):
        runs.append([run[0]])
        for previous, word in itertools.pairwise(run):
            if previous.text.endswith(_SENTENCE_ENDS) and word.start_s - previous.end_s >= TURN_TAKING_GAP_S:
                runs.append([word])
            else:
                runs[-1].append(word)
    return runs


def assign_speakers(voices: Sequence[Voice]) -> list[Speaker]:
    """Each turn's speaker: by pitch group when two voices stand clearly apart, else alternating from the agent."""
    groups = _pitch_groups([voice.pitch_hz for voice in voices])
    if groups is not None:
        total = sum(voice.duration_s for voice in voices)
        shares = [sum(v.duration_s for v, g in zip(voices, groups, strict=True) if g == k) for k in (0, 1)]
        if total <= 0 or min(shares) < MIN_SPEAKER_SHARE * total:
            groups = None
    if groups is None:
        return [Speaker.AGENT if index % 2 == 0 else Speaker.CUSTOMER for index in range(len(voices))]
    first = groups[0]
    return [Speaker.AGENT if group == first else Speaker.CUSTOMER for group in groups]


def _pitch_groups(pitches: Sequence[float | None]) -> list[int] | None:
    """Group 0 / 1 per turn from the best two-way split of log-pitch, or None when no clear split exists."""
    if len(pitches) < 2 or any(pitch is None for pitch in pitches):
        return None
    tones = [12 * math.log2(pitch) for pitch in pitches if pitch is not None]  # semitones: equal steps for all voices
    ordered = sorted(tones)
    mean = sum(ordered) / len(ordered)
    total = sum((tone - mean) ** 2 for tone in ordered)
    best: tuple[float, float] | None = None  # (within-group spread, threshold)
    for cut in range(1, len(ordered)):
        low, high = ordered[:cut], ordered[cut:]
        low_mean, high_mean = sum(low) / len(low), sum(high) / len(high)
        within = sum((t - low_mean) ** 2 for t in low) + sum((t - high_mean) ** 2 for t in high)
        if high_mean - low_mean >= MIN_SEPARATION_SEMITONES and (best is None or within < best[0]):
            best = (within, (ordered[cut - 1] + ordered[cut]) / 2)
    if best is None or total == 0 or 1 - best[0] / total < MIN_EXPLAINED_SPREAD:
        return None
    return [0 if tone < best[1] else 1 for tone in tones]


def voice_of(samples: npt.NDArray[np.float32], sample_rate: int = 16_000) -> Voice:
    """The median pitch of the voiced frames of a stretch of speech (autocorrelation, 60–400 Hz)."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    frame, hop = int(_FRAME_S * sample_rate), int(_HOP_S * sample_rate)
    if len(samples) < frame:
        return Voice(pitch_hz=None, duration_s=len(samples) / sample_rate)
    frames = sliding_window_view(samples.astype(np.float64), frame)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    level = np.sqrt((frames**2).mean(axis=1))
    loud = frames[(level > 1e-4) & (level >= level.max() * 0.1)]  # within 20 dB of the loudest frame
    if len(loud) < _MIN_VOICED_FRAMES:
        return Voice(pitch_hz=None, duration_s=len(samples) / sample_rate)
    spectrum = np.fft.rfft(loud, n=2 * frame)
    correlation = np.fft.irfft(np.abs(spectrum) ** 2)[:, : frame + 1]
    correlation = correlation / correlation[:, :1]
    shortest, longest = int(sample_rate / _MAX_PITCH_HZ), int(sample_rate / _MIN_PITCH_HZ)
    window = correlation[:, shortest - 1 : longest + 2]
    # Only local maxima are candidate periods (the slope down from lag 0 is not a period).
    inner = window[:, 1:-1]
    peaks = np.where((inner > window[:, :-2]) & (inner >= window[:, 2:]), inner, -np.inf)
    strongest = peaks.max(axis=1)
    voiced = strongest >= _VOICED_CORRELATION
    if voiced.sum() < _MIN_VOICED_FRAMES:
        return Voice(pitch_hz=None, duration_s=len(samples) / sample_rate)
    # The first peak nearly as strong as the strongest: a multiple of the period is never preferred (octave errors).
    first_strong = np.argmax(peaks[voiced] >= 0.9 * strongest[voiced, None], axis=1)
    pitches = sample_rate / (first_strong + shortest)
    return Voice(pitch_hz=float(np.median(pitches)), duration_s=len(samples) / sample_rate)
