"""山东's catalog rules.

鲁政办发〔2018〕21号 六、（三）: 对拟公开的政府信息严格进行保密审查并建立审查记录
（先审查后公开、一事一审）: an item is published only after a recorded review.
"""

REGION = "山东省"


def _ours(unit_path: str) -> bool:
    return unit_path == REGION or unit_path.startswith(REGION + "/")


def review_steps(unit_path: str) -> list[str]:
    return ["review"] if _ours(unit_path) else []
