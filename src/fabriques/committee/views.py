"""Committee pages: the session (ranking, scenarios, solver), a dossier's scores, decisions, outbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from fabriques.accounts.capabilities import capability_required
from fabriques.calls.models import Wave
from fabriques.committee import domain, queries, rules
from fabriques.committee.candidates import candidate_dossiers
from fabriques.committee.enums import OutboxState, Outcome
from fabriques.committee.models import Decision, OutboxMessage, Scenario
from fabriques.committee.templatetags.committee_tags import RankingRows
from fabriques.dossiers import queries as dossier_queries
from fabriques.dossiers import rules as dossier_rules
from fabriques.evaluation.models import Evaluation
from fabriques.evaluation.queries import counted
from fabriques.instruction.preferences import page_size_chosen
from fabriques.refusal import Refusal, refusal_to_messages
from fabriques.theme.links import url_stem
from fabriques.theme.streaming import streamed_page


def _wave(request, call_slug, wave_slug, *, apply=False) -> Wave:
    wave = get_object_or_404(Wave.objects.select_related("call"), call__slug=call_slug, slug=wave_slug)
    allowed = rules.can_apply if apply else rules.can_sit
    if not allowed(request.user, wave.call):
        raise PermissionDenied
    return wave


def _wave_of(*, call_slug, wave_slug, **_) -> Wave:
    """The wave a committee page is on (404 when absent), for `capability_required`."""
    return get_object_or_404(Wave.objects.select_related("call"), call__slug=call_slug, slug=wave_slug)


def _kept(request) -> dict:
    """The rows per page and the page a committee page shows, kept across its forms (valid values only)."""
    kept = {}
    if request is not None and request.GET.get("taille") in queries.PAGE_SIZES:
        kept["taille"] = request.GET["taille"]
    if request is not None and _int(request.GET.get("page"), maximum=10**9):
        kept["page"] = request.GET["page"]
    return kept


def _session_url(wave, scenario=None, request=None) -> str:
    """The session page, on `scenario`, at the rows per page and page the request showed."""
    url = reverse("committee:session", args=[wave.call.slug, wave.slug])
    params = {"scenario": scenario.pk} if scenario else {}
    params.update(_kept(request))
    return f"{url}?{urlencode(params)}" if params else url


def _scenario(wave, pk) -> Scenario:
    return get_object_or_404(Scenario, wave=wave, pk=pk)


ROW_ID_MAX = 2**63 - 1  # a primary key (BigAutoField): above it SQLite raises OverflowError
AMOUNT_MAX = 2_147_483_647  # an amount column (PositiveIntegerField: integer on PostgreSQL)
ENVELOPE_MAX = 10**15  # an envelope (PositiveBigIntegerField), kept exact in the solver's floats


def _int(value, *, maximum: int = ROW_ID_MAX) -> int | None:
    """A typed whole number ("1 000 000" allowed), or None when it is not one or lies beyond ±maximum."""
    try:
        number = int(str(value).replace(" ", "").replace("\u202f", "").replace("\xa0", ""))
    except (TypeError, ValueError):
        return None
    return number if -maximum <= number <= maximum else None


@capability_required("committee.sit", _wave_of)
def session(request, wave, call_slug, wave_slug):
    return _session_page(request, wave, _int(request.GET.get("scenario")))


def _session_page(request, wave, scenario_pk, *, refused=None, status=200):
    """The session page; `refused` brings back what a refused form held (typed values and the error)."""
    scenarios = list(Scenario.objects.filter(wave=wave).order_by("-chosen", "-created_at"))
    scenario = next((s for s in scenarios if s.pk == scenario_pk), scenarios[0] if scenarios else None)
    page_size = page_size_chosen(user=request.user, asked=request.GET.get("taille", ""))
    data = queries.session(wave, scenario, page_size=page_size, page_number=request.GET.get("page"))
    kept = _kept(request)
    taille = {"taille": kept["taille"]} if "taille" in kept else {}
    context = {
        "wave": wave,
        "call": wave.call,
        "scenarios": scenarios,
        "scenario": scenario,
        "session": data,
        "result": scenario.result if scenario else {},
        "can_apply": rules.can_apply(request.user, wave.call),  # the « Courriers » tab
        "refused": refused,
        "page_size": page_size,
        "page_sizes": queries.PAGE_SIZES,
        "streamed": page_size == "all",
        "page_query": urlencode(kept),  # on the forms' actions: back to the same rows after a choice
        "taille_query": urlencode(taille),  # on the scenarios' links
        "nav_query": urlencode({**({"scenario": scenario.pk} if scenario else {}), **taille}),
        "dossier_url": url_stem("committee:dossier"),
        "adjust_url": (url_stem("committee:scenario-dossier", wave.call.slug, wave.slug, scenario.pk)
                       if scenario else ""),
    }
    if page_size == "all":
        renderer = RankingRows(scenario=scenario, refused=refused, csrf_token=get_token(request),
                               dossier_url=context["dossier_url"], adjust_url=context["adjust_url"],
                               page_query=context["page_query"])
        return streamed_page(request, "committee/session.html", context, data.rows, renderer.render, status=status)
    return render(request, "committee/session.html", context, status=status)




def _act(request, wave, action, scenario=None, typed=None):
    """Run a session action; when refused, the page again (400) with the `typed` values, or else a message."""
    try:
        text = action()
    except Refusal as exc:
        if typed is not None:
            refused = {**typed, "error": str(exc)}
            return _session_page(request, wave, scenario.pk if scenario else None, refused=refused, status=400)
        messages.error(request, str(exc))
    else:
        messages.success(request, text)
    return redirect(_session_url(wave, scenario, request))


@login_required
@require_POST
def scenario_create(request, call_slug, wave_slug):
    wave = _wave(request, call_slug, wave_slug)
    source = Scenario.objects.filter(wave=wave, pk=_int(request.POST.get("copy_from"))).first()
    holder = {}

    def action():
        holder["s"] = domain.scenario_create(
            wave=wave, name=request.POST.get("name", ""), by=request.user, copy_from=source
        )
        return f"Scénario « {holder['s'].name} » créé."

    typed = {"form": "create", "name": request.POST.get("name", ""), "copy": source is not None}
    response = _act(request, wave, action, source, typed=typed)
    return redirect(_session_url(wave, holder["s"], request)) if "s" in holder else response


@login_required
@require_POST
def scenario_settings(request, call_slug, wave_slug, pk):
    wave = _wave(request, call_slug, wave_slug)
    scenario = _scenario(wave, pk)

    def action():
        typed_envelope = request.POST.get("envelope_eur")
        if _int(typed_envelope, maximum=10**400) is None:
            raise domain.CommitteeError("L’enveloppe doit être un nombre entier d’euros.")
        envelope = _int(typed_envelope, maximum=ENVELOPE_MAX)
        if envelope is None or envelope < 0:
            raise domain.CommitteeError("L’enveloppe doit être comprise entre 0 et 1 000 000 000 000 000 €.")
        targets = []
        for i, target in enumerate(scenario.targets):
            value = _int(request.POST.get(f"target-{i}"), maximum=AMOUNT_MAX)
            if value is None or value < 0:
                raise domain.CommitteeError(f"Valeur invalide pour la cible « {target.get('label')} ».")
            targets.append({**target, "value": value})
        domain.scenario_settings(
            scenario=scenario,
            envelope_eur=envelope,
            targets=targets,
            use_calibrated=request.POST.get("use_calibrated") == "on",
            by=request.user,
        )
        return "Réglages du scénario enregistrés : relancez le calcul."

    typed = {
        "form": "settings",
        "envelope_eur": request.POST.get("envelope_eur", ""),
        "targets": [request.POST.get(f"target-{i}", "") for i in range(len(scenario.targets))],
        "use_calibrated": request.POST.get("use_calibrated") == "on",
    }
    return _act(request, wave, action, scenario, typed=typed)


@login_required
@require_POST
def scenario_solve(request, call_slug, wave_slug, pk):
    wave = _wave(request, call_slug, wave_slug)
    scenario = _scenario(wave, pk)

    def action():
        domain.scenario_solve(scenario=scenario, by=request.user)
        result = scenario.result
        if result.get("status") not in ("optimal", "feasible"):
            raise domain.CommitteeError(result.get("message") or "Aucune solution ne respecte toutes les cibles.")
        return f"Calcul terminé : {len(result['chosen'])} lauréats proposés."

    return _act(request, wave, action, scenario)


@login_required
@require_POST
def scenario_dossier(request, call_slug, wave_slug, pk, uuid):
    """Pin a dossier in or out, or adjust its amount, in one scenario."""
    wave = _wave(request, call_slug, wave_slug)
    scenario = _scenario(wave, pk)
    dossier = candidate_dossiers(wave).filter(uuid=uuid).first()
    if dossier is None:
        raise Http404("Dossier introuvable")

    def action():
        reason = request.POST.get("reason", "")
        if "pin" in request.POST:
            kind = request.POST["pin"] or None
            domain.scenario_pin(scenario=scenario, dossier=dossier, kind=kind, reason=reason, by=request.user)
            return f"{dossier.reference} : choix enregistré."
        amount = request.POST.get("amount_eur", "").strip()
        value = _int(amount, maximum=AMOUNT_MAX) if amount else None
        if amount and value is None:
            raise domain.CommitteeError("Le montant doit être un nombre entier d’euros.")
        domain.scenario_amount(scenario=scenario, dossier=dossier, amount_eur=value, reason=reason, by=request.user)
        return f"{dossier.reference} : montant enregistré."

    typed = {"form": "pin" if "pin" in request.POST else "amount", "dossier_pk": dossier.pk,
             **{key: request.POST.get(key, "") for key in ("pin", "reason", "amount_eur")}}
    return _act(request, wave, action, scenario, typed=typed)


@login_required
@require_POST
def scenario_choose(request, call_slug, wave_slug, pk):
    wave = _wave(request, call_slug, wave_slug)
    scenario = _scenario(wave, pk)
    return _act(
        request,
        wave,
        lambda: (domain.scenario_choose(scenario=scenario, by=request.user), "Scénario retenu.")[1],
        scenario,
    )


@login_required
def compare(request, call_slug, wave_slug):
    wave = _wave(request, call_slug, wave_slug)
    scenarios = list(Scenario.objects.filter(wave=wave).exclude(result={}).order_by("created_at"))
    refs = dict(candidate_dossiers(wave).values_list("pk", "reference"))
    for s in scenarios:
        s.chosen_refs = sorted(refs.get(int(i), str(i)) for i in s.result.get("chosen", []))
    return render(request, "committee/compare.html", {"wave": wave, "call": wave.call, "scenarios": scenarios})


@login_required
def dossier(request, uuid):
    candidate = (
        rules.dossiers_for_committee(request.user)
        .select_related("track", "organisation", "place_commune", "wave__call")
        .filter(uuid=uuid)
        .first()
    )
    if candidate is None:
        raise Http404("Dossier introuvable")
    evaluations = list(
        Evaluation.objects.filter(counted(), assignment__dossier=candidate)
        .select_related("assignment__evaluator")
        .prefetch_related("scores__criterion")
    )
    criteria = list(candidate.track.criteria.order_by("position"))
    grid = [
        {
            "criterion": c,
            "scores": [next((s for s in e.scores.all() if s.criterion_id == c.pk), None) for e in evaluations],
        }
        for c in criteria
    ]
    return render(
        request,
        "committee/dossier.html",
        {
            "dossier": candidate,
            "evaluations": evaluations,
            "grid": grid,
            "score": getattr(candidate, "score", None),
            "below_threshold": _below_threshold_titles(candidate, criteria),
            "deposited": dossier_queries.deposited_version(candidate),
            "criteria": criteria,
        },
    )


def _below_threshold_titles(dossier, criteria) -> list[str]:
    score = getattr(dossier, "score", None)
    codes = set(score.below_threshold) if score is not None else set()
    return [c.title for c in criteria if c.code in codes]


@login_required
def decisions(request, call_slug, wave_slug):
    wave = _wave(request, call_slug, wave_slug)
    if request.method == "POST":
        return _decisions_post(request, wave)
    return _decisions_page(request, wave)


def _decisions_page(request, wave, *, refused=None, status=200):
    """The staged and applied decisions a page at a time; a refused edit comes back with what was typed and the error.

    Totals (granted, staged) are over the whole wave; « Tous » streams every decision.
    """
    page_size = page_size_chosen(user=request.user, asked=request.GET.get("taille", ""))
    data = queries.decisions(wave, page_size=page_size, page_number=request.GET.get("page"))
    kept = _kept(request)
    context = {
        "wave": wave,
        "call": wave.call,
        "decisions": data,
        "can_apply": rules.can_apply(request.user, wave.call),
        "outcomes": Outcome.choices,
        "refused": refused,
        "solved_scenarios": Scenario.objects.filter(wave=wave, solved_at__isnull=False).only("pk", "name", "chosen"),
        "page_size": page_size,
        "page_sizes": queries.PAGE_SIZES,
        "streamed": page_size == "all",
        "page_query": urlencode(kept),
        "nav_query": urlencode({"taille": kept["taille"]} if "taille" in kept else {}),
    }
    if page_size == "all":
        template, chunk_context = get_template("committee/_decision_rows.html"), {**context,
                                                                                  "csrf_token": get_token(request)}
        return streamed_page(request, "committee/decisions.html", context, data.rows,
                             lambda batch: template.render({**chunk_context, "rows": batch}), status=status)
    return render(request, "committee/decisions.html", context, status=status)


def _decisions_url(wave, request) -> str:
    url = reverse("committee:decisions", args=[wave.call.slug, wave.slug])
    kept = _kept(request)
    return f"{url}?{urlencode(kept)}" if kept else url


def _decisions_post(request, wave):
    url = _decisions_url(wave, request)
    if "stage" not in request.POST and "apply" not in request.POST:
        return _decision_edit(request, wave)
    try:
        if "stage" in request.POST:
            scenario = _scenario(wave, _int(request.POST.get("scenario")))
            count = len(domain.decisions_stage(scenario=scenario, by=request.user))
            messages.success(request, f"{count} décisions préparées à partir de « {scenario.name} ».")
        else:
            if not rules.can_apply(request.user, wave.call):
                raise PermissionDenied
            count = domain.decisions_apply(wave=wave, by=request.user)
            messages.success(request, f"{count} décisions appliquées ; les courriers sont prêts dans la boîte d’envoi.")
    except Refusal as exc:
        refusal_to_messages(request, exc)
    return redirect(url)


def _decision_edit(request, wave):
    """Edit one staged decision; a refusal shows the page again with the outcome, amount and reasons typed."""
    decision = get_object_or_404(Decision, pk=_int(request.POST.get("decision")), dossier__wave=wave)
    typed = {key: request.POST.get(key, "") for key in ("outcome", "amount_eur", "reasons")}
    amount = typed["amount_eur"].strip()
    try:
        value = _int(amount, maximum=AMOUNT_MAX) if amount else None
        if amount and value is None:
            raise domain.CommitteeError("Le montant doit être un nombre entier d’euros.")
        domain.decision_edit(decision=decision, outcome=typed["outcome"], amount_eur=value,
                             reasons=typed["reasons"], by=request.user)
    except Refusal as exc:
        return _decisions_page(request, wave, refused={"pk": decision.pk, "error": str(exc), **typed}, status=400)
    messages.success(request, f"Décision de {decision.dossier.reference} modifiée.")
    return redirect(_decisions_url(wave, request))


@capability_required("committee.decide", _wave_of)
def outbox(request, wave, call_slug, wave_slug):
    if request.method == "POST":
        try:
            if "regenerate" in request.POST:
                count = domain.letters_draft(wave=wave)
                messages.success(request, f"{count} courriers régénérés.")
            elif "send_all" in request.POST:
                sent, failures = domain.outbox_send_all(wave=wave, by=request.user)
                messages.success(request, f"{sent} courrier{'s' if sent > 1 else ''} envoyé{'s' if sent > 1 else ''}.")
                if failures:
                    messages.error(request, "Non envoyés (restés en brouillon, réessayez) : " + " ; ".join(failures))
            else:
                message = get_object_or_404(OutboxMessage, pk=_int(request.POST.get("message")), dossier__wave=wave)
                domain.outbox_send(message=message, by=request.user)
                messages.success(request, f"Courrier envoyé à {message.recipient}.")
        except Refusal as exc:
            refusal_to_messages(request, exc)
        return redirect("committee:outbox", call_slug=wave.call.slug, wave_slug=wave.slug)
    items = OutboxMessage.objects.filter(dossier__wave=wave).select_related("dossier", "sent_by")
    return render(
        request,
        "committee/outbox.html",
        {
            "wave": wave,
            "call": wave.call,
            "items": items,
            "drafts": sum(1 for i in items if i.state == OutboxState.DRAFT),
        },
    )


@login_required
def letter(request, pk):
    """The letter PDF: for admins of the call, and for the dossier's people once the letter is sent."""
    message = get_object_or_404(OutboxMessage.objects.select_related("dossier__wave__call"), pk=pk)
    dossier = message.dossier
    agent = rules.can_apply(request.user, dossier.wave.call) or rules.can_sit(request.user, dossier.wave.call)
    applicant = (
        message.state == OutboxState.SENT
        and dossier_rules.dossiers_visible_to(request.user).filter(pk=dossier.pk).exists()
    )
    if not (agent or applicant) or not message.letter:
        raise Http404("Courrier introuvable")
    return FileResponse(message.letter.open("rb"), as_attachment=True, filename=f"decision-{dossier.reference}.pdf")


@login_required
def applicant_decision(request, uuid):
    """The applicant reads the decision, its reasons and downloads the letter."""
    found = dossier_rules.dossiers_visible_to(request.user).select_related("wave__call", "track").filter(uuid=uuid)
    dossier_ = found.first()
    if dossier_ is None:
        raise Http404("Dossier introuvable")
    decision = Decision.objects.filter(dossier=dossier_, applied_at__isnull=False).first()
    sent = OutboxMessage.objects.filter(dossier=dossier_, state=OutboxState.SENT).order_by("-sent_at").first()
    return render(
        request, "committee/applicant_decision.html", {"dossier": dossier_, "decision": decision, "letter": sent}
    )
