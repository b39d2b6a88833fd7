"""A fake ``obspython``: the parts of OBS Studio's Python API the glue uses, run in-process.

``FakeObsStudio`` is one OBS instance; ``studio.module`` is what ``import obspython``
returns while a test runs. It follows OBS's documented behaviour (https://docs.obsproject.com/scripting)
and its scripting source
(https://github.com/obsproject/obs-studio/blob/29.0.2/deps/obs-scripting/obs-scripting-python.c),
including the parts that bite scripts:

* callbacks (buttons, modified callbacks, hotkeys, frontend events, timers, signals)
  must be plain functions: anything else is *ignored*, as OBS's ``PyFunction_Check``
  does, and recorded in ``studio.problems``;
* registering a callback outside a call from OBS into the script crashes OBS
  (``cur_python_script`` is NULL): here it raises ``ObsCrash``;
* every API call records the thread it ran on (``studio.calls``), so a test can check
  that no obspython function runs on a worker thread;
* ``obs_frontend_streaming_start``/``stop`` only *queue*; the test plays OBS's side
  (STREAMING_STARTING, output signals, STARTED or STOPPED) with the helpers below;
* reference counts: releasing a freed object or using it raises ``ObsCrash``, and
  ``studio.leaks()`` lists objects whose references the script never released.

``ScriptHost`` loads a script file the way OBS's scripting module does and calls into
it; ``PanelView`` is the script's properties as the Scripts dialog shows them.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import shutil
import sys
import tempfile
import threading
import types
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

# --- constants (libobs/util/base.h, obs-properties.h, obs-frontend-api.h) ---------

CONSTANTS: dict[str, int] = {
    "LOG_ERROR": 100,
    "LOG_WARNING": 200,
    "LOG_INFO": 300,
    "LOG_DEBUG": 400,
    "OBS_TEXT_DEFAULT": 0,
    "OBS_TEXT_PASSWORD": 1,
    "OBS_TEXT_MULTILINE": 2,
    "OBS_TEXT_INFO": 3,
    "OBS_TEXT_INFO_NORMAL": 0,
    "OBS_TEXT_INFO_WARNING": 1,
    "OBS_TEXT_INFO_ERROR": 2,
    "OBS_COMBO_TYPE_INVALID": 0,
    "OBS_COMBO_TYPE_EDITABLE": 1,
    "OBS_COMBO_TYPE_LIST": 2,
    "OBS_COMBO_TYPE_RADIO": 3,
    "OBS_COMBO_FORMAT_INVALID": 0,
    "OBS_COMBO_FORMAT_INT": 1,
    "OBS_COMBO_FORMAT_FLOAT": 2,
    "OBS_COMBO_FORMAT_STRING": 3,
    "OBS_COMBO_FORMAT_BOOL": 4,
    "OBS_GROUP_NORMAL": 1,
    "OBS_GROUP_CHECKABLE": 2,
    "OBS_PROPERTY_INVALID": 0,
    "OBS_PROPERTY_BOOL": 1,
    "OBS_PROPERTY_INT": 2,
    "OBS_PROPERTY_FLOAT": 3,
    "OBS_PROPERTY_TEXT": 4,
    "OBS_PROPERTY_PATH": 5,
    "OBS_PROPERTY_LIST": 6,
    "OBS_PROPERTY_COLOR": 7,
    "OBS_PROPERTY_BUTTON": 8,
    "OBS_PROPERTY_FONT": 9,
    "OBS_PROPERTY_EDITABLE_LIST": 10,
    "OBS_PROPERTY_FRAME_RATE": 11,
    "OBS_PROPERTY_GROUP": 12,
    "OBS_PROPERTY_COLOR_ALPHA": 13,
    "OBS_INVALID_HOTKEY_ID": 2**64 - 1,
}
_FRONTEND_EVENTS = (
    "STREAMING_STARTING", "STREAMING_STARTED", "STREAMING_STOPPING", "STREAMING_STOPPED",
    "RECORDING_STARTING", "RECORDING_STARTED", "RECORDING_STOPPING", "RECORDING_STOPPED",
    "SCENE_CHANGED", "SCENE_LIST_CHANGED", "TRANSITION_CHANGED", "TRANSITION_STOPPED",
    "TRANSITION_LIST_CHANGED", "SCENE_COLLECTION_CHANGED", "SCENE_COLLECTION_LIST_CHANGED",
    "PROFILE_CHANGED", "PROFILE_LIST_CHANGED", "EXIT",
    "REPLAY_BUFFER_STARTING", "REPLAY_BUFFER_STARTED", "REPLAY_BUFFER_STOPPING", "REPLAY_BUFFER_STOPPED",
    "STUDIO_MODE_ENABLED", "STUDIO_MODE_DISABLED", "PREVIEW_SCENE_CHANGED",
    "SCENE_COLLECTION_CLEANUP", "FINISHED_LOADING", "RECORDING_PAUSED", "RECORDING_UNPAUSED",
    "TRANSITION_DURATION_CHANGED", "REPLAY_BUFFER_SAVED", "VIRTUALCAM_STARTED", "VIRTUALCAM_STOPPED",
    "TBAR_VALUE_CHANGED", "SCENE_COLLECTION_CHANGING", "PROFILE_CHANGING", "SCRIPTING_SHUTDOWN",
    "PROFILE_RENAMED", "SCENE_COLLECTION_RENAMED", "THEME_CHANGED", "SCREENSHOT_TAKEN",
)
CONSTANTS.update({f"OBS_FRONTEND_EVENT_{name}": value for value, name in enumerate(_FRONTEND_EVENTS)})
EVENT_NAMES = {value: name for value, name in enumerate(_FRONTEND_EVENTS)}
globals().update(CONSTANTS)

#: Service types the fake knows (plugins/rtmp-services, obs-webrtc).
SERVICE_TYPES = ("rtmp_common", "rtmp_custom", "whip_custom")
#: Threads the fake itself runs callbacks on (named like OBS's).
DEFER_THREAD = "scripting: defer"
OUTPUT_THREAD = "libobs: output"


class ObsCrash(AssertionError):
    """Something that would crash real OBS (use after free, NULL script...)."""


@dataclass
class ObsCall:
    name: str
    thread: threading.Thread


@dataclass
class Callback:
    """A script callback OBS holds (python.c ``python_obs_callback``)."""

    kind: str  # timer | event | hotkey | signal
    func: Callable
    removed: bool = False
    extra: Any = None


def _is_plain_function(obj: Any) -> bool:
    """Python's ``PyFunction_Check``: def/lambda functions only."""
    return isinstance(obj, types.FunctionType)


