"""Solara's front end from a local folder: the package list against Solara's sources, fetching, unpacking."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import ipywidgets
import pytest
import solara
from fake_npm import apply, install_fake_npm, make_tarball, npm_calls

from dashboards.assets import (
    ASSET_PACKAGES,
    MARKER,
    AssetPackage,
    AssetsError,
    default_assets_dir,
    fetch_assets,
    missing_assets,
    solara_environment,
    unpack,
)

SOLARA = Path(solara.__file__).parent
# Where the Vue 2 page and widgets name CDN files: the page template, and the widgets' Vue code.
WIDGET_SOURCES = ("widgets/vue/vegalite.vue", "widgets/vue/gridlayout.vue", "components/markdown.py")
# Solara code (Markdown's fallback loader) names jsDelivr's on-the-fly minified copy, which npm
# tarballs lack; it runs only when the page has no requirejs, and Solara's page always loads it.
JSDELIVR_ONLY = {"requirejs@2.3.6/require.min.js"}
PACKAGE = r"((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)"  # name@version, optionally @scope/name@version
FILE = r"([^\s\"'`{}$]*)"


def vue2_template() -> str:
    """Solara's page template without the Vue 3 side of its ``{% if vue3 == True %}`` blocks."""
    text = (SOLARA / "server/templates/solara.html.j2").read_text(encoding="utf-8")
    kept, stack, vue3_blocks = [], [], 0  # stack: one [is a vue3 test, in its true branch] per open if
    for part in re.split(r"(\{%-?\s*(?:if\b[^%]*|elif\b[^%]*|else|endif)\s*-?%\})", text):
        tag = re.fullmatch(r"\{%-?\s*(\w+)([^%]*?)\s*-?%\}", part)
        if tag and tag.group(1) == "if":
            vue3 = re.fullmatch(r"\s*vue3\s*==\s*True", tag.group(2)) is not None
            vue3_blocks += vue3
            stack.append([vue3, True])
        elif tag and tag.group(1) in ("else", "elif"):
            stack[-1][1] = False
        elif tag and tag.group(1) == "endif":
            stack.pop()
        elif not any(vue3 and true_branch for vue3, true_branch in stack):
            kept.append(part)
    assert vue3_blocks >= 2 and not stack, "the template's vue3 blocks changed: read it again"
    return "".join(kept).replace("{{ipywidget_major_version}}", str(ipywidgets.__version__.split(".")[0]))


def requested_files() -> set[str]:
    """Every file (``package@version/path``) the Vue 2 page and the widgets ask the CDN proxy for."""
    from solara.server.settings import Assets

    template = vue2_template()
    files = set(re.findall(r"\{\{cdn\}\}/" + PACKAGE + r"/" + FILE, template))
    if "{{cdn}}{{assets.fontawesome_path}}" in template:
        files.add(("", Assets().fontawesome_path.lstrip("/")))
    for source in WIDGET_SOURCES:
        text = (SOLARA / source).read_text(encoding="utf-8")
        files |= set(re.findall(r"\$\{this\.getCdn\(\)\}/" + PACKAGE + r"/" + FILE, text))
    return {f"{package}/{path}" if package else path for package, path in files}


def requested_packages() -> set[str]:
    return {re.match(PACKAGE, file).group(1) for file in requested_files()}


def test_asset_packages_are_exactly_what_solara_asks_for():
    requested = requested_packages()
    assert {"requirejs@2.3.6", "vega@5", "mermaid@10.8.0"} <= requested  # the parsing still finds them
    listed = {package.folder for package in ASSET_PACKAGES}
    assert requested - listed == set(), "Solara asks for packages ASSET_PACKAGES lacks"
    assert listed - requested == set(), "ASSET_PACKAGES has packages this Solara no longer asks for"
    assert len(listed) == len(ASSET_PACKAGES)


