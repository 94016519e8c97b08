"""Agents' pages: dashboard, a dossier's instruction, groups; the applicant's exchanges page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fabriques.accounts import rules as account_rules
from fabriques.accounts.capabilities import can
from fabriques.audit.models import AuditEntry
from fabriques.calls.models import Call, Track, Wave
from fabriques.dossiers import queries as dossier_queries
from fabriques.dossiers import rules as dossier_rules
from fabriques.dossiers.downloads import scanned_file_download
from fabriques.dossiers.workflow import TransitionError
from fabriques.instruction import forms, queries, rules
from fabriques.instruction.admissibility import (
    admissibility_decide,
    check_confirm,
    instruction_start,
    instruction_start_refusal,
)
from fabriques.instruction.complements import complements_answer, complements_request, open_complement_request
from fabriques.instruction.enums import ComplementState
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.messages import message_post
from fabriques.instruction.models import InstructionGroup, Message
from fabriques.instruction.preferences import dashboard_columns_save, page_size_chosen
from fabriques.instruction.routing import dossier_reroute, group_save, national_group, territory_class_set
from fabriques.instruction.templatetags.instruction_tags import DashboardRows
from fabriques.theme.streaming import streamed_page


def _agent_dossier(request, uuid):
    dossier = (
        rules.dossiers_for_instruction(request.user)
        .select_related("wave__call", "track", "organisation", "place_commune", "owner", "instruction__group")
        .filter(uuid=uuid)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable")
    return dossier


@login_required
def dashboard(request):
    if not rules.is_agent(request.user):
        raise PermissionDenied
    form = forms.DashboardFilterForm(
        request.GET or None, waves=Wave.objects.order_by("opens_at"), tracks=Track.objects.order_by("call", "position")
    )
    # A filter that is not valid (a note that is not a number, "sNaN", an unknown wave) is shown in error next to
    # its field with a 400, and left out of the query; the other filters still apply.
    status = 400 if request.GET and not form.is_valid() else 200
    valid = request.GET.copy()
    for name in form.errors if status == 400 else ():
        valid.pop(name, None)
    filters = queries.DashboardFilters.from_querydict(valid)
    page_size = page_size_chosen(user=request.user, asked=request.GET.get("taille", ""))
    columns = queries.columns_for(request.user)
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    context = {"form": form, "filters": filters, "columns": columns, "page_size": page_size,
               "page_sizes": queries.PAGE_SIZES, "query": params.urlencode(), "sort_query": sort_params.urlencode(),
               "column_labels": {k: v[0] for k, v in queries.COLUMNS.items()},
               "columns_form": forms.ColumnsForm(initial={"columns": columns})}
    if page_size == "all":
        return _dashboard_all_rows(request, filters, context, status)
    page = queries.dashboard_page(request.user, filters, request.GET.get("page"), per_page=int(page_size),
                                  columns=columns)
    return render(
        request,
        "instruction/dashboard.html",
        {
            **context,
            "count": page.paginator.count,
            "page": page,
        },
        status=status,
    )


def _dashboard_all_rows(request, filters, context, status):
    """Every row on one page, streamed (`theme.streaming`): the page's head, the rows a chunk at a time, its foot.

    Three queries whatever the number of rows (`queries.dashboard_all`); the browser shows the first rows while the
    last are still read, and the server never holds the whole table in memory.
    """
    everything = queries.dashboard_all(request.user, filters, context["columns"])
    renderer = DashboardRows(context["columns"], everything.wave_groups)
    return streamed_page(request, "instruction/dashboard.html",
                         {**context, "count": everything.count, "streamed": True, "page": everything},
                         everything.rows, renderer.render, empty=renderer.empty(), status=status)


@login_required
@require_POST
def dashboard_columns(request):
    if not rules.is_agent(request.user):
        raise PermissionDenied
    dashboard_columns_save(user=request.user, columns=request.POST.getlist("columns"))
    messages.success(request, "Colonnes enregistrées.")
    return redirect("instruction:dashboard")


def _complement_sections(dossier):
    sections = [("place", "Le lieu"), ("budget", "Le budget")]
    sections += [(f"criterion:{c.code}", c.title) for c in dossier_queries.criteria_for(dossier)]
    sections += [(f"attachment:{a.code}", a.label) for a in dossier_queries.required_attachments_for(dossier)]
    return sections


def _dossier_page(request, dossier, *, status=200, refused="", **bound_forms):
    """The instruction page; a refused form comes back bound, so what the agent typed is shown with its error."""
    instruction = getattr(dossier, "instruction", None)
    deposited = dossier_queries.deposited_version(dossier)
    context = {
        "dossier": dossier,
        "instruction": instruction,
        "can_act": rules.can_instruct(request.user, dossier),
        "can_sit": can(request.user, "committee.sit", dossier.wave.call),  # committee.rules.can_sit: a higher layer
        "start_refusal": instruction_start_refusal(dossier),
        "checks": list(instruction.checks.all()) if instruction else [],
        "criteria": dossier_queries.criteria_for(dossier),
        "deposited": deposited,
        # Agents read the deposited version (its snapshot), never the applicant's later, undeposited edits.
        "answers": deposited.answers if deposited else {},
        "budget": deposited.budget if deposited else dossier_queries.budget_summary(dossier),
        # Files marked against the deposited version: added or replacing since, and the deposited ones removed since.
        "files": dossier_queries.files_since_deposit(deposited, list(
            dossier.attachments.select_related("required").order_by("required__position", "uploaded_at"))),
        "versions": dossier.versions.order_by("-number"),
        "messages_list": dossier.messages.select_related("author").order_by("created_at"),
        "complement_requests": dossier.complement_requests.prefetch_related("items"),
        # The applicant's advisers (issue 19) are not the agents' business: their entries stay out of this journal.
        "audit": AuditEntry.objects.filter(dossier_id=dossier.pk).exclude(action__startswith="advice.")
        .order_by("-id")[:200],
        "decision_form": forms.DecisionForm(),
        "confirm_form": forms.ConfirmCheckForm(),
        "complement_form": forms.ComplementForm(call=dossier.wave.call, sections=_complement_sections(dossier)),
        "reroute_form": _reroute_form(dossier),
        "message_form": forms.MessageForm(),
        "class_form": forms.TerritoryClassForm(
            initial={
                "is_rural": forms.TerritoryClassForm.initial_for(instruction.is_rural if instruction else None),
                "is_qpv": forms.TerritoryClassForm.initial_for(instruction.is_qpv if instruction else None),
            }
        ),
        "refused": REFUSED_LABELS.get(refused),
    }
    context.update(bound_forms)
    return render(request, "instruction/dossier.html", context, status=status)


def _reroute_form(dossier, data=None):
    return forms.RerouteForm(data, groups=InstructionGroup.objects.filter(call=dossier.wave.call))


# Anchor of each form on the dossier page and the title of the alert at the top when it is refused.
REFUSED_LABELS = {
    "confirm_form": ("form-confirm", "La confirmation manuelle n’a pas été enregistrée"),
    "decision_form": ("form-decision", "La décision de recevabilité n’a pas été enregistrée"),
    "complement_form": ("form-complements", "La demande de compléments n’a pas été envoyée"),
    "reroute_form": ("form-reroute", "Le dossier n’a pas été réorienté"),
    "message_form": ("form-message", "Le message n’a pas été publié"),
    "extend_form": ("form-extend", "Le délai n’a pas été prolongé"),
    "cancel_form": ("form-cancel", "La demande de compléments n’a pas été annulée"),
    "reinstruct_form": ("form-reinstruct", "Le dossier n’est pas repassé en instruction"),
    "close_form": ("form-close", "Le dossier n’a pas été classé sans suite"),
}


@login_required
def dossier(request, uuid):
    return _dossier_page(request, _agent_dossier(request, uuid))


def _submit(request, dossier, *, key, form, action, error_field=None, on_refusal=None):
    """Run `action(cleaned_data)` when the form is valid; else, or when the domain refuses, the page again (400).

    The action runs in one transaction: a refusal leaves the database as it was (the checklist refresh that
    precedes some refusals included), and the page is read again from the database.
    """
    if form.is_valid():
        try:
            with transaction.atomic():
                text = action(form.cleaned_data)
        except InstructionError as exc:
            form.add_error(error_field, str(exc))
            dossier = _agent_dossier(request, dossier.uuid)
        except TransitionError as exc:
            form.add_error(None, str(exc))
            dossier = _agent_dossier(request, dossier.uuid)
        else:
            messages.success(request, text)
            return redirect("instruction:dossier", uuid=dossier.uuid)
    if on_refusal is not None:
        on_refusal(form)
    return _dossier_page(request, dossier, status=400, refused=key, **{key: form})


def _instructed_dossier(request, uuid):
    dossier = _agent_dossier(request, uuid)
    if not rules.can_instruct(request.user, dossier):
        raise PermissionDenied
    return dossier


def _act(request, uuid, action):
    """Run an instruction action on a dossier the agent may act on; errors become messages."""
    dossier = _agent_dossier(request, uuid)
    if not rules.can_instruct(request.user, dossier):
        raise PermissionDenied
    try:
        text = action(dossier)
    except (InstructionError, TransitionError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, text)
    return redirect("instruction:dossier", uuid=dossier.uuid)


@login_required
@require_POST
def start(request, uuid):
    def action(dossier):
        instruction_start(dossier=dossier, by=request.user)
        return "Instruction commencée."

    return _act(request, uuid, action)


@login_required
@require_POST
def confirm_check(request, uuid):
    dossier = _instructed_dossier(request, uuid)

    def action(data):
        check = check_confirm(dossier=dossier, item=data["item"], by=request.user, reason=data["reason"],
                                     override=data["override"])
        return "Dérogation enregistrée : elle est signalée avec son motif." if check.overrides_failure else (
            "Point confirmé manuellement.")

    form = forms.ConfirmCheckForm(request.POST)
    return _submit(request, dossier, key="confirm_form", form=form, action=action, error_field="reason")


@login_required
@require_POST
def decide(request, uuid):
    dossier = _instructed_dossier(request, uuid)

    def action(data):
        admissibility_decide(dossier=dossier, decision=data["decision"], reason=data["reason"], by=request.user)
        return f"Dossier déclaré {dossier.get_state_display().lower()}."

    return _submit(request, dossier, key="decision_form", form=forms.DecisionForm(request.POST), action=action)


@login_required
@require_POST
def request_complements(request, uuid):
    dossier = _instructed_dossier(request, uuid)
    sections = dict(_complement_sections(dossier))
    form = forms.ComplementForm(request.POST, call=dossier.wave.call, sections=sections.items())

    def action(data):
        complements_request(
            dossier=dossier,
            sections=[(s, sections[s]) for s in data["sections"]],
            message=data["message"],
            due_at=form.due_at(),
            by=request.user,
        )
        return "Demande de compléments envoyée au porteur."

    return _submit(request, dossier, key="complement_form", form=form, action=action, error_field="due_date")


@login_required
@require_POST
def reroute(request, uuid):
    dossier = _instructed_dossier(request, uuid)

    def action(data):
        dossier_reroute(dossier=dossier, group=data["group"], by=request.user, reason=data["reason"])
        return "Dossier réorienté."

    form = _reroute_form(dossier, request.POST)
    return _submit(request, dossier, key="reroute_form", form=form, action=action, error_field="group")


@login_required
@require_POST
def post_message(request, uuid):
    dossier = _agent_dossier(request, uuid)
    form = forms.MessageForm(request.POST, request.FILES)

    def action(data):
        message_post(
            dossier=dossier, author=request.user, body=data["body"], internal=data["internal"],
            upload=data["attachment"],
        )
        return "Message publié."

    return _submit(request, dossier, key="message_form", form=form, action=action, error_field="attachment",
                   on_refusal=lambda refused: _ask_to_attach_again(refused, request.FILES.get("attachment")))


def _ask_to_attach_again(form, upload) -> None:
    """A browser cannot refill a file field: say so when the file was fine but the message was refused."""
    if upload is not None and not form.has_error("attachment"):
        form.add_error("attachment", f"Le fichier « {upload.name} » n’a pas été enregistré : joignez-le de nouveau.")


def _message_for(request, pk) -> Message:
    message = get_object_or_404(Message.objects.select_related("dossier"), pk=pk)
    dossier = message.dossier
    agent = rules.dossiers_for_instruction(request.user).filter(pk=dossier.pk).exists()
    applicant = not message.internal and dossier_rules.dossiers_visible_to(request.user).filter(pk=dossier.pk).exists()
    if not (agent or applicant) or not message.attachment:
        raise Http404("Pièce introuvable")
    return message


@login_required
def message_attachment(request, pk):
    message = _message_for(request, pk)
    return scanned_file_download(request, file=message.attachment, state=message.attachment_scan_state,
                                 name=message.attachment_name)


@login_required
def exchanges(request, uuid):
    """The applicant's side: the open request for complements and the messages with the agents."""
    dossier = dossier_rules.dossiers_visible_to(request.user).select_related("wave", "track").filter(uuid=uuid).first()
    if dossier is None:
        raise Http404("Dossier introuvable")
    form = forms.ApplicantMessageForm(request.POST or None, request.FILES or None)
    answer_refused, status = None, 200
    if request.method == "POST":
        if "complements_done" in request.POST:
            answer = request.POST.get("answer", "")
            try:
                complements_answer(dossier=dossier, answer=answer, by=request.user)
            except InstructionError as exc:
                answer_refused, status = {"answer": answer, "error": str(exc)}, 400
                form = forms.ApplicantMessageForm()
            else:
                messages.success(request, "Merci : l’instruction reprend avec vos compléments.")
                return redirect("instruction:exchanges", uuid=dossier.uuid)
        elif form.is_valid():
            try:
                message_post(
                    dossier=dossier,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    upload=form.cleaned_data["attachment"],
                )
            except InstructionError as exc:
                form.add_error("attachment", str(exc))
            else:
                messages.success(request, "Message envoyé.")
                return redirect("instruction:exchanges", uuid=dossier.uuid)
        if form.errors:
            _ask_to_attach_again(form, request.FILES.get("attachment"))
            status = 400
    open_request = open_complement_request(dossier)
    return render(
        request,
        "instruction/exchanges.html",
        {
            "dossier": dossier,
            "form": form,
            "open_request": open_request,
            # Past its deadline a request cannot be answered, even before the worker marks it expired.
            "open_request_late": open_request is not None and open_request.due_at <= timezone.now(),
            "past_requests": dossier.complement_requests.exclude(state=ComplementState.OPEN).prefetch_related("items"),
            "messages_list": dossier.messages.filter(internal=False).select_related("author").order_by("created_at"),
            "instruction": getattr(dossier, "instruction", None),
            "answer_refused": answer_refused,
        },
        status=status,
    )


