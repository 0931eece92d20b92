"""Events the quiz plugin announces; the host subscribes, the plugin never calls it."""

from blinker import Namespace

_signals = Namespace()

# sent with: user_id, quiz_slug, attempt_id (the attempt's public id, for links)
quiz_passed = _signals.signal("quiz-passed")

# sent with: user_id, quiz_slug, attempt_id, question_id, revisit (a trainer's reply)
open_answer_replied = _signals.signal("open-answer-replied")

# sent with: user_id, quiz_slug (a trainer asked for an answer again: not passed for now)
quiz_reopened = _signals.signal("quiz-reopened")
