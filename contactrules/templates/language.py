"""Language codes of message templates: a BCP 47 primary language subtag, such as ``en``.

Why so strict: the engine will pick a template by the consumer's language and a ``template``
rule looks up its phrases by the same code, so ``EN``, ``en_US``, ``eng`` and ``en`` must not
be four languages. BCP 47 (RFC 5646, section 2.2.1) writes the primary subtag in lower case and
takes the two-letter ISO 639-1 code where one exists; a three-letter ISO 639-2/3 code only for a
language without one (``hmn``, Hmong). Region and script subtags (``es-MX``) are refused for now:
a registry names one text per language, and the registry says which jurisdictions it serves.

The table below pairs every ISO 639-2 code (terminology and bibliographic) of a language that
has an ISO 639-1 code with that code, as the Debian ``iso-codes`` data lists them (184 two-letter
codes). Its values are the two-letter codes accepted; its keys are the three-letter spellings
refused with the two-letter code suggested. Other three-letter codes are checked for their form
only: the full ISO 639-3 list (about 8,000 codes) is not shipped.
"""

from __future__ import annotations

__all__ = ["TWO_LETTER", "check_language", "normalise_language"]

_PAIRS = (
    "aar:aa abk:ab afr:af aka:ak alb:sq amh:am ara:ar arg:an arm:hy asm:as ava:av ave:ae "
    "aym:ay aze:az bak:ba bam:bm baq:eu bel:be ben:bn bih:bh bis:bi bod:bo bos:bs bre:br "
    "bul:bg bur:my cat:ca ces:cs cha:ch che:ce chi:zh chu:cu chv:cv cor:kw cos:co cre:cr "
    "cym:cy cze:cs dan:da deu:de div:dv dut:nl dzo:dz ell:el eng:en epo:eo est:et eus:eu "
    "ewe:ee fao:fo fas:fa fij:fj fin:fi fra:fr fre:fr fry:fy ful:ff geo:ka ger:de gla:gd "
    "gle:ga glg:gl glv:gv gre:el grn:gn guj:gu hat:ht hau:ha heb:he her:hz hin:hi hmo:ho "
    "hrv:hr hun:hu hye:hy ibo:ig ice:is ido:io iii:ii iku:iu ile:ie ina:ia ind:id ipk:ik "
    "isl:is ita:it jav:jv jpn:ja kal:kl kan:kn kas:ks kat:ka kau:kr kaz:kk khm:km kik:ki "
    "kin:rw kir:ky kom:kv kon:kg kor:ko kua:kj kur:ku lao:lo lat:la lav:lv lim:li lin:ln "
    "lit:lt ltz:lb lub:lu lug:lg mac:mk mah:mh mal:ml mao:mi mar:mr may:ms mkd:mk mlg:mg "
    "mlt:mt mon:mn mri:mi msa:ms mya:my nau:na nav:nv nbl:nr nde:nd ndo:ng nep:ne nld:nl "
    "nno:nn nob:nb nor:no nya:ny oci:oc oji:oj ori:or orm:om oss:os pan:pa per:fa pli:pi "
    "pol:pl por:pt pus:ps que:qu roh:rm ron:ro rum:ro run:rn rus:ru sag:sg san:sa sin:si "
    "slk:sk slo:sk slv:sl sme:se smo:sm sna:sn snd:sd som:so sot:st spa:es sqi:sq srd:sc "
    "srp:sr ssw:ss sun:su swa:sw swe:sv tah:ty tam:ta tat:tt tel:te tgk:tg tgl:tl tha:th "
    "tib:bo tir:ti ton:to tsn:tn tso:ts tuk:tk tur:tr twi:tw uig:ug ukr:uk urd:ur uzb:uz "
    "ven:ve vie:vi vol:vo wel:cy wln:wa wol:wo xho:xh yid:yi yor:yo zha:za zho:zh zul:zu "
)
_THREE_TO_TWO: dict[str, str] = dict(pair.split(":") for pair in "".join(_PAIRS).split())
TWO_LETTER: frozenset[str] = frozenset(_THREE_TO_TWO.values())
"""Every ISO 639-1 code: the primary subtags of two letters."""

#: ISO 639-1 codes withdrawn in favour of another; BCP 47 writes the newer one.
_WITHDRAWN = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "sh": "sr"}
#: Special ISO 639-2 codes that name no language a message can be written in.
_NOT_A_LANGUAGE = frozenset({"und", "mul", "mis", "zxx"})


def _is_lower_ascii(text: str) -> bool:
    return text.isascii() and text.isalpha() and text.islower()


def check_language(value: str) -> str:
    """The code itself when it is a primary language subtag, else a ``ValueError`` saying why.

    The message suggests the code to write: ``en`` for ``EN``, ``en-US``, ``en_US`` or ``eng``.
    """
    if value in TWO_LETTER:
        return value
    if len(value) == 3 and _is_lower_ascii(value) and value not in _THREE_TO_TWO:
        if value in _NOT_A_LANGUAGE:
            raise ValueError(
                f'"{value}" names no single language; write the language of the text, such as "en"'
            )
        return value
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    primary = _THREE_TO_TWO.get(primary, _WITHDRAWN.get(primary, primary))
    hint = f'; did you mean "{primary}"?' if primary in TWO_LETTER else ""
    raise ValueError(
        f'"{value}" is not a language code; write the BCP 47 primary language subtag, a '
        f'lower-case ISO 639-1 code such as "en" or "es", without a region{hint}'
    )


def normalise_language(value: str | None) -> str | None:
    """A language as stated in a consumer's record, as the primary subtag templates use; ``None``
    when nothing is stated or it names no language.

    Consumer records come from other systems, which write ``es-MX``, ``ES``, ``es_US`` or
    ``spa`` for Spanish; a ``when: languages`` condition or a template lookup must read them all
    as ``es``. A value that is no language code (``Spanish``, ``und``, ``xx-1``) is ``None``:
    the caller treats the language as unknown, never as some language.
    """
    if value is None:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    primary = _THREE_TO_TWO.get(primary, _WITHDRAWN.get(primary, primary))
    try:
        return check_language(primary)
    except ValueError:
        return None
