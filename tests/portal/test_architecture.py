"""Imports go one way: enquiries may import therapy_info and portal, therapy_info may import portal,
and portal (what every app needs) imports none of our apps outside portal/urls.py, where they are
put together."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def python_files(package, allowed=()):
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" not in relative and relative not in allowed:
            yield path


def imported_modules(path):
    """Every module an import statement names, at the top of the file or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def imports_of(package, forbidden, allowed=()):
    """ "path: module" for each import in package of a module of a forbidden package."""
    return [
        f"{path.relative_to(ROOT).as_posix()}: {module}"
        for path in python_files(package, allowed)
        for module in imported_modules(path)
        if module.split(".")[0] in forbidden
    ]


@pytest.mark.parametrize(
    ("package", "forbidden", "allowed"),
    [
        ("portal", {"enquiries", "therapy_info"}, {"portal/urls.py"}),
        ("therapy_info", {"enquiries"}, set()),
    ],
)
def test_a_package_imports_none_of_the_apps_that_build_on_it(package, forbidden, allowed):
    assert imports_of(package, forbidden, allowed) == []


def test_the_check_finds_an_import_inside_a_function(tmp_path, monkeypatch):
    # The old page cache reached into therapy_info from inside a function; so could a new one.
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "portal").mkdir()
    (tmp_path / "portal" / "late.py").write_text(
        "def bump():\n    from therapy_info.content_cache import cached\n"
    )

    assert imports_of("portal", {"therapy_info"}) == ["portal/late.py: therapy_info.content_cache"]


def tag_libraries_of(app):
    """The names `{% load %}` knows an app's template tag libraries by."""
    return {path.stem for path in (ROOT / app / "templatetags").glob("*.py")} - {"__init__"}


def loaded_libraries(template_path):
    for match in re.finditer(r"{%\s*load\s+([^%]*?)\s*%}", template_path.read_text()):
        words = match.group(1).split()
        # "{% load name from library %}" loads from the last word; otherwise each is a library.
        yield from ([words[-1]] if "from" in words else words)


def templates_loading_libraries_of(templates, apps):
    libraries = set().union(*(tag_libraries_of(app) for app in apps))
    return [
        f"{path.relative_to(ROOT).as_posix()}: {library}"
        for path in templates
        for library in loaded_libraries(path)
        if library in libraries
    ]


def test_portal_and_therapy_info_templates_use_no_tag_library_of_the_apps_that_build_on_them():
    templates = ROOT / "templates"
    portal_templates = [*templates.glob("*.html"), *(templates / "portal").rglob("*")]
    therapy_info_templates = list((templates / "therapy_info").rglob("*"))
    assert tag_libraries_of("enquiries"), "the check needs the enquiries libraries to look for"
    assert (
        templates_loading_libraries_of(
            [path for path in portal_templates if path.is_file()], {"enquiries", "therapy_info"}
        )
        == []
    )
    assert (
        templates_loading_libraries_of(
            [path for path in therapy_info_templates if path.is_file()], {"enquiries"}
        )
        == []
    )


def test_the_template_check_finds_a_library_loaded_among_others(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "enquiries" / "templatetags").mkdir(parents=True)
    (tmp_path / "enquiries" / "templatetags" / "working_time.py").write_text("")
    page = tmp_path / "home.html"
    page.write_text("{% load i18n working_time static %}{% load zone from working_time %}")

    assert templates_loading_libraries_of([page], {"enquiries"}) == [
        "home.html: working_time",
        "home.html: working_time",
    ]