# --- reference-counted objects -----------------------------------------------------


class Counted:
    """A libobs object with a reference count; ``held`` counts OBS's own references."""

    kind = "object"

    def __init__(self, studio: FakeObsStudio, *, held: int = 0) -> None:
        self.studio = studio
        self.refs = 1
        self.held = held
        studio.objects.append(self)

    def check(self, fn: str) -> None:
        if self.refs <= 0:
            self.studio.crash(f"{fn}: the {self.kind} was already freed (use after free)")

    def addref(self) -> None:
        self.check("addref")
        self.refs += 1

    def release(self, fn: str = "release", *, internal: bool = False) -> None:
        if self.refs <= 0:
            self.studio.crash(f"{fn}: the {self.kind} was already freed (double release)")
        self.refs -= 1
        if not internal and self.refs < self.held:
            # e.g. releasing obs_frontend_get_streaming_service()'s borrowed pointer.
            self.studio.crash(f"{fn}: released a reference to the {self.kind} that the script does not own")
        if self.refs == 0:
            self.destroy()

    def drop_held(self) -> None:
        """OBS lets go of its own reference."""
        self.held -= 1
        self.release("internal release", internal=True)

    def destroy(self) -> None:
        pass


class ObsData(Counted):
    """``obs_data_t``: user values and defaults, typed like OBS's items."""

    kind = "obs_data"

    def __init__(self, studio: FakeObsStudio, *, held: int = 0) -> None:
        super().__init__(studio, held=held)
        self.values: dict[str, tuple[str, Any]] = {}
        self.defaults: dict[str, tuple[str, Any]] = {}

    # plain-Python access for tests (not recorded as API calls)
    def get(self, name: str, default: Any = None) -> Any:
        for table in (self.values, self.defaults):
            if name in table:
                return table[name][1]
        return default

    def user_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, (typ, value) in self.values.items():
            if typ == "object":
                out[name] = value.user_values()
            elif typ == "array":
                out[name] = [item.user_values() for item in value.items]
            else:
                out[name] = value
        return out

    def typed(self, name: str, typ: str, zero: Any) -> Any:
        for table in (self.values, self.defaults):
            if name in table:
                item_type, value = table[name]
                # obs_data_item_get_* returns 0 / "" / false for another type.
                return value if item_type == typ else zero
        return zero

    def put(self, name: str, typ: str, value: Any) -> None:
        old = self.values.get(name)
        if typ in ("object", "array") and value is not None:
            value.addref()
            value.held += 1
        self.values[name] = (typ, value)
        if old and old[0] in ("object", "array") and old[1] is not None:
            old[1].drop_held()

    def destroy(self) -> None:
        for typ, value in list(self.values.values()):
            if typ in ("object", "array") and value is not None:
                value.drop_held()

    @classmethod
    def from_python(cls, studio: FakeObsStudio, data: dict, *, held: int = 0) -> ObsData:
        obj = cls(studio, held=held)
        for name, value in data.items():
            if isinstance(value, bool):
                obj.values[name] = ("bool", value)
            elif isinstance(value, (int, float)):
                obj.values[name] = ("number", value)
            elif isinstance(value, str):
                obj.values[name] = ("string", value)
            elif isinstance(value, dict):
                obj.values[name] = ("object", cls.from_python(studio, value, held=1))
            elif isinstance(value, list):
                array = ObsDataArray(studio, held=1)
                array.items = [cls.from_python(studio, item, held=1) for item in value if isinstance(item, dict)]
                obj.values[name] = ("array", array)
        return obj


class ObsDataArray(Counted):
    kind = "obs_data_array"

    def __init__(self, studio: FakeObsStudio, *, held: int = 0) -> None:
        super().__init__(studio, held=held)
        self.items: list[ObsData] = []

    def destroy(self) -> None:
        for item in self.items:
            item.drop_held()


class FakeService(Counted):
    kind = "obs_service"

    def __init__(self, studio: FakeObsStudio, service_type: str, name: str, settings: ObsData, *,
                 held: int = 0) -> None:
        super().__init__(studio, held=held)
        self.type = service_type
        self.name = name
        self.settings = settings  # the service keeps a reference (obs_context_data_init)

    def destroy(self) -> None:
        self.settings.drop_held()

    def describe(self) -> dict[str, Any]:
        return {"type": self.type, "settings": self.settings.user_values()}


class SignalHandler:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.connections: list[Callback] = []


class FakeOutput(Counted):
    """The frontend's streaming output (``rtmp_output``)."""

    kind = "obs_output"

    def __init__(self, studio: FakeObsStudio) -> None:
        super().__init__(studio, held=1)
        self.signals = SignalHandler("output")
        self.started_with: Optional[dict[str, Any]] = None
        self.reconnecting = False  # obs_output_reconnecting()
        self.last_error: Optional[str] = None  # obs_output_get_last_error()
        self.total_bytes = 0  # obs_output_get_total_bytes()
        self.frames_dropped = 0  # obs_output_get_frames_dropped()
        self.total_frames = 0  # obs_output_get_total_frames()


class FakeEncoder(Counted):
    """An encoder of the frontend's streaming output (OBS holds it)."""

    kind = "obs_encoder"

    def __init__(self, studio: FakeObsStudio, name: str) -> None:
        super().__init__(studio, held=1)
        self.name = name


class FakeExtraOutput(Counted):
    """An output the script creates (``obs_output_create("rtmp_output", ...)``).

    ``obs_output_start`` returns at once, as rtmp_output's does; the test decides what the
    output's connect thread did: ``connect()`` (active), ``fail(error)``, ``lose()``."""

    kind = "obs_output"

    def __init__(self, studio: FakeObsStudio, output_type: str, name: str) -> None:
        super().__init__(studio)
        self.type, self.name = output_type, name
        self.service: Optional[FakeService] = None
        self.video: Optional[FakeEncoder] = None
        self.audio: Optional[FakeEncoder] = None
        self.started = self.stopped = False
        self.active = self.reconnecting = False
        self.last_error: Optional[str] = None

    def connect(self) -> None:
        self.active = True

    def fail(self, error: Optional[str]) -> None:
        self.active, self.last_error = False, error

    def destroy(self) -> None:
        if self.active:
            self.studio.problem(f"the output {self.name!r} was released while active: OBS waits for its threads")
