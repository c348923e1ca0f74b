"""Planning: prompts from the tool registry, constrained generation, and total parsing to Plans."""

from gemma4_ros.planning.answer import Answer
from gemma4_ros.planning.config import PlannerConfig, load_planner_config
from gemma4_ros.planning.errors import (DeadlineExceededError, InvalidRequestError,
                                        MediaUnavailableError, PlanCancelledError, PlanLimitError,
                                        PlanningError, PlanParseError, ReplanError,
                                        TokenLimitError, TooManyStepsError)
from gemma4_ros.planning.planner import Planner
from gemma4_ros.planning.stream import PlanStream, TokenDelta

__all__ = [
    "Answer", "DeadlineExceededError", "InvalidRequestError", "MediaUnavailableError",
    "PlanCancelledError", "PlanLimitError", "PlanParseError", "PlanStream", "Planner",
    "PlannerConfig", "PlanningError", "ReplanError", "TokenDelta", "TokenLimitError",
    "TooManyStepsError", "load_planner_config",
]
