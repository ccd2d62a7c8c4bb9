"""道县's catalog rules.

道县方案 三、（三）: 拟公开的事项须经相关单位或牵头单位主要领导签字审核之后方可公开
(sign-off by the unit's principal leader), 严格按照公开前保密审查机制 (confidentiality review).
"""

REGION = "湖南省/永州市/道县"


def _ours(unit_path: str) -> bool:
    return unit_path == REGION or unit_path.startswith(REGION + "/")


def review_steps(unit_path: str) -> list[str]:
    return ["review", "signoff"] if _ours(unit_path) else []