def test_every_requested_file_is_in_the_fetched_assets():
    folder = default_assets_dir()
    missing = missing_assets(folder)
    assert not missing, f"assets not fetched into {folder}: run `make setup` (or `brink assets`); missing {missing}"
    files = {file for file in requested_files() if "{{" not in file} - JSDELIVR_ONLY
    assert len(files) >= 10
    absent = sorted(file for file in files if not (folder / file).is_file())
    assert absent == [], f"files Solara will ask for are not in {folder}"


def test_default_assets_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BRINK_ASSETS_DIR", str(tmp_path / "mine"))
    assert default_assets_dir() == tmp_path / "mine"
    monkeypatch.setenv("BRINK_ASSETS_DIR", "")
    assert default_assets_dir() == Path(sys.prefix) / "share" / "brinkmanship" / "solara-assets"


def test_solara_reads_the_environment_as_intended(tmp_path):
    # Solara reads its settings when imported: check them in a fresh interpreter.
    probe = (
        "import json, solara.settings, solara.util, solara.server.settings as s\n"
        "print(json.dumps([str(s.assets.proxy_cache_dir), solara.settings.assets.proxy, solara.settings.assets.cdn,"
        " s.telemetry.mixpanel_enable, solara.util.parse_timedelta(s.kernel.cull_timeout)]))\n"
    )
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "VSCODE_PID": "1", **solara_environment(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=environment, cwd=tmp_path, check=True
    )
    cache_dir, proxy, cdn, telemetry, cull_seconds = json.loads(done.stdout.splitlines()[-1])
    assert cache_dir == str(tmp_path)
    assert proxy is True  # even where Solara would turn it off (VS Code)
    assert not cdn.startswith(("http:", "https:"))
    assert telemetry is False
    assert cull_seconds == 60


# unpacking ------------------------------------------------------------------------------


def test_unpack_strips_the_package_folder(tmp_path):
    tarball = make_tarball(
        tmp_path / "x.tgz",
        {"package/package.json": b"{}", "package/dist/a.min.js": b"a();", "package/./css/b.css": b"b{}"},
    )
    unpack(tarball, tmp_path / "out")
    found = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert found == ["css/b.css", "dist/a.min.js", "package.json"]
    assert (tmp_path / "out/dist/a.min.js").read_bytes() == b"a();"


@pytest.mark.parametrize(
    "evil", ["package/../../evil.js", "../evil.js", "/tmp/evil.js", "package/dist/../../../evil.js"]
)
def test_unpack_refuses_members_that_leave_the_folder(tmp_path, evil):
    tarball = make_tarball(tmp_path / "x.tgz", {"package/ok.js": b"ok", evil: b"evil"})
    (tmp_path / "deep/out").mkdir(parents=True)
    with pytest.raises(AssetsError, match="unsafe path"):
        unpack(tarball, tmp_path / "deep/out", source="evil@1")
    assert not any(p.name == "evil.js" for p in tmp_path.rglob("*"))
    assert not Path("/tmp/evil.js").exists()


def test_unpack_reports_a_broken_tarball(tmp_path):
    (tmp_path / "x.tgz").write_bytes(b"not a tarball")
    with pytest.raises(AssetsError, match=r"^broken@1: cannot read x\.tgz"):
        unpack(tmp_path / "x.tgz", tmp_path / "out", source="broken@1")


# fetching, with a fake npm -------------------------------------------------------------

PACKAGES = (AssetPackage("left-pad@1.3.0", "left-pad@1.3.0"), AssetPackage("@scope/thing@2", "@scope/thing@2"))


@pytest.fixture()
def fake_npm(tmp_path, monkeypatch) -> Path:
    """A fake npm on PATH (and nothing else) handing out a small tarball; returns its folder."""
    tarball = make_tarball(tmp_path / "thing.tgz", {"package/package.json": b"{}", "package/dist/thing.js": b"t()"})
    apply(install_fake_npm(tmp_path / "npm", tarball), monkeypatch)
    return tmp_path / "npm"