class _Sections(dict):
    """The sections of a ``FakeConfig``; setting one saves the file, as OBS saves basic.ini."""

    def __init__(self, values: dict[str, dict[str, str]], on_change: Callable[[], None]) -> None:
        super().__init__(values)
        self._on_change = on_change

    def __setitem__(self, key: str, value: dict[str, str]) -> None:
        super().__setitem__(key, value)
        self._on_change()


class FakeConfig:
    """A profile's ``basic.ini`` (``config_t``)."""

    def __init__(self, sections: Optional[dict[str, dict[str, str]]] = None) -> None:
        self.on_change: Callable[[], None] = lambda: None
        self.sections = _Sections(sections or {}, lambda: self.on_change())


class CallData:
    """``calldata_t`` as a signal callback receives it."""

    def __init__(self, **values: Any) -> None:
        self.values = values


# --- properties -----------------------------------------------------------------------


class Property:
    """``obs_property_t``: recorded so tests can inspect the panel."""

    def __init__(self, parent: Properties, name: str, description: str, ptype: int, **extra: Any) -> None:
        self.parent = parent
        self.name = name
        self.description = description
        self.type = ptype
        self.visible = True
        self.enabled = True
        self.long_description: Optional[str] = None
        self.modified: Optional[Callable] = None
        self.items: list[tuple[str, Any]] = []  # (text shown, value) of a list
        self.info_type = CONSTANTS["OBS_TEXT_INFO_NORMAL"]
        self.callback: Optional[Callable] = None  # button
        self.content: Optional[Properties] = None  # group
        self.extra = extra

    def __repr__(self) -> str:
        return f"Property({self.name!r}, type={self.type}, visible={self.visible})"


class Properties:
    """``obs_properties_t``: an ordered list of properties; groups nest another one."""

    def __init__(self) -> None:
        self.properties: list[Property] = []
        self.parent: Optional[Property] = None  # the group property holding it

    def topmost(self) -> Properties:
        props = self
        while props.parent is not None:
            props = props.parent.parent
        return props

    def find(self, name: str) -> Optional[Property]:
        """``obs_properties_get``: this level first, then inside groups."""
        for prop in self.properties:
            if prop.name == name:
                return prop
        for prop in self.properties:
            if prop.content is not None:
                found = prop.content.find(name)
                if found is not None:
                    return found
        return None

    def walk(self) -> Iterator[Property]:
        for prop in self.properties:
            yield prop
            if prop.content is not None:
                yield from prop.content.walk()


# --- the studio -------------------------------------------------------------------------


