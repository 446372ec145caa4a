"""Verbatim copies of therapy_info's data migrations 0002, 0004 and 0006 as the previous release
ran them (before the content moved to therapy_info/content/ and these became no-ops), so a test
can build a database exactly as that release left it and upgrade it. Only 0004's import of 0002
points here. Never imported by the app."""