def test_fetch_puts_each_package_in_its_folder_and_skips_present_ones(tmp_path, fake_npm):
    assets = tmp_path / "assets"
    reported = []
    fetch_assets(assets, packages=PACKAGES, progress=lambda package, tarball: reported.append((package, tarball)))
    assert missing_assets(assets, PACKAGES) == []
    assert (assets / "@scope/thing@2/dist/thing.js").read_bytes() == b"t()"
    assert (assets / "left-pad@1.3.0" / MARKER).is_file()
    assert (assets / "left-pad@1.3.0").stat().st_mode & 0o777 == 0o755  # readable by a server run as another user
    assert sorted(reported) == sorted([(PACKAGES[0], "left-pad-1.3.0.tgz"), (PACKAGES[1], "scope-thing-2.tgz")])
    assert sorted(call.split()[1] for call in npm_calls(fake_npm)) == ["@scope/thing@2", "left-pad@1.3.0"]
    assert not [p for p in assets.rglob("*") if ".partial-" in p.name]
    fetch_assets(assets, packages=PACKAGES)
    assert len(npm_calls(fake_npm)) == 2  # nothing fetched again


def test_a_half_written_package_is_missing_and_is_replaced(tmp_path, fake_npm):
    assets = tmp_path / "assets"
    (assets / "left-pad@1.3.0/dist").mkdir(parents=True)
    (assets / "left-pad@1.3.0/dist/stale.js").write_bytes(b"half")
    assert missing_assets(assets, PACKAGES) == ["left-pad@1.3.0", "@scope/thing@2"]
    (assets / "@scope/thing@2").mkdir(parents=True)
    (assets / "@scope/thing@2" / MARKER).write_text("{}")
    assert missing_assets(assets, PACKAGES) == ["left-pad@1.3.0"]
    fetch_assets(assets, packages=PACKAGES)
    assert missing_assets(assets, PACKAGES) == []
    assert not (assets / "left-pad@1.3.0/dist/stale.js").exists()
    assert [call.split()[1] for call in npm_calls(fake_npm)] == ["left-pad@1.3.0"]


def test_a_failing_pack_names_the_package(tmp_path, monkeypatch):
    tarball = make_tarball(tmp_path / "thing.tgz", {"package/a.js": b"a"})
    apply(install_fake_npm(tmp_path / "npm", tarball, fail=("@scope/thing@2",)), monkeypatch)
    with pytest.raises(AssetsError) as caught:
        fetch_assets(tmp_path / "assets", packages=PACKAGES)
    message = str(caught.value)
    assert message.startswith("@scope/thing@2: npm pack failed (exit 1): ") and "404 Not Found" in message
    assert "\n" not in message and "complete log" not in message
    assert "@scope/thing@2" in missing_assets(tmp_path / "assets", PACKAGES)


def test_an_unsafe_tarball_is_refused_and_leaves_nothing_behind(tmp_path, monkeypatch):
    tarball = make_tarball(tmp_path / "evil.tgz", {"package/a.js": b"a", "package/../../../evil.js": b"x"})
    apply(install_fake_npm(tmp_path / "npm", tarball), monkeypatch)
    with pytest.raises(AssetsError, match="unsafe path"):
        fetch_assets(tmp_path / "assets", packages=PACKAGES[:1])
    assert missing_assets(tmp_path / "assets", PACKAGES[:1]) == ["left-pad@1.3.0"]
    assert list((tmp_path / "assets").iterdir()) == []
    assert not any(p.name == "evil.js" for p in tmp_path.rglob("*"))


def test_without_npm_the_error_says_so(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(AssetsError, match=r"^npm: not found on PATH"):
        fetch_assets(tmp_path / "assets", packages=PACKAGES)
    fetch_assets(tmp_path / "nothing-to-do", packages=())  # needs no npm
