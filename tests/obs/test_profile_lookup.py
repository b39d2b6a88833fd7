"""Where the script finds the current OBS profile, per OBS version (no OBS needed).

OBS 29-30 name it in ``global.ini``; OBS 31+ in ``user.ini``, and let the user move the
configuration and profile folders (``global.ini`` ``[Locations]``).
"""

from __future__ import annotations

from pathlib import Path


def _profile(base: Path, name: str) -> Path:
    folder = base / "obs-studio" / "basic" / "profiles" / name
    folder.mkdir(parents=True)
    return folder


def test_obs_30_reads_global_ini_and_obs_31_reads_user_ini(studio, tmp_path: Path) -> None:
    from livestream.obs import profile

    root = tmp_path / "obs-studio"
    old, new = _profile(tmp_path, "Old"), _profile(tmp_path, "New")
    (root / "global.ini").write_text("[Basic]\nProfileDir=Old\n", encoding="utf-8")
    (root / "user.ini").write_text("[Basic]\nProfileDir=New\n", encoding="utf-8")
    assert profile.find_profile_dir(root, profile.semantic(30, 2, 3)) == old
    assert profile.find_profile_dir(root, profile.semantic(31)) == new
    assert profile.find_profile_dir(root, profile.semantic(32, 2, 2)) == new


def test_obs_31_follows_moved_configuration_and_profile_folders(studio, tmp_path: Path) -> None:
    from livestream.obs import profile

    root, elsewhere, profiles = tmp_path / "obs-studio", tmp_path / "synced", tmp_path / "profiles"
    root.mkdir()
    (elsewhere / "obs-studio").mkdir(parents=True)
    moved = _profile(profiles, "Studio")
    (root / "global.ini").write_text(f"[Locations]\nConfiguration={elsewhere}\nProfiles={profiles}\n",
                                     encoding="utf-8")
    (elsewhere / "obs-studio" / "user.ini").write_text("[Basic]\nProfile=Studio\nProfileDir=Studio\n",
                                                       encoding="utf-8")
    assert profile.find_profile_dir(root, profile.semantic(31, 1)) == moved
    assert profile.find_profile_dir(root, profile.semantic(29, 0, 2)) is None  # 29 knows no [Locations]


def test_enhanced_broadcasting_counts_only_from_obs_30_2_and_reads_like_libobs(studio, tmp_path: Path) -> None:
    from livestream.obs import profile

    folder = _profile(tmp_path, "P")
    for stored, expected in (("true", True), ("TRUE", True), ("1", True), ("false", False), ("0", False), ("", False)):
        (folder / "basic.ini").write_text(f"[Stream1]\nEnableMultitrackVideo={stored}\n", encoding="utf-8")
        assert profile.multitrack_video_in(folder, profile.semantic(30, 2)) is expected, stored
        assert profile.multitrack_video_in(folder, profile.semantic(30, 1, 2)) is False
