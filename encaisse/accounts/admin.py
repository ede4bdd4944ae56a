from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Encaisse"), {"fields": ("role", "team", "language", "phone")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "lead")
