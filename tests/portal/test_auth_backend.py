"""Staff permissions come in one query (every admin page asks), and they are exactly Django's:
a user's own, their groups', all for a superuser, none for an inactive account."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User

from portal.auth_backends import OneQueryModelBackend

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture
def staff_member():
    user = User.objects.create_user("perm-check-5e0b", is_staff=True)
    group = Group.objects.create(name="Group 5e0b")
    group.permissions.add(Permission.objects.get(codename="view_enquiry"))
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="change_page"))
    return user


def test_a_users_own_and_group_permissions_are_djangos_in_one_query(
    staff_member, django_assert_num_queries
):
    user = fresh(staff_member)
    with django_assert_num_queries(1):
        ours = OneQueryModelBackend().get_all_permissions(user)

    assert ours == ModelBackend().get_all_permissions(fresh(staff_member))
    assert {"enquiries.view_enquiry", "therapy_info.change_page"} <= ours


def test_a_superuser_has_every_permission(staff_member):
    staff_member.is_superuser = True
    staff_member.save()

    ours = OneQueryModelBackend().get_all_permissions(fresh(staff_member))

    assert len(ours) == Permission.objects.count()


def test_an_inactive_account_has_none(staff_member):
    staff_member.is_active = False
    staff_member.save()

    assert OneQueryModelBackend().get_all_permissions(fresh(staff_member)) == set()
    assert not fresh(staff_member).has_perm("enquiries.view_enquiry")


def test_a_permission_taken_from_the_group_is_gone(staff_member):
    Group.objects.get(name="Group 5e0b").permissions.clear()

    assert not fresh(staff_member).has_perm("enquiries.view_enquiry")
    assert fresh(staff_member).has_perm("therapy_info.change_page")
