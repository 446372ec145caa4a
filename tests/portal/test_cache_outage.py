"""The shared cache (Redis) down: every page still answers, slower; one warning per outage.

The cache is configured as in production (portal.resilient_cache on a redis:// URL) but points
at a closed port; the real-Redis tests check that the same backend still caches normally."""

import logging
import socket

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from enquiries.models import Enquiry
from portal import resilient_cache
from portal.resilient_cache import CacheUnavailable, ResilientRedisCache
from tests.factories import valid_form_data

pytestmark = pytest.mark.django_db

CONTENT_PAGE = "/en/car-t/car-t-cell-therapy/"
PASSWORD = "a long test password 42"


def cache_warnings(caplog):
    return [
        record
        for record in caplog.records
        if record.name == "portal.resilient_cache" and record.levelno == logging.WARNING
    ]


class TestPagesWhileTheCacheIsDown:
    @pytest.mark.parametrize("url", ["/en/", CONTENT_PAGE, "/en/car-t/questions/", "/en/privacy/"])
    def test_a_public_page_answers_200(self, client, cache_down, url):
        response = client.get(url)

        assert response.status_code == 200

    def test_the_form_page_answers_200(self, client, cache_down):
        response = client.get(reverse("enquiries:start"))

        assert response.status_code == 200
        assert 'name="patient_name"' in response.content.decode()

    def test_a_posted_form_stores_the_enquiry_and_thanks_the_patient(self, client, cache_down):
        response = client.post(reverse("enquiries:start"), valid_form_data(), follow=True)

        assert response.status_code == 200
        assert Enquiry.objects.count() == 1
        assert Enquiry.objects.get().reference in response.content.decode()

    def test_a_coordinator_logs_in_and_sees_the_enquiry_list(
        self, client, cache_down, django_user_model
    ):
        django_user_model.objects.create_user(
            username="coordinator", password=PASSWORD, is_staff=True, is_superuser=True
        )

        login = client.post(
            reverse("admin:login"), {"username": "coordinator", "password": PASSWORD}
        )
        listing = client.get(reverse("admin:enquiries_enquiry_changelist"))

        assert login.status_code == 302
        assert listing.status_code == 200


class TestARedisThatNeverAnswers:
    @pytest.fixture
    def silent_redis(self, settings):
        """A port that accepts connections (the system queues them) but never answers."""
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            resilient_cache.reset_breakers()
            settings.CACHES = {
                "default": {
                    "BACKEND": "portal.resilient_cache.ResilientRedisCache",
                    "LOCATION": f"redis://127.0.0.1:{listener.getsockname()[1]}/0",
                }
            }
            yield
            resilient_cache.reset_breakers()

    def test_its_timeout_is_a_miss_too(self, client, silent_redis):
        response = client.get(CONTENT_PAGE)

        assert response.status_code == 200
        assert client.get("/healthz").json()["cache"] == "down"


class TestTheStaffLoginLimitWhileTheCacheIsDown:
    def test_it_still_holds_in_each_server_process(self, client, cache_down, settings):
        settings.STAFF_LOGIN_ATTEMPTS_PER_15_MINUTES = 3
        url = reverse("admin:login")

        statuses = [
            client.post(url, {"username": f"guess{n}", "password": "wrong"}).status_code
            for n in range(4)
        ]

        assert statuses == [200, 200, 200, 429]


class TestHealthCheckWhileTheCacheIsDown:
    def test_it_answers_200_and_says_the_cache_is_down(self, client, cache_down):
        response = client.get("/healthz")

        assert response.status_code == 200
        assert response.json() == {
            "status": "degraded",
            "database": "ok",
            "cache": "down",
            "task_queue": {"waiting": 0, "oldest_age_seconds": None},
        }


