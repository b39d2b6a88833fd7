"""A few X11 calls for driving a headless OBS, through ctypes (no extra package).

libX11 and libXtst are already on any machine with OBS installed (Qt's xcb platform
plugin depends on them), so this needs neither ``xdotool`` nor ``python-xlib``:

* ``windows(display)`` lists the top-level windows with their title, geometry and
  whether they are visible. Without a window manager (plain Xvfb) every top-level
  window, including a modal ``QMessageBox``, is a direct child of the root window.
* ``close_window(display, window)`` sends ``WM_DELETE_WINDOW``, what a window manager
  sends when the user clicks the title bar's close button. OBS 29 has no SIGTERM
  handler (it dies at once, without saving or logging its shutdown), so closing its
  main window this way is the only graceful quit from the outside.
* ``click`` / ``press_keys`` synthesise input with the XTEST extension (which Xvfb
  enables), e.g. to open Tools > Scripts for a screenshot.

Every function opens its own connection and closes it, so nothing is shared between
threads. Errors raise ``X11Error``. Xlib's default error handler *exits the process*
on a protocol error (e.g. BadWindow when a menu closes between listing the windows and
reading one of them); a non-fatal handler is installed instead, and a window that
vanished is simply skipped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from dataclasses import dataclass
from typing import Iterable, List, Optional

__all__ = ["X11Error", "Window", "windows", "find_window", "close_window", "move_resize", "click",
           "press_keys", "move_pointer"]


class X11Error(RuntimeError):
    """libX11/libXtst is missing or the display cannot be opened."""


_IS_VIEWABLE = 2
_CLIENT_MESSAGE = 33
_NO_EVENT_MASK = 0
_CURRENT_TIME = 0


class _XWindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


class _XClientMessageData(ctypes.Union):
    _fields_ = [("b", ctypes.c_char * 20), ("s", ctypes.c_short * 10), ("l", ctypes.c_long * 5)]


class _XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", _XClientMessageData),
    ]


class _XEvent(ctypes.Union):
    # XEvent is a union padded to 24 longs.
    _fields_ = [("xclient", _XClientMessageEvent), ("pad", ctypes.c_long * 24)]


_libs: dict = {}
_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


@_ERROR_HANDLER
def _ignore_x_error(display: int, event: int) -> int:
    # The failing call returns 0 or garbage; callers check the return values.
    return 0


def _lib(name: str) -> ctypes.CDLL:
    if name not in _libs:
        path = ctypes.util.find_library(name) or f"lib{name}.so.6"
        try:
            _libs[name] = ctypes.CDLL(path)
        except OSError as exc:
            package = {"X11": "libx11-6", "Xtst": "libxtst6"}.get(name, name)
            raise X11Error(f"cannot load lib{name} ({exc}): install the Debian package {package}") from exc
        _declare(name, _libs[name])
    return _libs[name]


def _declare(name: str, lib: ctypes.CDLL) -> None:
    vp, ul, i = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int
    if name == "X11":
        lib.XOpenDisplay.restype = vp
        lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        lib.XCloseDisplay.argtypes = [vp]
        lib.XDefaultRootWindow.restype = ul
        lib.XDefaultRootWindow.argtypes = [vp]
        lib.XQueryTree.argtypes = [
            vp, ul, ctypes.POINTER(ul), ctypes.POINTER(ul), ctypes.POINTER(ctypes.POINTER(ul)),
            ctypes.POINTER(ctypes.c_uint),
        ]
        lib.XFetchName.argtypes = [vp, ul, ctypes.POINTER(ctypes.c_char_p)]
        lib.XFree.argtypes = [vp]
        lib.XGetWindowAttributes.argtypes = [vp, ul, ctypes.POINTER(_XWindowAttributes)]
        lib.XInternAtom.restype = ul
        lib.XInternAtom.argtypes = [vp, ctypes.c_char_p, i]
        lib.XSendEvent.argtypes = [vp, ul, i, ctypes.c_long, ctypes.POINTER(_XEvent)]
        lib.XFlush.argtypes = [vp]
        lib.XSync.argtypes = [vp, i]
        lib.XStringToKeysym.restype = ul
        lib.XStringToKeysym.argtypes = [ctypes.c_char_p]
        lib.XKeysymToKeycode.restype = ctypes.c_ubyte
        lib.XKeysymToKeycode.argtypes = [vp, ul]
        lib.XDefaultScreen.argtypes = [vp]
        lib.XMoveResizeWindow.argtypes = [vp, ul, i, i, ctypes.c_uint, ctypes.c_uint]
        lib.XSetErrorHandler.restype = vp
        lib.XSetErrorHandler.argtypes = [_ERROR_HANDLER]
        lib.XSetErrorHandler(_ignore_x_error)
    elif name == "Xtst":
        lib.XTestFakeMotionEvent.argtypes = [vp, i, i, i, ul]
        lib.XTestFakeButtonEvent.argtypes = [vp, ctypes.c_uint, i, ul]
        lib.XTestFakeKeyEvent.argtypes = [vp, ctypes.c_uint, i, ul]


class _Display:
    """An Xlib connection used for one operation."""

    def __init__(self, display: str) -> None:
        self.x = _lib("X11")
        self.name = display
        self.dpy = self.x.XOpenDisplay(display.encode())
        if not self.dpy:
            raise X11Error(f"cannot open X display {display}")

    def __enter__(self) -> _Display:
        return self

    def __exit__(self, *exc) -> None:
        self.x.XCloseDisplay(self.dpy)


@dataclass(frozen=True)
class Window:
    """A top-level window: its X id, title (WM_NAME), geometry and visibility."""

    id: int
    title: str
    x: int
    y: int
    width: int
    height: int
    visible: bool


def windows(display: str, *, visible_only: bool = True) -> List[Window]:
    """The top-level windows (children of the root window), bottom to top."""
    with _Display(display) as d:
        x = d.x
        root = x.XDefaultRootWindow(d.dpy)
        root_ret, parent_ret = ctypes.c_ulong(), ctypes.c_ulong()
        children = ctypes.POINTER(ctypes.c_ulong)()
        count = ctypes.c_uint()
        if not x.XQueryTree(d.dpy, root, ctypes.byref(root_ret), ctypes.byref(parent_ret),
                            ctypes.byref(children), ctypes.byref(count)):
            raise X11Error("XQueryTree failed")
        ids = [children[n] for n in range(count.value)]
        if children:
            x.XFree(children)
        found = []
        for wid in ids:
            attrs = _XWindowAttributes()
            if not x.XGetWindowAttributes(d.dpy, wid, ctypes.byref(attrs)):
                continue
            visible = attrs.map_state == _IS_VIEWABLE
            if visible_only and not visible:
                continue
            name = ctypes.c_char_p()
            title = ""
            if x.XFetchName(d.dpy, wid, ctypes.byref(name)) and name.value is not None:
                title = name.value.decode("utf-8", "replace")
                x.XFree(name)
            found.append(Window(wid, title, attrs.x, attrs.y, attrs.width, attrs.height, visible))
        return found


def close_window(display: str, window: int) -> None:
    """Ask a window to close, as a window manager's close button does (WM_DELETE_WINDOW)."""
    with _Display(display) as d:
        x = d.x
        event = _XEvent()
        event.xclient.type = _CLIENT_MESSAGE
        event.xclient.window = window
        event.xclient.message_type = x.XInternAtom(d.dpy, b"WM_PROTOCOLS", 0)
        event.xclient.format = 32
        event.xclient.data.l[0] = x.XInternAtom(d.dpy, b"WM_DELETE_WINDOW", 0)
        event.xclient.data.l[1] = _CURRENT_TIME
        x.XSendEvent(d.dpy, window, 0, _NO_EVENT_MASK, ctypes.byref(event))
        x.XSync(d.dpy, 0)


