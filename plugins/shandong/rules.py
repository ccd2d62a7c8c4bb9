"""山东's catalog rules.

鲁政办发〔2018〕21号 六、（三）: 对拟公开的政府信息严格进行保密审查并建立审查记录
（先审查后公开、一事一审）: an item is published only after a recorded review.

同上: 進一步規范依申請公開工作……明確接收、登記、辦理、調查、答復等各個環節的工作標準和責任
(the steps of disclosure on request, drawn on the 试点工作专题's flowchart).
"""

REGION = "山东省"


def _ours(unit_path: str) -> bool:
    return unit_path == REGION or unit_path.startswith(REGION + "/")


def review_steps(unit_path: str) -> list[str]:
    return ["review"] if _ours(unit_path) else []


#: 001 六、（三）, in Simplified: 接收、登记、办理、调查、答复
REQUEST_STEPS = ["接收", "登记", "办理", "调查", "答复"]


def request_steps(unit_path: str) -> list[str]:
    return list(REQUEST_STEPS) if _ours(unit_path) else []