@login_required
def groups(request, slug):
    call = get_object_or_404(Call, slug=slug)
    if not account_rules.can_invite_agents(request.user, call):
        raise PermissionDenied
    form = forms.GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group_save(
                call=call,
                name=form.cleaned_data["name"],
                regions=form.cleaned_data["regions"],
                departements=form.cleaned_data["departements"].split(","),
                member_emails=form.cleaned_data["members"].split(","),
                by=request.user,
            )
        except InstructionError as exc:
            form.add_error("members", str(exc))
        else:
            messages.success(request, "Groupe enregistré.")
            return redirect("instruction:groups", slug=call.slug)
    national_group(call=call)
    groups = InstructionGroup.objects.filter(call=call).prefetch_related("rules", "members")
    return render(request, "instruction/groups.html", {"call": call, "form": form, "groups": groups})


@login_required
def attachment(request, uuid, file_uuid):
    """An agent downloads a dossier's attachment (only for dossiers they may see)."""
    dossier = _agent_dossier(request, uuid)
    item = get_object_or_404(dossier.attachments, uuid=file_uuid)
    return scanned_file_download(request, file=item.file, state=item.scan_state, name=item.original_name,
                                 kind=item.detected_type)


@login_required
@require_POST
def territory_class(request, uuid):
    form = forms.TerritoryClassForm(request.POST)

    def action(dossier):
        if not form.is_valid():
            raise InstructionError("Choix invalide.")
        territory_class_set(
            dossier=dossier,
            by=request.user,
            is_rural=form.value(form.cleaned_data["is_rural"]),
            is_qpv=form.value(form.cleaned_data["is_qpv"]),
        )
        return "Classement du territoire enregistré."

    return _act(request, uuid, action)
