"""Settings for `make bench` only: production settings plus the benchmark's URLs (bench_urls)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "portal.bench_urls"