def _scratch_dir(owner: object, prefix: str) -> Path:
    """A temporary folder removed with ``owner`` (or at exit): thousands of fake OBS per run
    must not leave thousands of folders behind in /tmp."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    weakref.finalize(owner, shutil.rmtree, path, True)
    return path


class FakeObsStudio:
    """One running OBS: frontend, stream service, output, hotkeys, timers, script log."""

    def __init__(self, *, service: Optional[dict[str, Any]] = None) -> None:
        self.main_thread = threading.current_thread()
        self.calls: list[ObsCall] = []
        self.problems: list[str] = []  # silent misbehaviour in real OBS (ignored callbacks...)
        self.crashes: list[str] = []
        self.objects: list[Counted] = []
        self.log: list[tuple[int, str]] = []  # script_log(level, text)
        self.callbacks: list[Callback] = []
        self.hotkeys: dict[int, dict[str, Any]] = {}
        self._next_hotkey = 1
        self.profile = FakeConfig({"General": {"Name": "Untitled"}})
        self.config_root = _scratch_dir(self, "fake-obs-config-")
        self.config_path_calls = 0  # os_get_config_path_ptr(): each call leaks a string in OBS
        self.version = (29 << 24) | 2  # obs_get_version(): 29.0.2, Debian 12's
        # Stream settings as the user left them (Settings > Stream), OBS holding it.
        previous = service or {"type": "rtmp_common",
                               "settings": {"service": "Twitch", "server": "auto", "key": "live_user_own_key_0042"}}
        self.service = FakeService(self, previous["type"], "default_service",
                                   ObsData.from_python(self, previous["settings"], held=1), held=1)
        self.saved_service: dict[str, Any] = self.service.describe()  # <profile>/service.json
        self.service_saves = 0
        self.streaming = False  # obs_frontend_streaming_active()
        self.output: Optional[FakeOutput] = None
        self.encoders = [FakeEncoder(self, "video"), FakeEncoder(self, "audio")]
        self.extra_outputs: list[FakeExtraOutput] = []
        self.pending: list[str] = []  # queued frontend actions: "start" / "stop" / "record" / "stop_record"
        self.recording: Optional[Path] = None  # the file being recorded
        self.last_recording: Optional[str] = None
        self.recording_dir = _scratch_dir(self, "fake-obs-recordings-")
        self.start_requests = 0
        self.stop_requests = 0
        self.events_fired: list[str] = []
        self._tls = threading.local()
        self.module = self._build_module()

    # --- bookkeeping ----------------------------------------------------------

    def crash(self, message: str) -> None:
        self.crashes.append(message)
        raise ObsCrash(message)

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def off_main_calls(self) -> list[ObsCall]:
        """obspython calls made off OBS's threads: not on the test's thread (OBS's UI and
        timer thread) nor in a hotkey callback on ``scripting: defer``, where OBS calls the
        script with its script set, as from a timer. A worker thread is never one of them.

        A signal callback runs on the output's thread and must read its ``calldata``
        there; those ``calldata_*`` reads are the one allowed exception.
        """
        return [
            c for c in self.calls
            if c.thread is not self.main_thread and c.thread.name != DEFER_THREAD
            and not (c.name.startswith("calldata_") and c.thread.name == OUTPUT_THREAD)
        ]

    def leaks(self) -> list[Counted]:
        """Objects holding more references than OBS itself keeps: never released."""
        return [obj for obj in self.objects if obj.refs > obj.held]

    def in_script(self) -> bool:
        return getattr(self._tls, "depth", 0) > 0

    @contextlib.contextmanager
    def script_context(self) -> Iterator[None]:
        """OBS is calling into the script (``cur_python_script`` is set)."""
        self._tls.depth = getattr(self._tls, "depth", 0) + 1
        try:
            yield
        finally:
            self._tls.depth -= 1

    def call_script(self, func: Callable, *args: Any) -> Any:
        with self.script_context():
            return func(*args)

    def new_settings(self, values: Optional[dict] = None) -> ObsData:
        """A script's settings object, held by OBS."""
        return ObsData.from_python(self, values or {}, held=1)

    def log_text(self) -> str:
        return "\n".join(text for _, text in self.log)

    # --- what the user (or OBS) does --------------------------------------------

    def active_callbacks(self, kind: str) -> list[Callback]:
        return [cb for cb in self.callbacks if cb.kind == kind and not cb.removed]

    def tick(self) -> None:
        """One round of the libobs tick: every timer fires once."""
        for cb in self.active_callbacks("timer"):
            if not cb.removed:
                self.call_script(cb.func)

    def fire_event(self, event: int) -> None:
        """A frontend event, on OBS's UI thread (here: the test's thread)."""
        self.events_fired.append(EVENT_NAMES[event])
        for cb in self.active_callbacks("event"):
            if not cb.removed:
                self.call_script(cb.func, event)

    def hotkey_by_name(self, name: str) -> dict[str, Any]:
        for hotkey in self.hotkeys.values():
            if hotkey["name"] == name:
                return hotkey
        raise KeyError(f"no hotkey named {name!r} (obs-websocket: ResourceNotFound)")

    def hotkey_event(self, name: str, pressed: bool) -> None:
        """One hotkey callback, on the ``scripting: defer`` thread like OBS."""
        hotkey = self.hotkey_by_name(name)
        cb: Callback = hotkey["callback"]
        error: list[BaseException] = []

        def run() -> None:
            try:
                if not cb.removed:
                    self.call_script(cb.func, pressed)
            except BaseException as exc:  # noqa: BLE001 - re-raised on the test thread
                error.append(exc)

        thread = threading.Thread(target=run, name=DEFER_THREAD)
        thread.start()
        thread.join(5)
        if error:
            raise error[0]

    def trigger_hotkey(self, name: str) -> None:
        """obs-websocket ``TriggerHotkeyByName``: press, then release."""
        self.hotkey_event(name, True)
        self.hotkey_event(name, False)

    def bind_hotkey(self, name: str, key: str) -> None:
        """The user binds a key in Settings > Hotkeys."""
        self.hotkey_by_name(name)["bindings"].append(key)

    def emit(self, signal: str, **values: Any) -> None:
        """The output emits a signal from its own thread."""
        if self.output is None:
            return
        calldata = CallData(output=self.output, **values)
        error: list[BaseException] = []

        def run() -> None:
            for cb in list(self.output.signals.connections):
                if cb.extra == signal and not cb.removed:
                    try:
                        self.call_script(cb.func, calldata)
                    except BaseException as exc:  # noqa: BLE001
                        error.append(exc)

        thread = threading.Thread(target=run, name=OUTPUT_THREAD)
        thread.start()
        thread.join(5)
        if error:
            raise error[0]

    def begin_start(self) -> None:
        """OBS runs the queued start: sets up the output and fires STREAMING_STARTING."""
        assert "start" in self.pending, "nothing asked OBS to start streaming"
        self.pending.remove("start")
        if self.streaming:
            return  # OBSBasic::StartStreaming returns when already active
        if self.output is None:
            self.output = FakeOutput(self)
        self.output.started_with = self.service.describe()
        self.fire_event(CONSTANTS["OBS_FRONTEND_EVENT_STREAMING_STARTING"])

    def connected(self) -> None:
        """The output connected: STREAMING_STARTED."""
        self.streaming = True
        self.fire_event(CONSTANTS["OBS_FRONTEND_EVENT_STREAMING_STARTED"])

    def start_and_connect(self) -> None:
        self.begin_start()
        self.connected()

    def fail_to_connect(self, code: int = -2, last_error: str = "Could not connect to server") -> None:
        """The output gives up connecting: "stop" with an error code, then only STOPPED."""
        if self.output is not None:
            self.output.last_error = last_error
        self.emit("stop", code=code, last_error=last_error)
        self.streaming = False
        self.fire_event(CONSTANTS["OBS_FRONTEND_EVENT_STREAMING_STOPPED"])

    def lose_connection(self) -> None:
        """The connection drops; OBS reconnects by itself: no frontend event, the output says so."""
        if self.output is not None:
            self.output.reconnecting = True
        self.emit("reconnect", timeout_sec=2)

    def reconnected(self) -> None:
        if self.output is not None:
            self.output.reconnecting = False
        self.emit("reconnect_success")

    def stop(self, code: int = 0) -> None:
        """Streaming stops (the user's Stop Streaming, or a stop the script asked for)."""
        if "stop" in self.pending:
            self.pending.remove("stop")
        if code == 0:
            self.fire_event(CONSTANTS["OBS_FRONTEND_EVENT_STREAMING_STOPPING"])
        self.emit("stop", code=code, last_error="")
        self.streaming = False
        self.fire_event(CONSTANTS["OBS_FRONTEND_EVENT_STREAMING_STOPPED"])

    def remove_script_callbacks(self) -> None:
        """What OBS does before ``script_unload``: drop timers, events, hotkeys, signals."""
        for cb in self.callbacks:
            cb.removed = True
        if self.output is not None:
            self.output.signals.connections = [c for c in self.output.signals.connections if not c.removed]
        self.hotkeys.clear()

    # --- the module ---------------------------------------------------------------

    def _build_module(self) -> types.ModuleType:
        module = types.ModuleType("obspython")
        module.__doc__ = "Fake obspython (tests/obs/fake_obspython.py)"
        for name, value in CONSTANTS.items():
            setattr(module, name, value)
        for name in dir(self):
            if name.startswith(("obs_", "timer_", "signal_handler_", "calldata_", "os_get_", "script_log")):
                setattr(module, name, self._recorded(name, getattr(self, name)))
        return module

    def _recorded(self, name: str, fn: Callable) -> Callable:
        def api(*args: Any) -> Any:  # SWIG wrappers take positional arguments only
            self.calls.append(ObsCall(name, threading.current_thread()))
            return fn(*args)

        api.__name__ = name
        return api

    def _register(self, fn: str, kind: str, func: Any, extra: Any = None) -> Optional[Callback]:
        if not self.in_script():
            # add_script_callback(&cur_python_script->first_callback...) with NULL.
            self.crash(f"{fn} called outside a call from OBS (cur_python_script is NULL): OBS crashes")
        if not _is_plain_function(func):
            self.problem(f"{fn}: {func!r} is not a plain function; OBS silently ignores it")
            return None
        cb = Callback(kind, func, extra=extra)
        self.callbacks.append(cb)
        return cb

    @staticmethod
    def _data(obj: Any, fn: str) -> ObsData:
        if not isinstance(obj, ObsData):
            raise TypeError(f"{fn}: expected obs_data_t, got {obj!r}")
        obj.check(fn)
        return obj

    # obs_data ----------------------------------------------------------------------

    def obs_data_create(self) -> ObsData:
        return ObsData(self)

    def obs_data_create_from_json(self, text: str) -> Optional[ObsData]:
        try:
            parsed = json.loads(text)
        except (TypeError, ValueError):
            return None  # OBS logs "Failed reading json string" and returns NULL
        if not isinstance(parsed, dict):
            return None
        return ObsData.from_python(self, parsed)

    def obs_data_get_json(self, data: ObsData) -> str:
        # User values only (defaults need obs_data_get_json_with_defaults, OBS 30+).
        return json.dumps(self._data(data, "obs_data_get_json").user_values())

    def obs_data_addref(self, data: Optional[ObsData]) -> None:
        if data is not None:
            data.addref()

    def obs_data_release(self, data: Optional[ObsData]) -> None:
        if data is not None:  # NULL is allowed
            data.release("obs_data_release")

    def obs_data_set_string(self, data: ObsData, name: str, value: str) -> None:
        self._data(data, "obs_data_set_string").put(name, "string", str(value))

    def obs_data_set_bool(self, data: ObsData, name: str, value: bool) -> None:
        self._data(data, "obs_data_set_bool").put(name, "bool", bool(value))

    def obs_data_set_int(self, data: ObsData, name: str, value: int) -> None:
        self._data(data, "obs_data_set_int").put(name, "number", int(value))

    def obs_data_set_default_string(self, data: ObsData, name: str, value: str) -> None:
        self._data(data, "obs_data_set_default_string").defaults[name] = ("string", str(value))

    def obs_data_set_default_bool(self, data: ObsData, name: str, value: bool) -> None:
        self._data(data, "obs_data_set_default_bool").defaults[name] = ("bool", bool(value))

    def obs_data_set_default_int(self, data: ObsData, name: str, value: int) -> None:
        self._data(data, "obs_data_set_default_int").defaults[name] = ("number", int(value))

    def obs_data_get_string(self, data: ObsData, name: str) -> str:
        return self._data(data, "obs_data_get_string").typed(name, "string", "")

    def obs_data_get_bool(self, data: ObsData, name: str) -> bool:
        return self._data(data, "obs_data_get_bool").typed(name, "bool", False)

    def obs_data_get_int(self, data: ObsData, name: str) -> int:
        return int(self._data(data, "obs_data_get_int").typed(name, "number", 0))

    def obs_data_has_user_value(self, data: ObsData, name: str) -> bool:
        return name in self._data(data, "obs_data_has_user_value").values

    def obs_data_erase(self, data: ObsData, name: str) -> None:
        self._data(data, "obs_data_erase").values.pop(name, None)

    def obs_data_get_array(self, data: ObsData, name: str) -> Optional[ObsDataArray]:
        array = self._data(data, "obs_data_get_array").typed(name, "array", None)
        if array is not None:
            array.addref()  # a new reference: the caller releases it
        return array

    def obs_data_set_array(self, data: ObsData, name: str, array: Optional[ObsDataArray]) -> None:
        if array is not None:
            array.check("obs_data_set_array")
        self._data(data, "obs_data_set_array").put(name, "array", array)

    def obs_data_array_create(self) -> ObsDataArray:
        return ObsDataArray(self)

    def obs_data_array_count(self, array: Optional[ObsDataArray]) -> int:
        if array is None:
            return 0
        array.check("obs_data_array_count")
        return len(array.items)

    def obs_data_array_item(self, array: ObsDataArray, index: int) -> Optional[ObsData]:
        array.check("obs_data_array_item")
        if not 0 <= index < len(array.items):
            return None
        item = array.items[index]
        item.addref()
        return item

    def obs_data_array_push_back(self, array: ObsDataArray, data: ObsData) -> int:
        array.check("obs_data_array_push_back")
        self._data(data, "obs_data_array_push_back").addref()
        data.held += 1
        array.items.append(data)
        return len(array.items) - 1

    def obs_data_array_release(self, array: Optional[ObsDataArray]) -> None:
        if array is not None:
            array.release("obs_data_array_release")

    # properties --------------------------------------------------------------------

    def obs_properties_create(self) -> Properties:
        return Properties()

    def obs_properties_destroy(self, props: Optional[Properties]) -> None:
        pass

    def _add(self, props: Properties, name: str, description: str, ptype: str, **extra: Any) -> Optional[Property]:
        if props is None:
            return None
        if props.topmost().find(name) is not None:
            # obs-properties.c new_prop: has_prop() -> NULL, nothing added.
            self.problem(f"property {name!r} added twice; OBS ignores the second one")
            return None
        prop = Property(props, name, description, CONSTANTS[f"OBS_PROPERTY_{ptype}"], **extra)
        props.properties.append(prop)
        return prop

    def obs_properties_add_text(self, props: Properties, name: str, description: str, text_type: int):
        return self._add(props, name, description, "TEXT", text_type=text_type)

    def obs_properties_add_bool(self, props: Properties, name: str, description: str):
        return self._add(props, name, description, "BOOL")

    def obs_properties_add_int(self, props: Properties, name: str, description: str, lo: int, hi: int, step: int):
        return self._add(props, name, description, "INT", min=lo, max=hi, step=step)

    def obs_properties_add_list(self, props: Properties, name: str, description: str, combo_type: int,
                                combo_format: int):
        return self._add(props, name, description, "LIST", combo_type=combo_type, combo_format=combo_format)

    def obs_properties_add_button(self, props: Properties, name: str, text: str, callback: Any):
        if not self.in_script():
            self.crash("obs_properties_add_button called outside a call from OBS: OBS crashes")
        if not _is_plain_function(callback):
            self.problem(f"obs_properties_add_button({name!r}): {callback!r} is not a plain function; "
                         "OBS adds no button")
            return None
        prop = self._add(props, name, text, "BUTTON")
        if prop is not None:
            prop.callback = callback
        return prop

    def obs_properties_add_group(self, props: Properties, name: str, description: str, group_type: int,
                                 group: Properties):
        if group is None or group.parent is not None:
            self.problem(f"group {name!r}: its properties already belong to a group")
            return None
        existing = {p.name for p in props.topmost().walk()}
        clash = existing & {p.name for p in group.walk()}
        if clash:
            self.problem(f"group {name!r} repeats {sorted(clash)}; OBS refuses the group")
            return None
        prop = self._add(props, name, description, "GROUP", group_type=group_type)
        if prop is not None:
            prop.content = group
            group.parent = prop
        return prop

    def obs_properties_get(self, props: Properties, name: str) -> Optional[Property]:
        return props.find(name) if props is not None else None

    def obs_property_set_visible(self, prop: Property, visible: bool) -> None:
        prop.visible = bool(visible)

    def obs_property_visible(self, prop: Property) -> bool:
        return prop.visible

    def obs_property_set_enabled(self, prop: Property, enabled: bool) -> None:
        prop.enabled = bool(enabled)

    def obs_property_set_description(self, prop: Property, description: str) -> None:
        prop.description = description

    def obs_property_set_long_description(self, prop: Property, text: str) -> None:
        prop.long_description = text

    def obs_property_name(self, prop: Property) -> str:
        return prop.name

    def obs_property_description(self, prop: Property) -> str:
        return prop.description

    def obs_property_set_modified_callback(self, prop: Property, callback: Any) -> None:
        if prop is None:
            return
        if not _is_plain_function(callback):
            self.problem(f"obs_property_set_modified_callback({prop.name!r}): {callback!r} is not a plain "
                         "function; OBS ignores it")
            return
        prop.modified = callback

    def obs_property_list_add_string(self, prop: Property, text: str, value: str) -> int:
        if prop is None:
            return -1
        prop.items.append((text, value))
        return len(prop.items) - 1

    def obs_property_list_clear(self, prop: Property) -> None:
        prop.items.clear()

    def obs_property_text_set_info_type(self, prop: Property, info_type: int) -> None:
        if prop is not None:
            prop.info_type = info_type

    # timers, events, hotkeys, signals -----------------------------------------------

    def timer_add(self, callback: Any, ms: int) -> None:
        self._register("timer_add", "timer", callback, extra=ms)

    def timer_remove(self, callback: Any) -> None:
        for cb in self.active_callbacks("timer"):
            if cb.func is callback:
                cb.removed = True

    def obs_frontend_add_event_callback(self, callback: Any) -> None:
        self._register("obs_frontend_add_event_callback", "event", callback)

    def obs_frontend_remove_event_callback(self, callback: Any) -> None:
        for cb in self.active_callbacks("event"):
            if cb.func is callback:
                cb.removed = True

    def obs_hotkey_register_frontend(self, name: str, description: str, callback: Any) -> int:
        cb = self._register("obs_hotkey_register_frontend", "hotkey", callback, extra=name)
        if cb is None:
            return CONSTANTS["OBS_INVALID_HOTKEY_ID"]
        hotkey_id = self._next_hotkey
        self._next_hotkey += 1
        self.hotkeys[hotkey_id] = {"name": name, "description": description, "callback": cb, "bindings": []}
        return hotkey_id

    def obs_hotkey_unregister(self, hotkey_id: int) -> None:
        self.hotkeys.pop(hotkey_id, None)

    def obs_hotkey_save(self, hotkey_id: int) -> ObsDataArray:
        array = ObsDataArray(self)
        for key in self.hotkeys.get(hotkey_id, {}).get("bindings", []):
            array.items.append(ObsData.from_python(self, {"key": key}, held=1))
        return array

    def obs_hotkey_load(self, hotkey_id: int, array: Optional[ObsDataArray]) -> None:
        hotkey = self.hotkeys.get(hotkey_id)
        if hotkey is None:
            return
        if array is not None:
            array.check("obs_hotkey_load")
        hotkey["bindings"] = [item.get("key") for item in (array.items if array else []) if item.get("key")]

    def signal_handler_connect(self, handler: SignalHandler, signal: str, callback: Any) -> None:
        cb = self._register("signal_handler_connect", "signal", callback, extra=signal)
        if cb is not None:
            handler.connections.append(cb)

    def signal_handler_disconnect(self, handler: SignalHandler, signal: str, callback: Any) -> None:
        for cb in list(handler.connections):
            if cb.extra == signal and cb.func is callback:
                cb.removed = True
                handler.connections.remove(cb)
                return  # unknown callbacks are ignored, as in python.c

    def calldata_int(self, calldata: CallData, name: str) -> int:
        return int(calldata.values.get(name, 0))

    def calldata_string(self, calldata: CallData, name: str) -> Optional[str]:
        value = calldata.values.get(name)
        return None if value is None else str(value)

    # frontend: stream service and streaming -------------------------------------------

    def obs_frontend_get_streaming_service(self) -> FakeService:
        return self.service  # borrowed: no reference added

    def obs_frontend_set_streaming_service(self, service: FakeService) -> None:
        service.check("obs_frontend_set_streaming_service")
        if self.streaming:
            self.problem("obs_frontend_set_streaming_service while streaming: the running output keeps "
                         "the old service")
        service.addref()  # OBSService keeps its own reference
        service.held += 1
        old, self.service = self.service, service
        old.drop_held()

    def obs_frontend_save_streaming_service(self) -> None:
        self.saved_service = self.service.describe()
        self.service_saves += 1

    def obs_service_create(self, service_type: str, name: str, settings: Optional[ObsData],
                           hotkey_data: Any) -> Optional[FakeService]:
        if service_type not in SERVICE_TYPES:
            return None  # "Service ID not found"
        if settings is None:
            settings = ObsData(self, held=1)
        else:
            self._data(settings, "obs_service_create").addref()
            settings.held += 1
        return FakeService(self, service_type, name, settings)

    def obs_service_get_type(self, service: FakeService) -> str:
        service.check("obs_service_get_type")
        return service.type

    def obs_service_get_name(self, service: FakeService) -> str:
        service.check("obs_service_get_name")
        return service.name

    def obs_service_get_settings(self, service: FakeService) -> ObsData:
        service.check("obs_service_get_settings")
        service.settings.addref()  # a new reference: the caller releases it
        return service.settings

    def obs_service_release(self, service: Optional[FakeService]) -> None:
        if service is not None:
            service.release("obs_service_release")

    def obs_frontend_streaming_start(self) -> None:
        self.start_requests += 1
        self.pending.append("start")  # QMetaObject::invokeMethod: runs later

    def obs_frontend_streaming_stop(self) -> None:
        self.stop_requests += 1
        self.pending.append("stop")

    def obs_frontend_streaming_active(self) -> bool:
        return self.streaming

    # Recording: queued like streaming (``run_recording`` carries it out). The file goes into
    # ``recording_dir``; ``obs_frontend_get_last_recording`` exists from OBS 29.1 (a test of
    # 29.0 deletes it from the module).
    def obs_frontend_recording_start(self) -> None:
        self.pending.append("record")

    def obs_frontend_recording_stop(self) -> None:
        self.pending.append("stop_record")

    def obs_frontend_recording_active(self) -> bool:
        return self.recording is not None

    def obs_frontend_get_last_recording(self) -> Optional[str]:
        return self.last_recording

    def run_recording(self) -> None:
        """OBS carries out the queued recording starts and stops (or the user pressed them)."""
        while "record" in self.pending or "stop_record" in self.pending:
            action = next(a for a in self.pending if a in ("record", "stop_record"))
            self.pending.remove(action)
            if action == "record" and self.recording is None:
                self.recording_dir.mkdir(parents=True, exist_ok=True)
                self.recording = self.recording_dir / f"recording-{len(list(self.recording_dir.iterdir()))}.mkv"
                self.recording.write_bytes(b"fake")
                self.fire_event(CONSTANTS["OBS_FRONTEND_EVENT_RECORDING_STARTED"])
            elif action == "stop_record" and self.recording is not None:
                self.last_recording, self.recording = str(self.recording), None
                self.fire_event(CONSTANTS["OBS_FRONTEND_EVENT_RECORDING_STOPPED"])

    def obs_frontend_get_streaming_output(self) -> Optional[FakeOutput]:
        if self.output is None:
            return None
        self.output.addref()  # obs_output_get_ref: the caller releases it
        return self.output

    def obs_output_get_signal_handler(self, output: FakeOutput) -> SignalHandler:
        output.check("obs_output_get_signal_handler")
        return output.signals

    def obs_output_active(self, output: FakeOutput) -> bool:
        output.check("obs_output_active")
        return output.active if isinstance(output, FakeExtraOutput) else self.streaming

    # --- outputs the script creates (simulcast sent by OBS) ------------------------

    def obs_output_get_video_encoder(self, output: FakeOutput) -> FakeEncoder:
        output.check("obs_output_get_video_encoder")
        return self.encoders[0]  # borrowed: no reference added

    def obs_output_get_audio_encoder(self, output: FakeOutput, idx: int) -> Optional[FakeEncoder]:
        output.check("obs_output_get_audio_encoder")
        return self.encoders[1] if idx == 0 else None

    def obs_output_create(self, output_type: str, name: str, settings: Any, hotkey_data: Any) -> FakeExtraOutput:
        out = FakeExtraOutput(self, output_type, name)
        self.extra_outputs.append(out)
        return out

    def obs_output_set_service(self, output: FakeExtraOutput, service: FakeService) -> None:
        output.check("obs_output_set_service")
        service.check("obs_output_set_service")
        output.service = service

    def obs_output_set_video_encoder(self, output: FakeExtraOutput, encoder: FakeEncoder) -> None:
        output.check("obs_output_set_video_encoder")
        output.video = encoder

    def obs_output_set_audio_encoder(self, output: FakeExtraOutput, encoder: FakeEncoder, idx: int) -> None:
        output.check("obs_output_set_audio_encoder")
        output.audio = encoder

    def obs_output_start(self, output: FakeExtraOutput) -> bool:
        output.check("obs_output_start")
        if output.service is None or output.video is None or output.audio is None:
            return False
        output.started = True  # the connect runs on the output's thread: the test decides
        return True

    def obs_output_stop(self, output: FakeExtraOutput) -> None:
        output.check("obs_output_stop")
        output.stopped = True
        output.active = False  # the send thread ends; a real one takes a moment

    def obs_output_reconnecting(self, output: FakeOutput) -> bool:
        output.check("obs_output_reconnecting")
        return output.reconnecting

    def obs_output_get_last_error(self, output: FakeOutput) -> Optional[str]:
        output.check("obs_output_get_last_error")
        return output.last_error

    def obs_output_get_total_bytes(self, output: FakeOutput) -> int:
        output.check("obs_output_get_total_bytes")
        return output.total_bytes

    def obs_output_get_frames_dropped(self, output: FakeOutput) -> int:
        output.check("obs_output_get_frames_dropped")
        return output.frames_dropped

    def obs_output_get_total_frames(self, output: FakeOutput) -> int:
        output.check("obs_output_get_total_frames")
        return output.total_frames

    def obs_output_release(self, output: Optional[FakeOutput]) -> None:
        if output is not None:
            output.release("obs_output_release")

    def obs_frontend_get_profile_config(self) -> FakeConfig:
        return self.profile

    # OBS 29's obspython has no config_get_string/config_set_string: a config_t from
    # obs_frontend_get_profile_config cannot be read from Python. The script reads the
    # profile's files instead, found from OBS's config root, as modelled here.

    def obs_get_version(self) -> int:
        return self.version

    def os_get_config_path_ptr(self, name: str) -> str:
        """``~/.config/<name>``, with the profile's files written out from ``self.profile`` (and
        again whenever a test changes a section, as OBS saves basic.ini) so the script reads
        files as in OBS. Counted: in OBS each call leaks the string it returns.

        OBS 31+ names the profile in user.ini, 29-30 in global.ini; the other file names a
        stale profile ("Old", as after an upgrade or a downgrade), which must not be used.
        """
        self.config_path_calls += 1
        self.profile.on_change = lambda: self._write_profile_files(name)
        return self._write_profile_files(name)

    def _write_profile_files(self, name: str) -> str:
        root = self.config_root / name
        folder = root / "basic" / "profiles" / "Untitled"
        folder.mkdir(parents=True, exist_ok=True)
        current, stale = "[Basic]\nProfile=Untitled\nProfileDir=Untitled\n", "[Basic]\nProfile=Old\nProfileDir=Old\n"
        (root / "basic" / "profiles" / "Old").mkdir(exist_ok=True)
        user_ini = self.version >= (31 << 24)
        _write_if_changed(root / "global.ini", stale if user_ini else current)
        _write_if_changed(root / "user.ini", current if user_ini else stale)
        ini = "".join(f"[{section}]\n" + "".join(f"{k}={v}\n" for k, v in values.items())
                      for section, values in self.profile.sections.items())
        _write_if_changed(folder / "basic.ini", ini)
        return str(root)

    def persistent_data(self) -> dict[str, Any]:
        """What obs-websocket's GetPersistentData (profile realm) would read."""
        path = self.config_root / "obs-studio" / "basic" / "profiles" / "Untitled" / "obsWebSocketPersistentData.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def script_log(self, level: int, text: str) -> None:
        self.log.append((level, text))