class TestOneWarningPerOutage:
    def test_many_requests_during_an_outage_log_one_warning(self, client, cache_down, caplog):
        with caplog.at_level(logging.INFO, logger="portal.resilient_cache"):
            for url in ["/en/", CONTENT_PAGE, "/en/", reverse("enquiries:start"), "/healthz"]:
                client.get(url)

        assert len(cache_warnings(caplog)) == 1

    def test_the_warning_names_no_address(self, client, cache_down, caplog, closed_port):
        with caplog.at_level(logging.INFO, logger="portal.resilient_cache"):
            client.get("/en/")

        (warning,) = cache_warnings(caplog)
        assert str(closed_port) not in warning.getMessage()

    def test_while_paused_it_does_not_ask_redis_again(self, cache_down, monkeypatch):
        cache.get("first")  # fails, and opens the pause
        attempts = []
        real_get_client = cache._cache.get_client
        monkeypatch.setattr(
            cache._cache,
            "get_client",
            lambda *args, **kwargs: attempts.append(1) or real_get_client(*args, **kwargs),
        )

        for n in range(20):
            cache.set(f"key-{n}", n)
            assert cache.get(f"key-{n}") is None

        assert attempts == []

    def test_after_the_pause_it_asks_again(self, cache_down, monkeypatch):
        now = [1000.0]
        monkeypatch.setattr(resilient_cache, "_clock", lambda: now[0])
        cache.get("first")
        attempts = []
        real_get_client = cache._cache.get_client
        monkeypatch.setattr(
            cache._cache,
            "get_client",
            lambda *args, **kwargs: attempts.append(1) or real_get_client(*args, **kwargs),
        )

        now[0] += resilient_cache.RETRY_SECONDS + 1
        cache.get("second")

        assert attempts == [1]


class TestTheBackendWithRedisUp:
    def test_it_stores_and_reads_values(self, redis_cache):
        redis_cache.set("greeting", {"text": "hello"}, 60)
        assert redis_cache.add("counter", 0, 60) is True

        assert redis_cache.get("greeting") == {"text": "hello"}
        assert redis_cache.incr("counter") == 1
        assert redis_cache.get_many(["greeting", "missing"]) == {"greeting": {"text": "hello"}}

    def test_incr_of_a_missing_key_is_the_usual_value_error(self, redis_cache):
        with pytest.raises(ValueError) as raised:
            redis_cache.incr("no-such-counter")

        assert not isinstance(raised.value, CacheUnavailable)

    def test_a_public_page_is_served_from_it_the_second_time(
        self, client, redis_cache, django_assert_num_queries
    ):
        client.get(CONTENT_PAGE)

        with django_assert_num_queries(0):
            response = client.get(CONTENT_PAGE)

        assert response.status_code == 200

    def test_the_health_check_says_the_cache_is_ok(self, client, redis_cache):
        assert client.get("/healthz").json()["cache"] == "ok"

    def test_an_outage_warns_once_and_its_end_is_logged_once(
        self, redis_cache, monkeypatch, caplog
    ):
        now = [1000.0]
        monkeypatch.setattr(resilient_cache, "_clock", lambda: now[0])
        real_get_client = redis_cache._cache.get_client

        def unreachable(*args, **kwargs):
            raise redis.ConnectionError("Connection refused")

        with caplog.at_level(logging.INFO, logger="portal.resilient_cache"):
            monkeypatch.setattr(redis_cache._cache, "get_client", unreachable)
            for _ in range(3):
                redis_cache.get("key")
                now[0] += resilient_cache.RETRY_SECONDS + 1
            monkeypatch.setattr(redis_cache._cache, "get_client", real_get_client)
            redis_cache.set("key", "value", 60)
            redis_cache.get("key")

        messages = [(r.levelname, r.getMessage()) for r in caplog.records]
        assert [level for level, _message in messages] == ["WARNING", "INFO"]
        assert "reachable again" in messages[1][1]
        assert redis_cache.get("key") == "value"


class TestConfiguration:
    def test_it_gives_up_on_an_unanswering_redis_within_a_second_by_default(self):
        backend = ResilientRedisCache("redis://127.0.0.1:6379/1", {})

        options = backend._cache._pool_options
        assert options["socket_connect_timeout"] <= 1
        assert options["socket_timeout"] <= 1

    def test_the_url_may_set_other_timeouts(self):
        backend = ResilientRedisCache(
            "redis://127.0.0.1:6379/1", {"OPTIONS": {"socket_connect_timeout": 2}}
        )

        assert backend._cache._pool_options["socket_connect_timeout"] == 2
