"""A simulated contact base with planted duplicates, for measuring duplicate matching.

``make_dataset(n, seed=...)`` builds about ``n`` Contacts of Ukrainian and Russian-speaking
people, deterministically (one seeded ``random.Random``). A quarter of the people are entered
more than once, each copy spelled the way a second sales rep or a second web form would:

* the name in the other script, transliterated by a *different* scheme than leadmodel's own
  (``х`` as ``kh`` or ``h``, ``й`` as ``y``, ``i`` or ``j``, ``ю`` as ``yu``, ``iu`` or ``ju``
  …), with the words swapped, in capitals, with a patronymic, or with a typo;
* the email in other case, with a typo in the local part, replaced by another one, or left out;
* the phone in another format (``+380 50 123 4567``, ``(050) 123-45-67`` with region UA,
  ``0038 050 1234567`` …) or left out; a Telegram handle kept or dropped.

Everyone first leaves an email or a phone, and every copy keeps one way to reach the person;
but some copies keep nothing a matcher can rely on (a new email, no phone, a typo in the
name): recall below 1.0 is expected. Distractors test precision: people with the same name, people
who gave their company's switchboard number or its ``info@`` mailbox (shared by colleagues),
and family members sharing a home phone (with another first name: not the same name in
Russian, ``Ирина`` for ``Ірина``).

Nothing else is shared by accident: two people never have one mailbox (:func:`mailbox`: case
does not count, nor dots at Gmail) or one Telegram handle. A copy's new address, or its
mistyped one, is never somebody else's; someone who wrote from ``info@`` writes later from an
address of their own, not from ``info57@gmail.com``, which another person may hold.

``truth`` maps each record id to the person it stands for; :func:`pair_scores` counts the
pairs of records put in one group against the pairs that are the same person.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import leadmodel as lm

# fmt: off
_FIRST_NAMES = (
    "Олена Оксана Наталія Ірина Тетяна Юлія Марія Анна Ольга Світлана Катерина Людмила Галина "
    "Вікторія Мар'яна Христина Софія Дарина Євгенія Ярослава Алла Лариса Надія Віра Любов "
    "Олександр Андрій Сергій Дмитро Володимир Юрій Олег Микола Іван Василь Михайло Богдан "
    "Тарас Євген Віталій Ігор Максим Роман Петро Ярослав Григорій Костянтин Антон Артем "
    "Алексей Дмитрий Сергей Андрей Михаил Евгений Юрий Николай Илья Кирилл Григорий Фёдор "
    "Елена Наталья Юлия Татьяна Ксения Анастасия Екатерина Людмила Ирина Ольга Светлана"
)
FIRST_NAMES = _FIRST_NAMES.split()
_ROOTS = (
    "Коваль Шевч Бондар Ткач Кравц Олійн Мельн Лисен Гончар Руденк Савч Марчен Кушнір Поліщук "
    "Петр Іван Сидор Гнат Щерб Хмель Жук Журав Ковал Павл Литвин Мороз Данил Клим Грищ Яков "
    "Борис Зінч Тимош Остап Харч Юрч Шаповал Пономар Кузьм Назар Степан Федор Гаврил Кирил"
)
ROOTS = _ROOTS.split()
MIDDLES = ("", "ан", "ар", "ен", "ив", "оч", "ул", "иш")
SUFFIXES = ("енко", "ук", "юк", "чук", "ов", "ев", "ський", "ак", "ишин", "ич", "ко", "ін")
PATRONYMICS = ("Олександрович", "Іванович", "Петрівна", "Сергіївна", "Миколайович", "Юріївна")
# The Russian form of a first name is the same name: a relative never gets one of these.
_SAME_NAME = (
    "Андрей Андрій|Сергей Сергій|Дмитрий Дмитро|Юрий Юрій|Николай Микола|Михаил Михайло|"
    "Евгений Євген|Григорий Григорій|Елена Олена|Наталья Наталія|Юлия Юлія|Татьяна Тетяна|"
    "Екатерина Катерина|Ирина Ірина|Светлана Світлана"
)
SAME_NAME = dict(pair.split() for pair in _SAME_NAME.split("|"))
FREE_MAIL = ("gmail.com", "ukr.net", "i.ua", "meta.ua", "yahoo.com", "outlook.com", "mail.ru")
OPERATORS = ("50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99")
# Latin spellings of one letter in the schemes people use (passport, BGN, Polish, French...).
SCHEMES: dict[str, tuple[str, ...]] = {
    "а": ("a",), "б": ("b",), "в": ("v", "w"), "г": ("h", "g"), "ґ": ("g",), "д": ("d",),
    "е": ("e",), "є": ("ye", "ie", "je"), "ё": ("yo", "e", "io"), "ж": ("zh",), "з": ("z",),
    "и": ("y", "i"), "і": ("i",), "ї": ("yi", "i", "ji"), "й": ("y", "i", "j"), "к": ("k",),
    "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",), "п": ("p",), "р": ("r",), "с": ("s",),
    "т": ("t",), "у": ("u",), "ф": ("f",), "х": ("kh", "h"), "ц": ("ts", "tz", "c"),
    "ч": ("ch", "tch"), "ш": ("sh",), "щ": ("shch", "sch"), "ь": ("", "'"), "ъ": ("",),
    "ы": ("y",), "э": ("e",), "ю": ("yu", "iu", "ju"), "я": ("ya", "ia", "ja"), "'": ("", "'"),
}
# fmt: on


@dataclass(frozen=True)
class Dataset:
    """The records, and which person each record id stands for."""

    records: list[lm.Contact]
    truth: dict[str, int]

    @property
    def true_pairs(self) -> int:
        """How many pairs of records stand for the same person."""
        return sum(k * (k - 1) // 2 for k in Counter(self.truth.values()).values())


@dataclass(frozen=True)
class Person:
    """One real person, as first entered."""

    first: str
    last: str
    email: str | None
    phone: str | None
    telegram: str | None
    company: str | None


def latin(text: str, rng: random.Random) -> str:
    """``text`` in Latin letters, one scheme chosen per record (not leadmodel's table)."""
    pick: dict[str, str] = {}
    out = []
    for ch in text:
        low = ch.lower()
        if (spelled := pick.get(low)) is None:
            options = SCHEMES.get(low, (ch,))
            spelled = options[int(rng.random() * len(options))] if len(options) > 1 else options[0]
            pick[low] = spelled
        out.append(spelled.capitalize() if ch != low and spelled else spelled)
    return "".join(out)


def typo(word: str, rng: random.Random) -> str:
    """One edit: a letter substituted, dropped, doubled or two swapped."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + rng.choice("aeiouklmnrst") + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def mailbox(email: str) -> str:
    """Which mailbox ``email`` reaches: case does not count, nor dots at Gmail (it ignores them)."""
    local, _, domain = email.lower().rpartition("@")
    if domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "")
    return f"{local}@{domain}"


def _phone_formats(national: str, rng: random.Random) -> tuple[str, str | None]:
    """The same Ukrainian mobile number written another way; with the region it needs."""
    op, a, b, c = national[:2], national[2:5], national[5:7], national[7:]
    shape = rng.randrange(5)
    if shape == 0:
        return f"+380 {op} {a} {b}{c}", None
    if shape == 1:
        return f"0{op} {a} {b} {c}", "UA"
    if shape == 2:
        return f"(0{op}) {a}-{b}-{c}", "UA"
    if shape == 3:
        return f"0038 0{op} {a}{b}{c}", "UA"
    return f"+380{national}", None


class _Maker:
    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = n
        self.owners: dict[str, int] = {}  # mailbox -> the person it belongs to
        self.used_handles: set[str] = set()
        self.used_phones: set[str] = set()
        self.companies = [f"co-{i}" for i in range(max(1, n // 25))]
        self.switchboards: dict[str, str] = {}

    def _unique_phone(self) -> str:
        while True:
            number = self.rng.choice(OPERATORS) + f"{self.rng.randrange(10**7):07d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def taken(self, email: str, who: int) -> bool:
        """Whether ``email`` is another person's mailbox; if not, it is now ``who``'s."""
        box = mailbox(email)
        owner = self.owners.setdefault(box, who)
        return owner != who

    def _email(self, first: str, last: str, company: str | None, who: int) -> str:
        rng = self.rng
        f, s = latin(first, rng).lower().replace("'", ""), latin(last, rng).lower()
        s = s.replace("'", "")
        local = rng.choice((f"{f}.{s}", f"{f[0]}{s}", f"{s}.{f}", f"{f}{s}", f"{s}{f[0]}"))
        domain = f"{company}.com.ua" if company and rng.random() < 0.6 else rng.choice(FREE_MAIL)
        email = f"{local}@{domain}"
        while self.taken(email, who):
            email = f"{local}{rng.randrange(100)}@{domain}"
        return email

    def other_email(self, p: Person, who: int) -> str:
        """Another address of ``p`` (person ``who``), nobody else's: the same name at gmail.com."""
        rng = self.rng
        local = (p.email or "").partition("@")[0]
        if local in lm.ROLE_MAILBOXES:  # they wrote from the company's info@: now their own
            return self._email(p.first, p.last, None, who)
        email = f"{local}{rng.randrange(10, 99)}@gmail.com"
        while self.taken(email, who):
            email = f"{local}{rng.randrange(10, 10_000)}@gmail.com"
        return email

    def _telegram(self, first: str) -> str:
        while True:
            handle = f"@{latin(first, self.rng).lower()}_{self.rng.randrange(10**5)}"
            if handle not in self.used_handles:
                self.used_handles.add(handle)
                return handle

    def person(self, who: int) -> Person:
        rng = self.rng
        first = rng.choice(FIRST_NAMES[:12] if rng.random() < 0.2 else FIRST_NAMES)
        last = rng.choice(ROOTS) + rng.choice(MIDDLES) + rng.choice(SUFFIXES)
        company = None
        if rng.random() < 0.4:  # a fifth of them at the 20 biggest companies
            company = rng.choice(self.companies[:20] if rng.random() < 0.2 else self.companies)
        email = self._email(first, last, company, who) if rng.random() < 0.85 else None
        if company and rng.random() < 0.03:  # the company's info@ mailbox, shared
            email = f"info@{company}.com.ua"
        phone: str | None = self._unique_phone() if rng.random() < 0.85 or not email else None
        if company and rng.random() < 0.03:  # the company's switchboard, shared
            phone = self.switchboards.setdefault(company, self._unique_phone())
        telegram = self._telegram(first) if rng.random() < 0.2 else None
        return Person(first, last, email, phone, telegram, company)

    def relative(self, p: Person, who: int) -> Person:
        """A family member: the same surname and home phone, another first name and email."""
        first = p.first
        while SAME_NAME.get(first, first) == SAME_NAME.get(p.first, p.first):
            first = self.rng.choice(FIRST_NAMES)
        return Person(first, p.last, self._email(first, p.last, None, who), p.phone, None, None)


def _name(p: Person, rng: random.Random, copy: bool) -> str:
    first, last = p.first, p.last
    if copy and rng.random() < 0.1:
        last = f"{rng.choice(PATRONYMICS)} {last}"
    plain = not copy or rng.random() < 0.5
    name = f"{first} {last}" if plain else latin(f"{first} {last}", rng)
    if copy and rng.random() < 0.12:
        words = name.split()
        i = rng.randrange(len(words))
        words[i] = typo(words[i], rng)
        name = " ".join(words)
    if copy and rng.random() < 0.2:
        words = name.split()
        name = f"{words[-1].upper()} {' '.join(words[:-1])}"
    return name


def _points(p: Person, maker: _Maker, who: int, copy: bool) -> list[lm.ContactPoint]:
    rng = maker.rng
    points = []
    if p.email is not None:
        roll = rng.random() if copy else 0.0
        local, _, domain = p.email.partition("@")
        if roll < 0.55:
            points.append(lm.ContactPoint.email(p.email if rng.random() < 0.7 else p.email.title()))
        elif roll < 0.7:
            points.append(lm.ContactPoint.email(_mistyped(local, domain, maker, who)))
        elif roll < 0.8:
            points.append(lm.ContactPoint.email(maker.other_email(p, who)))
    if p.phone is not None and (not copy or rng.random() < 0.75):
        value, region = _phone_formats(p.phone, rng) if copy else (f"+380{p.phone}", None)
        points.append(lm.ContactPoint.phone(value, region=region))
    if p.telegram is not None and (not copy or rng.random() < 0.5):
        points.append(lm.ContactPoint.messenger("telegram", p.telegram))
    if copy and not points and (p.email or p.phone):  # a copy keeps one way to reach them
        points.append(
            lm.ContactPoint.email(p.email.upper())
            if p.email and (not p.phone or rng.random() < 0.5)
            else lm.ContactPoint.phone(*_phone_formats(p.phone or "", rng))
        )
    return points


def _mistyped(local: str, domain: str, maker: _Maker, who: int) -> str:
    """``local@domain`` with a typo, unless every typo tried is another person's address."""
    for _ in range(5):
        wrong = typo(local, maker.rng)
        if ".." in wrong or wrong[0] == "." or wrong[-1] == ".":
            wrong = local.replace(".", "", 1)  # a dot left out
        if not maker.taken(f"{wrong}@{domain}", who):
            return f"{wrong}@{domain}"
    return f"{local}@{domain}"


def make_dataset(n: int, *, seed: int = 2026) -> Dataset:
    """About ``n`` contacts; a quarter of the people have one to three more records."""
    maker = _Maker(n, seed)
    rng = maker.rng
    rows: list[tuple[int, Person, bool]] = []
    person_no = 0
    while len(rows) < n:
        if rows and rng.random() < 0.02:
            p = maker.relative(rows[-1][1], person_no)
        else:
            p = maker.person(person_no)
        rows.append((person_no, p, False))
        copies = 0
        if rng.random() < 0.25:
            copies = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
        rows.extend((person_no, p, True) for _ in range(copies))
        person_no += 1
    rows = rows[:n]
    rng.shuffle(rows)
    records: list[lm.Contact] = []
    truth: dict[str, int] = {}
    for i, (who, p, copy) in enumerate(rows):
        points = _points(p, maker, who, copy)
        contact_id = lm.ContactId(f"c-{i:07d}")
        records.append(
            lm.Contact(
                id=contact_id,
                name=_name(p, rng, copy),
                contact_points=tuple(points),
                company_id=lm.CompanyId(p.company) if p.company else None,
            )
        )
        truth[contact_id] = who
    return Dataset(records, truth)


def pair_scores(groups: Iterable[Sequence[str]], dataset: Dataset) -> tuple[float, float]:
    """Pairwise precision and recall of ``groups`` (lists of record ids) against the truth."""
    found = correct = 0
    for ids in groups:
        k = len(ids)
        found += k * (k - 1) // 2
        same = Counter(dataset.truth[i] for i in ids)
        correct += sum(m * (m - 1) // 2 for m in same.values())
    precision = correct / found if found else 1.0
    recall = correct / dataset.true_pairs if dataset.true_pairs else 1.0
    return precision, recall
