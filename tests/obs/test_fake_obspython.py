"""The fake OBS itself: it must punish what real OBS punishes, or the glue tests prove nothing."""

from __future__ import annotations

import functools
import json
import threading

import pytest
from fake_obspython import CONSTANTS, DEFER_THREAD, FakeObsStudio, ObsCrash


@pytest.fixture
def fake() -> FakeObsStudio:
    return FakeObsStudio()


def plain_button(props, prop):
    return True


class Holder:
    def method(self, *args):
        return True


@pytest.mark.parametrize("callback", [Holder().method, functools.partial(plain_button), print],
                         ids=["bound method", "partial", "builtin"])
def test_only_plain_functions_are_accepted_as_callbacks(fake: FakeObsStudio, callback):
    obs = fake.module
    with fake.script_context():
        props = obs.obs_properties_create()
        assert obs.obs_properties_add_button(props, "b", "B", callback) is None
        assert obs.obs_properties_get(props, "b") is None
        assert obs.obs_hotkey_register_frontend("h", "H", callback) == obs.OBS_INVALID_HOTKEY_ID
        obs.obs_frontend_add_event_callback(callback)
        obs.timer_add(callback, 100)
        text = obs.obs_properties_add_text(props, "t", "T", obs.OBS_TEXT_DEFAULT)
        obs.obs_property_set_modified_callback(text, callback)
    assert fake.callbacks == [] and fake.hotkeys == {} and text.modified is None
    assert len(fake.problems) == 5


def test_lambdas_and_module_functions_are_accepted(fake: FakeObsStudio):
    obs = fake.module
    with fake.script_context():
        props = obs.obs_properties_create()
        assert obs.obs_properties_add_button(props, "b", "B", plain_button) is not None
        obs.timer_add(lambda: None, 100)
    assert fake.problems == []


def test_registering_a_callback_outside_a_call_from_obs_crashes(fake: FakeObsStudio):
    with pytest.raises(ObsCrash):
        fake.module.timer_add(lambda: None, 100)
    with pytest.raises(ObsCrash):
        fake.module.obs_frontend_add_event_callback(lambda event: None)


def test_every_call_records_its_thread(fake: FakeObsStudio):
    worker = threading.Thread(target=fake.module.obs_frontend_streaming_active, name="worker")
    worker.start()
    worker.join()
    fake.module.obs_frontend_streaming_active()

    assert [(c.name, c.thread.name) for c in fake.off_main_calls()] == [("obs_frontend_streaming_active", "worker")]


def test_data_defaults_apply_only_while_unset_and_types_must_match(fake: FakeObsStudio):
    obs = fake.module
    data = obs.obs_data_create()
    obs.obs_data_set_default_string(data, "title", "default title")
    obs.obs_data_set_default_int(data, "timeout", 180)
    assert obs.obs_data_get_string(data, "title") == "default title"
    assert obs.obs_data_get_int(data, "timeout") == 180
    assert obs.obs_data_get_string(data, "timeout") == ""  # wrong type: empty, as in OBS
    assert json.loads(obs.obs_data_get_json(data)) == {}  # defaults are not user values

    obs.obs_data_set_string(data, "title", "mine")
    assert obs.obs_data_get_string(data, "title") == "mine"
    assert json.loads(obs.obs_data_get_json(data)) == {"title": "mine"}
    assert obs.obs_data_create_from_json("not json") is None
    obs.obs_data_release(data)
    with pytest.raises(ObsCrash):
        obs.obs_data_get_string(data, "title")  # use after free


def test_arrays_round_trip_through_data_with_their_own_references(fake: FakeObsStudio):
    obs = fake.module
    data = obs.obs_data_create()
    assert obs.obs_data_get_array(data, "missing") is None
    array = obs.obs_data_array_create()
    item = obs.obs_data_create_from_json('{"key": "OBS_KEY_F9"}')
    obs.obs_data_array_push_back(array, item)
    obs.obs_data_release(item)
    obs.obs_data_set_array(data, "hk", array)
    obs.obs_data_array_release(array)

    again = obs.obs_data_get_array(data, "hk")
    assert obs.obs_data_array_count(again) == 1
    first = obs.obs_data_array_item(again, 0)
    assert obs.obs_data_get_string(first, "key") == "OBS_KEY_F9"
    assert fake.leaks() != []  # `first`, `again` and `data` are still held
    obs.obs_data_release(first)
    obs.obs_data_array_release(again)
    obs.obs_data_release(data)
    assert fake.leaks() == []


def test_properties_get_searches_groups_and_names_are_unique(fake: FakeObsStudio):
    obs = fake.module
    props = obs.obs_properties_create()
    group = obs.obs_properties_create()
    obs.obs_properties_add_group(props, "creds", "Credentials", obs.OBS_GROUP_NORMAL, group)
    token = obs.obs_properties_add_text(group, "token", "Token", obs.OBS_TEXT_PASSWORD)

    assert obs.obs_properties_get(props, "token") is token
    assert obs.obs_properties_add_bool(props, "token", "again") is None  # already in a group
    assert fake.problems and "twice" in fake.problems[0]


def test_the_streaming_service_is_borrowed_and_set_keeps_its_own_reference(fake: FakeObsStudio):
    obs = fake.module
    borrowed = obs.obs_frontend_get_streaming_service()
    with pytest.raises(ObsCrash):
        obs.obs_service_release(borrowed)  # not ours to release

    fake2 = FakeObsStudio()
    obs = fake2.module
    settings = obs.obs_data_create_from_json('{"server": "rtmp://x/live", "key": "k"}')
    service = obs.obs_service_create("rtmp_custom", "svc", settings, None)
    obs.obs_frontend_set_streaming_service(service)
    obs.obs_frontend_save_streaming_service()
    obs.obs_service_release(service)
    obs.obs_data_release(settings)
    assert fake2.leaks() == []
    assert fake2.saved_service == {"type": "rtmp_custom", "settings": {"server": "rtmp://x/live", "key": "k"}}
    assert obs.obs_service_create("no_such_service", "x", None, None) is None


def test_streaming_start_only_queues_and_the_test_plays_obs(fake: FakeObsStudio):
    obs = fake.module
    events = []
    with fake.script_context():
        obs.obs_frontend_add_event_callback(lambda event: events.append(event))

    obs.obs_frontend_streaming_start()
    assert events == [] and not obs.obs_frontend_streaming_active()
    fake.begin_start()
    fake.connected()
    assert obs.obs_frontend_streaming_active()
    fake.stop()
    assert events == [CONSTANTS[f"OBS_FRONTEND_EVENT_STREAMING_{e}"] for e in
                      ("STARTING", "STARTED", "STOPPING", "STOPPED")]


def test_hotkeys_run_on_the_defer_thread_press_then_release(fake: FakeObsStudio):
    seen = []
    with fake.script_context():
        fake.module.obs_hotkey_register_frontend(
            "x.go", "Go", lambda pressed: seen.append((pressed, threading.current_thread().name)))

    fake.trigger_hotkey("x.go")

    assert seen == [(True, DEFER_THREAD), (False, DEFER_THREAD)]
