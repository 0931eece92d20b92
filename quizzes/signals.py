"""Events the quiz plugin announces; the host subscribes, the plugin never calls it."""

from blinker import Namespace

_signals = Namespace()

# sent with: user_id, quiz_slug, attempt_id
quiz_passed = _signals.signal("quiz-passed")
