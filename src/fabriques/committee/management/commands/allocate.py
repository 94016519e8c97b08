import json

from django.core.management.base import BaseCommand, CommandError

from fabriques.calls.models import Wave
from fabriques.committee import allocation
from fabriques.committee.candidates import (
    amounts_of,
    candidate_dossiers,
    candidates_from,
    default_targets,
    solver_scenario,
)
from fabriques.committee.domain import scenario_solve, wave_calibrate
from fabriques.committee.models import Scenario


class Command(BaseCommand):
    help = "Choose the laureates of a wave (MILP) and print the result beside the plain by-rank list."

    def add_arguments(self, parser):
        parser.add_argument("--wave", required=True, help="slug of the wave")
        parser.add_argument("--call", help="slug of the call (when several calls have a wave with that slug)")
        parser.add_argument("--scenario", help="name of a saved scenario (its pins, amounts and targets)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options):
        waves = Wave.objects.filter(slug=options["wave"]).select_related("call")
        if options["call"]:
            waves = waves.filter(call__slug=options["call"])
        if waves.count() != 1:
            raise CommandError(f"wave {options['wave']!r}: {waves.count()} found; give --call")
        wave = waves.get()
        if options["scenario"]:
            scenario = Scenario.objects.filter(wave=wave, name=options["scenario"]).first()
            if scenario is None:
                raise CommandError(f"no scenario {options['scenario']!r} for wave {wave.slug}")
            data = scenario_solve(scenario=scenario, by=None).result
        else:
            calibration = wave_calibrate(wave=wave)
            candidates = candidates_from(list(candidate_dossiers(wave)), use_calibrated=True, pins={}, amounts={})
            if not candidates:
                raise CommandError(f"wave {wave.slug}: no evaluated dossier")
            result = allocation.allocate(
                candidates=candidates,
                scenario=solver_scenario(name="défaut", envelope=wave.envelope_eur or 0, targets=default_targets(wave)),
            )
            data = result.as_dict()
            data["calibration"] = {k: v for k, v in calibration.items() if k != "biases"}
        refs = dict(candidate_dossiers(wave).values_list("pk", "reference"))
        amounts = amounts_of(data)  # a list of {"id", "amount"} in the stored result
        out = {
            "wave": wave.slug,
            "status": data["status"],
            "message": data.get("message"),
            "chosen": [
                {"dossier": refs.get(int(i), i), "amount_eur": amounts.get(int(i))} for i in data["chosen"]
            ],
            "objective": data["objective"],
            "budget_used": data["budget_used"],
            "envelope": data["envelope"],
            "targets": data["targets"],
            "by_rank": {
                "objective": data["baseline"]["objective"],
                "budget_used": data["baseline"]["budget_used"],
                "chosen": [refs.get(int(i), i) for i in data["baseline"]["chosen"]],
            },
        }
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(
            f"{wave.title}: {out['status']} — {len(out['chosen'])} laureates, objective "
            f"{out['objective']:.2f}, budget {out['budget_used']} / {out['envelope']} EUR"
        )
        self.stdout.write(
            f"by rank: objective {out['by_rank']['objective']:.2f}, budget {out['by_rank']['budget_used']}"
        )
        for t in out["targets"]:
            self.stdout.write(f"  {'OK ' if t['met'] else 'NOT'} {t['label']}: {t['achieved']}/{t['required']}")
