from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.accounts.choices import Role
from okienko.core.models import SingleUseLink


class AgentManager(BaseUserManager["Agent"]):
    def get_by_natural_key(self, username: str | None) -> "Agent":
        return self.get(email__iexact=username)


class Agent(AbstractBaseUser, PermissionsMixin):
    """A person who works in Okienko: answers tickets, supervises, or administers the install."""

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="pl"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Warsaw")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgentManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_staff(self) -> bool:
        """Administrators may open the Django admin; everyone else works in the workspace."""
        return self.role == Role.ADMIN

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        # The admin role is the whole permission set; roles, not per-user grants, decide access.
        return (self.is_active and self.role == Role.ADMIN) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return (self.is_active and self.role == Role.ADMIN) or super().has_module_perms(app_label)

    @property
    def sees_all_tickets(self) -> bool:
        return self.role in {Role.ADMIN, Role.SUPERVISOR}


class Team(models.Model):
    """A group of agents that owns a queue of tickets (e.g. "Obsługa zamówień", "Reklamacje")."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(Agent, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored, the token is shown once."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    # The first characters, kept to let an agent recognise a token in a list.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.agent.email})"


class AgentInvitation(SingleUseLink):
    """An e-mailed, single-use link with which an invited agent sets their first password;
    a newer invitation to the same agent marks this one used."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agent invitation")
        verbose_name_plural = _("agent invitations")

    def __str__(self) -> str:
        return f"invitation {self.pk} for agent {self.agent_id}"
