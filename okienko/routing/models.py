from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Team
from okienko.routing.choices import Presence, SkillKind, Strategy


class Skill(models.Model):
    """Something an agent can handle: a language ("pl"), a channel ("chat") or a product area
    (a category id, which covers its subcategories)."""

    kind = models.CharField(_("kind"), max_length=16, choices=SkillKind.choices)
    value = models.CharField(_("value"), max_length=64)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="skill_unique")]

    def __str__(self) -> str:
        return self.name


class AgentRouting(models.Model):
    """How tickets reach one agent: presence, capacity and skills."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routing"
    )
    presence = models.CharField(
        _("presence"), max_length=16, choices=Presence.choices, default=Presence.OFFLINE
    )
    # Set when inactivity, not the agent, made them away or offline: activity brings them back.
    is_presence_automatic = models.BooleanField(default=False)
    presence_changed_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=10,
        help_text=_("Open tickets at once, weighted: urgent 4, high 2, normal 1, low 0.5"),
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True)

    class Meta:
        verbose_name = _("agent routing")
        verbose_name_plural = _("agents' routing")

    def __str__(self) -> str:
        return str(self.agent)


class TeamRouting(models.Model):
    """How a team's new tickets find an agent, and where they escalate."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="routing")
    strategy = models.CharField(
        _("assignment"), max_length=16, choices=Strategy.choices, default=Strategy.MANUAL
    )
    # Kinds of skill a ticket of this team requires of its agent (e.g. ["language"]).
    skill_kinds = models.JSONField(_("route by skills"), default=list, blank=True)
    rebalance_when_offline = models.BooleanField(
        _("reassign an offline agent's tickets"), default=True
    )
    escalation_team = models.ForeignKey(
        Team,
        verbose_name=_("escalates to (second line)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    escalate_on_breach = models.BooleanField(_("escalate on an SLA breach"), default=False)
    # Where round-robin stopped, so the next ticket goes to the next agent.
    last_assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("teams' routing")

    def __str__(self) -> str:
        return str(self.team)