def _write_if_changed(path: Path, text: str) -> None:
    """OBS writes its ini files when they change, not when a path is looked up."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.write_text(text, encoding="utf-8")


# --- loading a script like OBS --------------------------------------------------------------


class ScriptHost:
    """One script in Tools > Scripts: import, defaults, load, update, save, unload, reload.

    ``after_import`` runs right after each (re)import of the file, before
    ``script_defaults``, for test set-up that needs the freshly imported modules.
    """

    def __init__(self, studio: FakeObsStudio, path: Path, settings: Optional[ObsData] = None) -> None:
        self.studio = studio
        self.path = Path(path)
        self.name = self.path.stem
        self.module: Optional[types.ModuleType] = None
        self.settings = settings if settings is not None else studio.new_settings()
        self.loaded = False
        self.after_import: list[Callable[[], None]] = []

    def _func(self, name: str) -> Optional[Callable]:
        return getattr(self.module, name, None)

    def call(self, name: str, *args: Any) -> Any:
        func = self._func(name)
        if func is None:
            return None
        return self.studio.call_script(func, *args)

    def load(self) -> ScriptHost:
        """load_python_script: import (or reload), defaults, description, load; then update."""
        with self.studio.script_context():
            if self.module is None:
                spec = importlib.util.spec_from_file_location(self.name, self.path)
                assert spec and spec.loader
                module = importlib.util.module_from_spec(spec)
                sys.modules[self.name] = module
                spec.loader.exec_module(module)
                self.module = module
            else:
                importlib.reload(self.module)  # PyImport_ReloadModule: only this file
        for hook in self.after_import:
            hook()
        self.call("script_defaults", self.settings)
        self.call("script_description")
        self.call("script_load", self.settings)
        self.loaded = True
        self.update()
        return self

    def update(self) -> None:
        self.call("script_update", self.settings)

    def save(self) -> dict[str, Any]:
        """Saving the scene collection: script_save, then the settings as written to the JSON."""
        self.call("script_save", self.settings)
        return self.settings.user_values()

    def unload(self) -> None:
        """OBS removes every callback of the script first, then calls script_unload."""
        if not self.loaded:
            return
        self.studio.remove_script_callbacks()
        self.loaded = False
        self.call("script_unload")

    def reload(self) -> None:
        """The Reload button: unload, re-import only the main file, load, update."""
        self.unload()
        self.load()

    def exit_obs(self) -> None:
        """OBS exits: SCRIPTING_SHUTDOWN, then the scripts are destroyed (EXIT comes after)."""
        self.studio.fire_event(CONSTANTS["OBS_FRONTEND_EVENT_SCRIPTING_SHUTDOWN"])
        self.unload()

    def description(self) -> str:
        return self.call("script_description") or ""

    def panel(self) -> PanelView:
        return PanelView(self)


class PanelView:
    """The script's properties as the Scripts dialog shows them."""

    def __init__(self, host: ScriptHost) -> None:
        self.host = host
        self.studio = host.studio
        self.props: Properties = host.call("script_properties")
        assert isinstance(self.props, Properties), "script_properties must return obs_properties_t"
        self.refreshes = 0

    def prop(self, name: str) -> Property:
        prop = self.props.find(name)
        assert prop is not None, f"the panel has no property {name!r}"
        return prop

    def names(self) -> list[str]:
        return [p.name for p in self.props.walk()]

    def shown(self, name: str) -> bool:
        """Visible, and inside visible groups."""
        prop: Optional[Property] = self.prop(name)
        while prop is not None:
            if not prop.visible:
                return False
            prop = prop.parent.parent
        return True

    def list_items(self, name: str) -> list[tuple[str, Any]]:
        return list(self.prop(name).items)

    def text(self, name: str) -> str:
        """What an info text shows: the setting's value."""
        return str(self.host.settings.get(name, ""))

    def click(self, name: str) -> Any:
        """Press a button; returns what the callback returned (True refreshes the panel)."""
        prop = self.prop(name)
        assert prop.type == CONSTANTS["OBS_PROPERTY_BUTTON"], f"{name!r} is not a button"
        assert self.shown(name) and prop.enabled, f"the {name!r} button is hidden or disabled"
        result = self.studio.call_script(prop.callback, self.props, prop)
        if result is True:  # python.c: ret = py_ret == Py_True
            self.refreshes += 1
        return result

    def change(self, name: str, value: Any) -> Any:
        """The user edits a field: the setting changes, script_update runs, then the
        property's modified callback; returns the callback's result."""
        prop = self.prop(name)
        settings = self.host.settings
        if prop.type == CONSTANTS["OBS_PROPERTY_BOOL"]:
            settings.put(name, "bool", bool(value))
        elif prop.type == CONSTANTS["OBS_PROPERTY_INT"]:
            settings.put(name, "number", int(value))
        else:
            settings.put(name, "string", str(value))
        self.host.update()
        if prop.modified is None:
            return None
        result = self.studio.call_script(prop.modified, self.props, prop, settings)
        if result is True:
            self.refreshes += 1
        return result
