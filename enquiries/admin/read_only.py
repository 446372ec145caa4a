"""The permissions of admins and inlines that only show what the code wrote."""


class ReadOnlyPermissions:
    """Nobody adds, changes or deletes through this admin or inline, superusers included; who may
    look is left to the class it is mixed into. (`obj` is optional: a ModelAdmin's
    has_add_permission takes none, an inline's does.)"""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
