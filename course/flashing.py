"""Run a service call from a view and tell the person how it went."""

from flask import flash


def attempt(action, *args, refused: type[Exception], success: str) -> bool:
    """Call ``action(*args)``; flash its refusal (``refused``, whose message is for the
    person) or ``success``. Return whether it went through."""
    try:
        action(*args)
    except refused as exc:
        flash(str(exc), "error")
        return False
    flash(success, "success")
    return True
