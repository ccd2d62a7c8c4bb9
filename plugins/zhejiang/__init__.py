"""zwgk plugin for 浙江省 (浙政办发〔2017〕82号): standard system, responsibility list, schedule."""

from pathlib import Path

from core import CONTRACT_VERSION, hookimpl, read_data_file

DATA = Path(__file__).parent / "data"


@hookimpl
def zwgk_plugin_info():
    return {"title": "浙江省", "region": "浙江省", "contract": CONTRACT_VERSION}


@hookimpl
def zwgk_register_pilot_programs():
    return read_data_file(DATA / "pilot_programs.yaml")


@hookimpl
def zwgk_register_element_requirements():
    return read_data_file(DATA / "element_requirements.yaml")


@hookimpl
def zwgk_register_standards():
    return read_data_file(DATA / "standards.yaml")


@hookimpl
def zwgk_register_responsibilities():
    return read_data_file(DATA / "responsibilities.yaml")


@hookimpl
def zwgk_register_schedules():
    return read_data_file(DATA / "schedules.yaml")
