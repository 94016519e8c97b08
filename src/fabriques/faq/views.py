"""FAQ pages: the public FAQ of a call (search, by theme or criterion), asking, following, the team's inbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fabriques.accounts.capabilities import require
from fabriques.calls.models import Call
from fabriques.dossiers.domain import DossierError
from fabriques.faq import domain, queries, rules
from fabriques.faq.enums import SEARCH_MAX_LENGTH, QuestionState
from fabriques.faq.forms import AnswerForm, AskForm
from fabriques.faq.models import FaqFollow


def _call_or_404(slug) -> Call:
    call = Call.objects.filter(slug=slug).first()
    if call is None:
        raise Http404("Appel introuvable")
    return call


def faq(request, slug):
    call = _call_or_404(slug)
    search = request.GET.get("q", "")[:SEARCH_MAX_LENGTH]
    by = "critere" if request.GET.get("par") == "critere" else "theme"
    following = (request.user.is_authenticated
                 and FaqFollow.objects.filter(user=request.user, call=call).exists())
    context = {"call": call, "groups": queries.faq(call, search=search, by=by), "search": search, "by": by,
               "following": following}
    return render(request, "faq/faq.html", context)


@login_required
def ask(request, slug):
    call = _call_or_404(slug)
    form = AskForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            domain.question_ask(call=call, by=request.user, text=form.cleaned_data["text"],
                                criterion=form.cleaned_data["criterion"])
        except DossierError as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, "Question envoyée à l’équipe du programme. Vous recevrez la réponse par "
                                      "courriel ; elle figure aussi dans « Mes questions ».")
            return redirect("faq:mine")
    return render(request, "faq/ask.html", {"call": call, "form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def follow(request, slug):
    call = _call_or_404(slug)
    following = domain.faq_follow(call=call, user=request.user, follow=request.POST.get("suivre") == "1")
    messages.success(request, "Vous recevrez un courriel quand de nouvelles réponses seront publiées."
                     if following else "Vous ne suivez plus cette FAQ.")
    return redirect("faq:faq", slug=call.slug)


@login_required
def mine(request):
    questions = rules.questions_of(request.user).select_related("call").order_by("-asked_at")
    return render(request, "faq/mine.html", {"questions": questions})


def _team_call(request, slug) -> Call:
    call = _call_or_404(slug)
    require(request.user, "faq.answer", call, "Réservé à l’équipe du programme de cet appel.")
    return call


@login_required
def team(request, slug):
    call = _team_call(request, slug)
    state = request.GET.get("etat", QuestionState.ASKED)
    if state not in QuestionState.values:
        state = QuestionState.ASKED
    questions = rules.questions_for_team(request.user, call).filter(state=state).select_related("criterion")
    return render(request, "faq/team.html", {"call": call, "questions": questions.order_by("asked_at"),
                                             "state": state, "states": QuestionState.choices})


@login_required
def answer(request, slug, pk):
    call = _team_call(request, slug)
    question = get_object_or_404(rules.questions_for_team(request.user, call).select_related("asked_by", "call"),
                                 pk=pk)
    initial = {"answer": question.answer, "public_question": question.public_question,  # never the raw text
               "theme": question.theme, "criterion": question.criterion_id,
               "to": QuestionState.PUBLISHED if question.state != QuestionState.PUBLISHED else QuestionState.ANSWERED}
    form = AnswerForm(request.POST or None, call=call, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            domain.question_transition(question, data["to"], by=request.user, answer=data["answer"],
                                       public_question=data["public_question"], theme=data["theme"],
                                       criterion=data["criterion"])
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Réponse publiée dans la FAQ." if data["to"] == QuestionState.PUBLISHED
                             else "Réponse envoyée à la personne.")
            return redirect("faq:team", slug=call.slug)
    return render(request, "faq/answer.html", {"call": call, "question": question, "form": form},
                  status=400 if form.errors else 200)
