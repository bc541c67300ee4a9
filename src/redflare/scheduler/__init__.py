"""The scheduler: due schedule times and integration sync events of live workflows become runs, one per firing.

`firing` decides one firing (the policy: live, call limit, overlap, start the active version); `due` reads what
is due; `loop` is the pass and the loop that run in `redflare serve` or alone as `redflare scheduler`.
"""
