"""Planning and regulation: pure numerical and rule logic (no store, no web).

- :mod:`.matrix`: sparse coverage matrices from long travel-time frames;
- :mod:`.greedy`: lazy-greedy (CELF) maximal covering location;
- :mod:`.milp`: the exact MCLP model (HiGHS) and its LP-relaxation bound;
- :mod:`.rota`: médecins solidaires, assignment (integer min-cost flow) and calendar;
- :mod:`.scenario`: scenario definitions and their effect on supply and demand;
- :mod:`.installation`: installation rules (« un pour un », pharmacy licences, aids);
- :mod:`.rules`: the rules file ``rules/planning/rules.yaml``.
"""

from accesoins.planning.greedy import GreedyResult, lazy_greedy
from accesoins.planning.matrix import CoverageProblem, coverage_problem
from accesoins.planning.milp import MilpResult, solve_mclp
from accesoins.planning.rules import load_planning_rules, rule

__all__ = [
    "CoverageProblem",
    "GreedyResult",
    "MilpResult",
    "coverage_problem",
    "lazy_greedy",
    "load_planning_rules",
    "rule",
    "solve_mclp",
]
