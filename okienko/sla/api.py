"""REST endpoints of business calendars and SLA policies (admins change them, agents read)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from okienko.accounts.choices import Role
from okienko.api.auth import acting_agent
from okienko.core.errors import PermissionDenied
from okienko.sla import actions
from okienko.sla.models import Calendar, Policy
from okienko.sla.schemas import CalendarIn, CalendarOut, PolicyIn, PolicyOut
from okienko.sla.selectors import (
    access_calendar,
    access_policy,
    business_calendar,
    calendars,
    policies,
)

router = Router(tags=["sla"])


def _admin(request: HttpRequest) -> None:
    if acting_agent(request).role != Role.ADMIN:
        raise PermissionDenied("Only admins configure SLA calendars and policies")


def _calendar_body(calendar: Calendar) -> dict[str, Any]:
    year = timezone.now().year
    arithmetic = business_calendar(calendar)
    holidays = {**arithmetic.holidays_in(year), **arithmetic.holidays_in(year + 1)}
    return {
        "id": calendar.pk,
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "country": calendar.country,
        "hours": calendar.hours,
        "closed_days": calendar.closed_days,
        "open_days": calendar.open_days,
        "is_default": calendar.is_default,
        "holidays": [{"date": day, "name": name} for day, name in sorted(holidays.items())],
    }


def _calendar_input(payload: CalendarIn) -> actions.CalendarInput:
    return actions.CalendarInput(**payload.as_data())


@router.get("/sla/calendars", response=list[CalendarOut], summary="List business calendars")
def list_calendars(request: HttpRequest) -> list[dict[str, Any]]:
    acting_agent(request)
    return [_calendar_body(calendar) for calendar in calendars()]


@router.post("/sla/calendars", response={201: CalendarOut}, summary="Create a calendar (admins)")
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Status[dict[str, Any]]:
    _admin(request)
    return Status(201, _calendar_body(actions.do_save_calendar(data=_calendar_input(payload))))


@router.get("/sla/calendars/{calendar_id}", response=CalendarOut, summary="Get a calendar")
def get_calendar(request: HttpRequest, calendar_id: int) -> dict[str, Any]:
    acting_agent(request)
    return _calendar_body(access_calendar(calendar_id))


@router.put(
    "/sla/calendars/{calendar_id}", response=CalendarOut, summary="Replace a calendar (admins)"
)
def replace_calendar(request: HttpRequest, calendar_id: int, payload: CalendarIn) -> dict[str, Any]:
    _admin(request)
    calendar = actions.do_save_calendar(
        data=_calendar_input(payload), calendar=access_calendar(calendar_id)
    )
    return _calendar_body(calendar)


@router.delete("/sla/calendars/{calendar_id}", response={204: None}, summary="Delete a calendar")
def delete_calendar(request: HttpRequest, calendar_id: int) -> Status[None]:
    _admin(request)
    actions.do_delete_calendar(calendar=access_calendar(calendar_id))
    return Status(204, None)


def _policy_input(payload: PolicyIn) -> actions.PolicyInput:
    return actions.PolicyInput(
        name=payload.name,
        description=payload.description,
        position=payload.position,
        is_active=payload.is_active,
        conditions=payload.conditions,
        calendar=access_calendar(payload.calendar_id) if payload.calendar_id else None,
        warn_percent=payload.warn_percent,
        targets=[
            actions.TargetInput(
                priority=target.priority,
                metric=target.metric,
                minutes=target.minutes,
                business_hours=target.business_hours,
            )
            for target in payload.targets
        ],
    )


@router.get("/sla/policies", response=list[PolicyOut], summary="List SLA policies in order")
def list_policies(request: HttpRequest) -> Any:
    acting_agent(request)
    return policies()


@router.post("/sla/policies", response={201: PolicyOut}, summary="Create a policy (admins)")
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[Policy]:
    _admin(request)
    policy = actions.do_save_policy(data=_policy_input(payload))
    return Status(201, access_policy(policy.pk))


@router.get("/sla/policies/{policy_id}", response=PolicyOut, summary="Get a policy")
def get_policy(request: HttpRequest, policy_id: int) -> Policy:
    acting_agent(request)
    return access_policy(policy_id)


@router.put("/sla/policies/{policy_id}", response=PolicyOut, summary="Replace a policy (admins)")
def replace_policy(request: HttpRequest, policy_id: int, payload: PolicyIn) -> Policy:
    _admin(request)
    policy = actions.do_save_policy(data=_policy_input(payload), policy=access_policy(policy_id))
    return access_policy(policy.pk)


@router.delete("/sla/policies/{policy_id}", response={204: None}, summary="Delete a policy")
def delete_policy(request: HttpRequest, policy_id: int) -> Status[None]:
    _admin(request)
    actions.do_delete_policy(policy=access_policy(policy_id))
    return Status(204, None)
