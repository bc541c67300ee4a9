"""The trigger node's one line on the canvas: when the workflow starts (`daily at 09:00 (Europe/London)`,
`integration clinic`). Pure; never raises on a valid trigger."""

from __future__ import annotations

from redflare.domain.workflow import Trigger, TriggerType

_DAYS = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


def trigger_summary(trigger: Trigger) -> str:
    if trigger.type is TriggerType.SCHEDULE:
        return _schedule(trigger) + (f" ({trigger.timezone})" if trigger.timezone else "")
    if trigger.type is TriggerType.MANUAL:
        return "when someone presses Run now"
    return f"integration {trigger.integration}" if trigger.integration else "any integration"


def _schedule(trigger: Trigger) -> str:
    if trigger.cron is not None:
        return f"cron {trigger.cron}"
    if trigger.daily is not None:
        return f"daily at {trigger.daily}"
    if trigger.every is not None:
        if trigger.every.minutes is not None:
            return "every minute" if trigger.every.minutes == 1 else f"every {trigger.every.minutes} minutes"
        hours = trigger.every.hours
        return "every hour" if hours == 1 else f"every {hours} hours"
    if trigger.weekly is not None:
        days = ", ".join(_DAYS.get(day, day) for day in trigger.weekly.days)
        return f"weekly on {days} at {trigger.weekly.time}"
    if trigger.monthly is not None:
        return f"monthly on day {trigger.monthly.day} at {trigger.monthly.time}"
    return "no time set yet"
