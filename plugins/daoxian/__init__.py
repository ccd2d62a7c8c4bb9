"""zwgk plugin for 道县 (湖南省永州市; 实施方案 2020-09-01, after 国办发〔2019〕54号)."""

from pathlib import Path

from core import CONTRACT_VERSION, hookimpl, read_data_file

from .rules import zwgk_review_steps  # noqa: F401  (a hook implementation)

DATA = Path(__file__).parent / "data"


@hookimpl
def zwgk_plugin_info():
    return {"title": "道县", "region": "湖南省/永州市/道县", "contract": CONTRACT_VERSION}


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
def zwgk_register_responsibilities():
    return read_data_file(DATA / "responsibilities.yaml")


@hookimpl
def zwgk_register_schedules():
    return read_data_file(DATA / "schedules.yaml")