def move_resize(display: str, window: int, x_pos: int, y_pos: int, width: int, height: int) -> None:
    """Move and resize a top-level window (no window manager is there to object)."""
    with _Display(display) as d:
        d.x.XMoveResizeWindow(d.dpy, window, x_pos, y_pos, width, height)
        d.x.XSync(d.dpy, 0)


def move_pointer(display: str, x_pos: int, y_pos: int) -> None:
    """Move the pointer to absolute screen coordinates."""
    with _Display(display) as d:
        xtst = _lib("Xtst")
        xtst.XTestFakeMotionEvent(d.dpy, d.x.XDefaultScreen(d.dpy), x_pos, y_pos, 0)
        d.x.XSync(d.dpy, 0)


def click(display: str, x_pos: int, y_pos: int, *, button: int = 1) -> None:
    """Move the pointer to absolute screen coordinates and click."""
    with _Display(display) as d:
        xtst = _lib("Xtst")
        xtst.XTestFakeMotionEvent(d.dpy, d.x.XDefaultScreen(d.dpy), x_pos, y_pos, 0)
        d.x.XSync(d.dpy, 0)
        time.sleep(0.05)
        xtst.XTestFakeButtonEvent(d.dpy, button, 1, 0)
        d.x.XSync(d.dpy, 0)
        time.sleep(0.05)
        xtst.XTestFakeButtonEvent(d.dpy, button, 0, 0)
        d.x.XSync(d.dpy, 0)


def press_keys(display: str, keys: Iterable[str], *, delay: float = 0.05) -> None:
    """Press keys in order, each a chord like ``"alt+t"``, ``"Escape"`` or ``"s"``.

    Key names are X keysym names (``Return``, ``Escape``, ``Down``, ``Alt_L``...);
    ``ctrl``, ``alt`` and ``shift`` are accepted as modifier shorthands. Input goes to the
    window under the pointer or the focused window, as X decides.
    """
    aliases = {"ctrl": "Control_L", "alt": "Alt_L", "shift": "Shift_L", "enter": "Return", "esc": "Escape"}
    with _Display(display) as d:
        xtst = _lib("Xtst")
        for chord in keys:
            codes: List[int] = []
            for part in chord.split("+"):
                sym = d.x.XStringToKeysym(aliases.get(part.lower(), part).encode())
                code = d.x.XKeysymToKeycode(d.dpy, sym) if sym else 0
                if not code:
                    raise X11Error(f"unknown key {part!r}")
                codes.append(code)
            for code in codes:
                xtst.XTestFakeKeyEvent(d.dpy, code, 1, 0)
                d.x.XSync(d.dpy, 0)
                time.sleep(delay)
            for code in reversed(codes):
                xtst.XTestFakeKeyEvent(d.dpy, code, 0, 0)
                d.x.XSync(d.dpy, 0)
                time.sleep(delay)


def find_window(display: str, title_part: str) -> Optional[Window]:
    """The topmost visible top-level window whose title contains ``title_part``."""
    for window in reversed(windows(display)):
        if title_part in window.title:
            return window
    return None
