"""Two wordings of marshmallow's messages: the plugin loader's Chinese for plugin data, the catalog
import's own for a catalog cell; the import's wins for import problems."""

from zwgk.import_words import message_words
from zwgk.loader import translate, untranslate


def test_the_loader_keeps_its_chinese_and_the_import_its_own_words():
    loaded = translate("Not a valid boolean.")
    assert loaded.startswith("应为是或否")  # plugin data: the loader's wording stays
    assert untranslate(loaded) == "Not a valid boolean."
    assert message_words(loaded).startswith("不是“√”或空白")
    both = "; ".join([translate("Not a valid boolean."), translate("Not a valid integer.")])
    assert message_words(both) == "不是“√”或空白（是/否）（Not a valid boolean.）; 不是整数（Not a valid integer.）"


def test_other_messages_pass_unchanged():
    assert untranslate("找不到单位 / unknown unit") == "找不到单位 / unknown unit"
    assert message_words("找不到单位 unknown unit 'x'") == "找不到单位 unknown unit 'x'"
