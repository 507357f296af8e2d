"""A synthetic watch list of persons from many cultures, and queries planted in it.

Names come from Faker's locale pools (Cyrillic, Greek, Han, Latin with diacritics) and a
table of Arabic names with their usual Latin spellings. The list keeps what a published
list keeps: a Latin name, sometimes the native script as an alias, birth date, nationality
and often a passport. Pools are finite, so namesakes occur as they do in real lists.

Planted queries take a listed person and change the name the way screening meets it:
a typing error, swapped order, another script or romanisation, an initial or a dropped
middle name, diacritics folded, or two of these at once. Absent queries are new persons
drawn from the same pools.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, replace

import iuliia
from faker import Faker
from rigour.text.translit import ascii_text

# Arabic names: script and the Latin spellings found on lists and passports.
ARABIC_GIVEN = {
    "محمد": ("Muhammad", "Mohammed", "Mohamed", "Mohammad"),
    "أحمد": ("Ahmad", "Ahmed"),
    "علي": ("Ali",),
    "حسن": ("Hassan", "Hasan"),
    "حسين": ("Hussein", "Husain", "Hussain"),
    "عمر": ("Omar", "Umar"),
    "عبد الله": ("Abdullah", "Abdallah", "Abdulla"),
    "خالد": ("Khalid", "Khaled"),
    "يوسف": ("Youssef", "Yusuf", "Yousef"),
    "إبراهيم": ("Ibrahim", "Ebrahim"),
    "مصطفى": ("Mustafa", "Mostafa"),
    "محمود": ("Mahmoud", "Mahmud"),
    "سعيد": ("Saeed", "Said"),
    "كريم": ("Karim", "Kareem"),
    "طارق": ("Tariq", "Tarek", "Tareq"),
    "وليد": ("Walid", "Waleed"),
    "فيصل": ("Faisal", "Faysal"),
    "ناصر": ("Nasser", "Nasir"),
    "جمال": ("Jamal", "Gamal"),
    "سليم": ("Salim", "Selim"),
    "فاطمة": ("Fatima", "Fatma"),
    "عائشة": ("Aisha", "Aysha"),
    "مريم": ("Maryam", "Mariam"),
    "زينب": ("Zainab", "Zeinab"),
    "ليلى": ("Layla", "Leila"),
    "أمينة": ("Amina", "Aminah"),
    "نور": ("Nour", "Noor", "Nur"),
    "سارة": ("Sara", "Sarah"),
    "هدى": ("Huda", "Hoda"),
    "رنا": ("Rana",),
    "دينا": ("Dina", "Deena"),
    "سلمى": ("Salma", "Selma"),
    "ياسمين": ("Yasmin", "Yasmine"),
    "خديجة": ("Khadija", "Khadidja"),
}
ARABIC_MALE_MORE = {
    "سامي": ("Sami", "Samy"),
    "رامي": ("Rami", "Ramy"),
    "باسم": ("Basim", "Bassem"),
    "هشام": ("Hisham", "Hesham"),
    "عماد": ("Imad", "Emad"),
    "زياد": ("Ziad", "Ziyad"),
    "ماجد": ("Majid", "Maged"),
    "عادل": ("Adel", "Adil"),
    "منير": ("Munir", "Mounir"),
    "رشيد": ("Rashid", "Rachid"),
    "أنس": ("Anas",),
    "بلال": ("Bilal", "Belal"),
}
ARABIC_FAMILY = {
    "حداد": ("Haddad",),
    "خوري": ("Khoury", "Khouri"),
    "منصور": ("Mansour", "Mansur"),
    "صالح": ("Saleh", "Salih"),
    "حمدان": ("Hamdan",),
    "قريشي": ("Qureshi", "Kureishi"),
    "الرحمن": ("Al-Rahman", "Alrahman"),
    "عباس": ("Abbas",),
    "درويش": ("Darwish", "Darwich"),
    "سليمان": ("Suleiman", "Sulaiman", "Soliman"),
    "ياسين": ("Yassin", "Yasin"),
    "عزيز": ("Aziz",),
    "فاروق": ("Farouk", "Faruq"),
    "غانم": ("Ghanem", "Ghanim"),
    "جابر": ("Jaber", "Jabir"),
    "قاسم": ("Kassem", "Qasim"),
    "عثمان": ("Othman", "Uthman", "Osman"),
    "الحسن": ("Al-Hassan", "Alhassan"),
    "الشامي": ("Al-Shami", "Alshami"),
    "النجار": ("Al-Najjar", "Alnajjar"),
    "المصري": ("Al-Masri", "Almasri"),
    "التميمي": ("Al-Tamimi", "Altamimi"),
    "الزهراني": ("Al-Zahrani", "Alzahrani"),
    "العبيدي": ("Al-Obaidi", "Alobaidi"),
    "الخطيب": ("Al-Khatib", "Alkhatib"),
    "البغدادي": ("Al-Baghdadi", "Albaghdadi"),
    "الحلبي": ("Al-Halabi", "Alhalabi"),
    "الدوري": ("Al-Douri", "Al-Duri"),
    "الجبوري": ("Al-Jubouri", "Al-Jabouri"),
    "الكبيسي": ("Al-Kubaisi", "Al-Kubaysi"),
    "العنزي": ("Al-Anazi", "Al-Enezi"),
    "القحطاني": ("Al-Qahtani", "Al-Kahtani"),
    "الغامدي": ("Al-Ghamdi", "Alghamdi"),
    "الشهري": ("Al-Shehri", "Al-Shahri"),
    "العتيبي": ("Al-Otaibi", "Al-Utaybi"),
    "الدوسري": ("Al-Dosari", "Al-Dossary"),
    "المطيري": ("Al-Mutairi", "Al-Mutayri"),
    "الحربي": ("Al-Harbi", "Alharbi"),
    "السعدي": ("Al-Saadi", "Alsaadi"),
    "الراشد": ("Al-Rashed", "Al-Rashid"),
    "الطائي": ("Al-Taie", "Al-Tai"),
    "البزاز": ("Al-Bazzaz", "Albazzaz"),
    "حجازي": ("Hijazi", "Hegazy", "Higazi"),
    "نصار": ("Nassar", "Nasar"),
    "عيسى": ("Issa", "Eissa"),
    "موسى": ("Moussa", "Musa", "Mousa"),
    "داود": ("Daoud", "Dawood", "Dawud"),
    "يعقوب": ("Yacoub", "Yaqub", "Yakoub"),
    "شحادة": ("Shehadeh", "Chehade", "Shahada"),
    "بركات": ("Barakat",),
    "زيدان": ("Zeidan", "Zaydan", "Zidane"),
    "سلامة": ("Salameh", "Salama"),
    "عودة": ("Odeh", "Awda"),
    "حمود": ("Hamoud", "Hammoud"),
    "شريف": ("Sharif", "Cherif", "Sherif"),
    "عوض": ("Awad", "Aouad"),
    "بدوي": ("Badawi", "Badawy"),
    "رزق": ("Rizk", "Rizq"),
    "سرور": ("Sorour", "Surur"),
    "طه": ("Taha",),
    "نجم": ("Najm", "Nagm"),
    "فرحات": ("Farhat",),
    "حلمي": ("Helmy", "Hilmi"),
    "رمضان": ("Ramadan", "Ramadhan"),
    "عاشور": ("Ashour", "Achour"),
    "مراد": ("Mourad", "Murad"),
    "جرادات": ("Jaradat",),
}
# (Faker locale, nationality, weight, script): "latin", "cyrillic", "greek", "han".
CULTURES = (
    ("en_US", "us", 12, "latin"),
    ("es_ES", "es", 10, "latin"),
    ("de_DE", "de", 7, "latin"),
    ("fr_FR", "fr", 7, "latin"),
    ("tr_TR", "tr", 6, "latin"),
    ("pl_PL", "pl", 6, "latin"),
    ("it_IT", "it", 5, "latin"),
    ("ru_RU", "ru", 14, "cyrillic"),
    ("uk_UA", "ua", 4, "cyrillic"),
    ("arabic", "sy", 14, "arabic"),
    ("zh_CN", "cn", 8, "han"),
    ("el_GR", "gr", 7, "greek"),
)
ROMANISATIONS = (iuliia.ICAO_DOC_9303, iuliia.BGN_PCGN, iuliia.SCIENTIFIC, iuliia.GOST_779)
KINDS = ("typo", "swapped", "transliterated", "initial_or_dropped", "diacritics", "combined")


@dataclass(frozen=True)
class Person:
    id: str
    culture: str
    script: str
    given: tuple[str, ...]  # in the native script (Arabic: the script key)
    family: tuple[str, ...]
    birth_date: str
    nationality: str
    gender: str
    passport: str | None
    spelling: int  # which Latin spelling the list uses (Arabic)

    def latin(self, spelling: int | None = None, scheme: object = iuliia.WIKIPEDIA) -> str:
        return " ".join(self._latin(p, spelling, scheme) for p in (*self.given, *self.family))

    def _latin(self, part: str, spelling: int | None, scheme: object) -> str:
        if self.script == "arabic":
            variants = ARABIC_GIVEN.get(part) or ARABIC_MALE_MORE.get(part) or ARABIC_FAMILY[part]
            return variants[(self.spelling if spelling is None else spelling) % len(variants)]
        if self.script == "cyrillic":
            return scheme.translate(part)  # type: ignore[attr-defined]
        if self.script in ("greek", "han"):
            return ascii_text(part).title().replace(" ", "")
        return part

    def native(self) -> str:
        if self.script == "han":
            return "".join(self.family + self.given)
        return " ".join(self.given + self.family)

    def listed_names(self) -> list[str]:
        names = [self.latin()]
        if self.script != "latin" and int(self.id[1:]) % 3 == 0:
            names.append(self.native())
        return names


class Pools:
    def __init__(self, seed: int) -> None:
        self.pools: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for locale, _, _, script in CULTURES:
            if script == "arabic":
                given = list(ARABIC_GIVEN)
                male = given[:20] + list(ARABIC_MALE_MORE)
                self.pools[locale] = (male, given[20:], list(ARABIC_FAMILY))
                continue
            fake = Faker(locale)
            fake.seed_instance(seed)
            male = sorted({fake.first_name_male() for _ in range(3000)})
            female = sorted({fake.first_name_female() for _ in range(3000)})
            family = sorted({fake.last_name() for _ in range(6000)})
            self.pools[locale] = (male, female, family)
        self.weights = [w for _, _, w, _ in CULTURES]

    def person(self, rng: random.Random, number: int) -> Person:
        locale, nationality, _, script = rng.choices(CULTURES, weights=self.weights)[0]
        male, female, family = self.pools[locale]
        is_male = rng.random() < 0.6
        given = [rng.choice(male if is_male else female)]
        if script == "arabic" or (script == "cyrillic" and rng.random() < 0.3):
            given.append(rng.choice(male))  # father's name / a second given name
        elif rng.random() < 0.15:
            given.append(rng.choice(male if is_male else female))
        surnames = [rng.choice(family)]
        if locale == "es_ES" and rng.random() < 0.6:
            surnames.append(rng.choice(family))
        year = rng.randint(1945, 2004)
        return Person(
            id=f"p{number}",
            culture=locale,
            script=script,
            given=tuple(given),
            family=tuple(surnames),
            birth_date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            nationality=nationality,
            gender="male" if is_male else "female",
            passport=f"{nationality.upper()}{rng.randint(10**7, 10**8 - 1)}"
            if rng.random() < 0.5
            else None,
            spelling=rng.randrange(4),
        )


def watch_list(size: int, seed: int = 7) -> tuple[Pools, list[Person]]:
    pools = Pools(seed)
    rng = random.Random(seed)
    return pools, [pools.person(rng, n) for n in range(size)]


@dataclass(frozen=True)
class Query:
    name: str
    birth_date: str | None
    nationality: str | None
    kind: str  # a variant kind, or "absent"
    target: str | None  # the planted person's id


def _typo(rng: random.Random, name: str) -> str:
    tokens = name.split()
    long = [i for i, t in enumerate(tokens) if len(t) >= 4] or list(range(len(tokens)))
    i = rng.choice(long)
    t = list(tokens[i])
    j = rng.randrange(1, len(t))
    op = rng.choice(("substitute", "delete", "insert", "transpose"))
    if op == "substitute":
        t[j] = rng.choice("aeioulnrstmk")
    elif op == "delete":
        del t[j]
    elif op == "insert":
        t.insert(j, rng.choice("aeioulnrst"))
    elif j < len(t) - 1:
        t[j], t[j + 1] = t[j + 1], t[j]
    else:
        t[j - 1], t[j] = t[j], t[j - 1]
    tokens[i] = "".join(t)
    return " ".join(tokens)


def _swapped(person: Person) -> str:
    latin = person.latin().split()
    return " ".join(latin[len(person.given) :] + latin[: len(person.given)])


def _transliterated(rng: random.Random, person: Person) -> str:
    if person.script == "cyrillic":
        choice = rng.randrange(len(ROMANISATIONS) + 1)
        if choice == len(ROMANISATIONS):
            return person.native()
        return person.latin(scheme=ROMANISATIONS[choice])
    if person.script == "arabic" and rng.random() < 0.5:
        return person.latin(spelling=person.spelling + 1 + rng.randrange(3))
    return person.native()


def _initial_or_dropped(rng: random.Random, person: Person) -> str:
    latin = person.latin().split()
    if len(latin) >= 3 and rng.random() < 0.5:
        del latin[1]  # the middle name is missing
    else:
        latin[0] = latin[0][0] + "."
    return " ".join(latin)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ı", "i")


def variant(rng: random.Random, person: Person, kind: str) -> str:
    if kind == "typo":
        return _typo(rng, person.latin())
    if kind == "swapped":
        return _swapped(person)
    if kind == "transliterated":
        return _transliterated(rng, person)
    if kind == "initial_or_dropped":
        return _initial_or_dropped(rng, person)
    if kind == "diacritics":
        return _folded(person.latin())
    first, second = rng.sample(("typo", "swapped", "transliterated", "diacritics"), 2)
    changed = replace(person, given=person.given, family=person.family)
    text = variant(rng, changed, first)
    if second == "typo":
        return _typo(rng, text)
    if second == "swapped":
        tokens = text.split()
        return " ".join(tokens[1:] + tokens[:1])
    if second == "diacritics":
        return _folded(text)
    return _typo(rng, text)  # a second change on an already transliterated name


def _eligible(person: Person, kind: str) -> bool:
    if kind == "transliterated":
        return person.script != "latin"
    if kind == "diacritics":
        return person.latin() != _folded(person.latin())
    return True


def queries(pools: Pools, people: list[Person], count: int, seed: int = 11) -> list[Query]:
    """Half planted (an equal share of each variant kind), half absent; most carry a birth
    date (20 % of those only the year) and half a nationality, as manifests do."""
    rng = random.Random(seed)
    planted: list[Query] = []
    for n in range(count // 2):
        kind = KINDS[n % len(KINDS)]
        person = rng.choice(people)
        while not _eligible(person, kind):
            person = rng.choice(people)
        planted.append(_query(rng, variant(rng, person, kind), person, kind))
    absent = []
    fresh = random.Random(seed + 1)
    for n in range(count - len(planted)):
        stranger = pools.person(fresh, 10**8 + n)
        absent.append(_query(rng, stranger.latin(), stranger, "absent"))
    return planted + absent


def _query(rng: random.Random, name: str, person: Person, kind: str) -> Query:
    birth = None
    if rng.random() < 0.8:
        birth = person.birth_date[:4] if rng.random() < 0.2 else person.birth_date
    return Query(
        name=name,
        birth_date=birth,
        nationality=person.nationality if rng.random() < 0.5 else None,
        kind=kind,
        target=None if kind == "absent" else person.id,
    )
