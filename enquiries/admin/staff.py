"""Coordinators' profiles (languages, taking new enquiries, away, time zone) and the lead
coordinators' switch for assigning new enquiries automatically (enquiries.assignment)."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enquiries.models import AssignmentRule, CoordinatorProfile
from enquiries.roles import assignable_staff

CHANGE_ANY_PROFILE = "enquiries.change_any_coordinator_profile"


class CoordinatorProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("languages spoken"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=CoordinatorProfile._meta.get_field("languages").help_text,
    )
    # A list to pick from, as for the working calendar: a typo would move every time shown.
    time_zone = forms.ChoiceField(
        label=_("time zone"),
        choices=lambda: [(name, name) for name in sorted(zoneinfo.available_timezones())],
        help_text=CoordinatorProfile._meta.get_field("time_zone").help_text,
    )

    class Meta:
        model = CoordinatorProfile
        fields = ["user", "languages", "accepting_new_enquiries", "away_until", "time_zone"]

    def clean_languages(self):
        # In the order of settings.LANGUAGES, whatever order the boxes were posted in.
        chosen = set(self.cleaned_data["languages"])
        return [code for code, _name in settings.LANGUAGES if code in chosen]


@admin.register(CoordinatorProfile)
class CoordinatorProfileAdmin(admin.ModelAdmin):
    """A coordinator edits their own profile (the list takes them straight to it); lead
    coordinators see and edit everyone's, and make one for a coordinator who has none."""

    form = CoordinatorProfileForm
    list_display = [
        "__str__",
        "languages_spoken",
        "accepting_new_enquiries",
        "away_until",
        "time_zone",
        "last_auto_assigned_at",
    ]
    list_select_related = ["user"]
    readonly_fields = ["last_auto_assigned_at"]

    @admin.display(description=_("languages spoken"))
    def languages_spoken(self, profile):
        return profile.languages_display()

    def get_queryset(self, request):
        profiles = super().get_queryset(request)
        if request.user.has_perm(CHANGE_ANY_PROFILE):
            return profiles
        return profiles.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # Whose profile it is never changes.
            return [*self.readonly_fields, "user"]
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Only a coordinator without a profile yet can be given one.
            kwargs["queryset"] = assignable_staff().filter(coordinator_profile__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.has_perm(CHANGE_ANY_PROFILE)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return (
            obj is None
            or obj.user_id == request.user.pk
            or request.user.has_perm(CHANGE_ANY_PROFILE)
        )

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return (
            obj is None
            or obj.user_id == request.user.pk
            or request.user.has_perm(CHANGE_ANY_PROFILE)
        )

    def has_delete_permission(self, request, obj=None):
        # A coordinator who leaves is made inactive; their profile goes with their account.
        return False

    def changelist_view(self, request, extra_context=None):
        # A coordinator has one profile to see: their own, made with the defaults the first time
        # they come.
        if (
            self.has_change_permission(request)
            and not request.user.has_perm(CHANGE_ANY_PROFILE)
            and assignable_staff().filter(pk=request.user.pk).exists()
        ):
            profile = CoordinatorProfile.for_user(request.user)
            return redirect(reverse("admin:enquiries_coordinatorprofile_change", args=[profile.pk]))
        return super().changelist_view(request, extra_context)


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    """The one switch: lead coordinators turn it; coordinators may look."""

    list_display = ["__str__", "assign_new_enquiries_automatically"]
    fields = ["assign_new_enquiries_automatically"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not AssignmentRule.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
