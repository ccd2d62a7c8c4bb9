"""zwgk plugin for 山东省 (鲁政办发〔2017〕74号, 鲁政办发〔2018〕21号)."""

from pathlib import Path

from core import CONTRACT_VERSION, hookimpl, read_data_file

from .rules import zwgk_review_steps  # noqa: F401  (a hook implementation)

DATA = Path(__file__).parent / "data"


@hookimpl
def zwgk_plugin_info():
    return {"title": "山东省", "region": "山东省", "contract": CONTRACT_VERSION}


@hookimpl
def zwgk_register_units():
    return read_data_file(DATA / "units.yaml")


@hookimpl
def zwgk_register_pilot_programs():
    return read_data_file(DATA / "pilot_programs.yaml")


@hookimpl
def zwgk_register_element_requirements():
    return read_data_file(DATA / "element_requirements.yaml")


@hookimpl
def zwgk_register_schedules():
    return read_data_file(DATA / "schedules.yaml")


@hookimpl
def zwgk_register_obligations():
    return read_data_file(DATA / "obligations.yaml")


@hookimpl
def zwgk_register_indicators():
    return read_data_file(DATA / "indicators.yaml")
