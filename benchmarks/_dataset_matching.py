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

**The hard set** (``make_dataset(n, seed=..., hard=True)``, issue #19). Everything above still
happens, drawn from the same seeded ``random.Random`` (so the hard set is deterministic too),
and the following is added. ``make_dataset`` without ``hard`` gives exactly the records it
always gave: none of these draws is made. Rates are per record they can apply to, each drawn
independently unless said otherwise (the constants named in brackets).

People (of each new person who is not one of the 2 % relatives; relatives share the city):

* 3 % are a *namesake at the same company* [``HARD_NAMESAKE``]: a colleague of an earlier
  person with a corporate address, with exactly the same first and last name, at the same
  company, with an address of their own at the same corporate domain (``o.koval@co-5.com.ua``
  beside ``olena.koval@co-5.com.ua``, or ``olena.koval7@…`` when the pattern is taken), in
  the same city 80 % of the time, and a phone of their own only half the time.
* of the others, 3 % are a *near namesake* [``HARD_NEAR_NAME``]: the same first name as an
  earlier person and a surname one edit off (in Cyrillic: ``Кравцанук`` / ``Кравцанюк``,
  ``Назаривчук`` / ``Назаривук``), whose name key (:func:`leadmodel.name_key`) differs; at
  the same company half the time; an address and phone of their own, a handle for 20 %.
* 70 % have a city [``HARD_CITY``] (``Contact.custom["city"]``; Contact has no address
  field), Kyiv for a third of them: first entered in Ukrainian (70 %) or in the first Latin
  spelling of :data:`CITIES`.

Copies (every record after a person's first), in this order:

* the first name replaced by a *diminutive* [``HARD_NICKNAME``, 20 % of the copies of people
  whose first name is in :data:`DIMINUTIVES`]: a Cyrillic form (``Олександр`` → ``Саша``,
  ``Сашко``, ``Олесь``; ``Дмитрий`` → ``Дима``; ``Анастасия`` → ``Настя``; then written in
  Latin with the rest half the time: ``Sasha``) or, for a quarter of them where there is
  one, an English form from :data:`LATIN_NICKNAMES` (``Alex``, ``Oleks``, ``Max``, ``Kate``,
  ``Eugene``; the rest of the name then in Latin);
* the patronymic (10 %) and the script (Latin half the time) as before;
* *typos in both* the first and the last name [``HARD_BOTH_TYPOS``, 15 %; one edit each —
  substitution, insertion, deletion or transposition, in the word's own script, never the
  first letter], otherwise one typo in one word (12 %, as before);
* the words *swapped*: ``Last First`` [``HARD_SWAPPED``, 15 %] — the official Ukrainian order,
  the patronymic last — or ``LAST First`` as before (20 %); exclusive, so 35 % in all;
* *only the name and a mistyped email* [``HARD_BARE``, 10 % of the copies of people with an
  email]: no phone, no handle, the address's local part with one edit (below). With any
  of the name cases above such a copy has nothing exact in common with the person's other
  records;
* otherwise the email [``HARD_EMAIL``]: the same address 40 % (in title case 30 % of those),
  its *local part mistyped at the same domain* 20 %, another address 10 % (as before:
  ``local + digits @gmail.com``, nobody else's), *left out* 30 %; the phone kept 60 %
  [``HARD_PHONE``], the Telegram handle 50 %. A copy left with nothing gets the phone, else
  the handle, else a mistyped email: so a copy whose email was left out keeps a phone or
  handle when the person has one;
* the mistyped local part: exactly one edit of a letter or digit — a substitution (a digit
  for a digit, a letter for a letter), an insertion, a deletion, or two neighbours
  transposed (``evied56@`` / ``evihd56@``, ``olena.koval@`` / ``olean.koval@``), anywhere,
  the first character included. Never a dot-only change (Gmail would read it as the same
  mailbox), never a mailbox of somebody else (retried; the exact address after 100 tries);
* the company [``HARD_COMPANY``]: kept 70 % (a web form without a company field), left out
  30 %;
* the city, when the person has one [``HARD_CITY``]: kept 60 %, in Ukrainian or any Latin
  spelling of :data:`CITIES` (``Kyiv`` / ``Kiev``).

The invariants above still hold: distractors are new people with ids of their own, so
``truth`` stays exact, and no two people share a mailbox or a handle unless planted.
:func:`pairs_truth` lists the true pairs; :func:`pair_quality` scores a set of pairs (say,
those a probabilistic matcher scored above a threshold) against them: precision, recall and
F1 (:func:`group_pairs` gives the pairs of a grouping).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

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

# --------------------------------------------------------------------------- the hard set
# The rates of the hard cases (``hard=True``); the module docstring says what each one does.
HARD_NAMESAKE = 0.03  # a new person: a namesake colleague of an earlier one, same domain
HARD_NEAR_NAME = 0.03  # a new person: an earlier one's first name, surname one letter off
HARD_CITY = (0.7, 0.6)  # a person has a city; a copy keeps it
HARD_NICKNAME = 0.2  # a copy: the first name as a diminutive (where there is one)
HARD_LATIN_NICKNAME = 0.25  # of those: an English form (where there is one)
HARD_BOTH_TYPOS = 0.15  # a copy: one typo in the first name and one in the last
HARD_ONE_TYPO = 0.12  # otherwise: one typo in one word (as in the default set)
HARD_SWAPPED = 0.15  # a copy: "Last First"
HARD_SHOUTED = 0.2  # otherwise: "LAST First" (as in the default set)
HARD_BARE = 0.1  # a copy of someone with an email: only the name and a mistyped email
HARD_EMAIL = (0.4, 0.2, 0.1)  # otherwise: same address, mistyped, another one (else none)
HARD_PHONE = 0.6  # a copy keeps the phone
HARD_HANDLE = 0.5  # a copy keeps the Telegram handle
HARD_COMPANY = 0.7  # a copy keeps the company

# The usual diminutives (hypocorisms) of the first names above, as Ukrainian and Russian
# speakers use them (see e.g. Wikipedia, "Russian given name" § Diminutives, and
# "Ukrainian name"). "Лена" for "Олена" and "Петя" for "Петро" are the Russian-influenced
# forms common in Ukraine.
# fmt: off
_DIMINUTIVES = (
    "Олександр Саша Сашко Олесь|Андрій Андрійко|Сергій Сергійко|Дмитро Діма Дмитрик|"
    "Володимир Володя Вова|Юрій Юра Юрко|Микола Коля Миколка|Іван Ваня Івась|Василь Вася Василько|"
    "Михайло Міша Михась|Богдан Бодя|Євген Женя|Віталій Віталік|Максим Макс|Роман Рома|"
    "Петро Петрик Петя|Ярослав Ярик Слава|Костянтин Костя|Антон Антоша|Артем Тьома|"
    "Григорій Гриша Грицько|Олена Оленка Лена|Наталія Наталка Наташа|Ірина Іра|Тетяна Таня|"
    "Юлія Юля|Марія Марічка Маша|Анна Аня Ганнуся|Ольга Оля|Світлана Світланка|Катерина Катя|"
    "Людмила Люда|Галина Галя|Вікторія Віка|Христина Христя|Софія Соня|Дарина Даринка|"
    "Євгенія Женя|Ярослава Слава|Надія Надя|Любов Люба|"
    "Алексей Лёша Алёша|Дмитрий Дима|Сергей Серёжа|Андрей Андрюша|Михаил Миша|Евгений Женя|"
    "Юрий Юра|Николай Коля|Илья Илюша|Григорий Гриша|Фёдор Федя|Елена Лена|Наталья Наташа|"
    "Юлия Юля|Татьяна Таня|Ксения Ксюша|Анастасия Настя|Екатерина Катя|Людмила Люда|"
    "Ирина Ира|Ольга Оля|Светлана Света"
)
# fmt: on
DIMINUTIVES: dict[str, tuple[str, ...]] = {
    words[0]: tuple(words[1:]) for words in (entry.split() for entry in _DIMINUTIVES.split("|"))
}
"""First name → its diminutives in Cyrillic (the Latin forms come from :func:`latin`)."""
LATIN_NICKNAMES: dict[str, tuple[str, ...]] = {
    "Олександр": ("Alex", "Oleks"),
    "Алексей": ("Alex",),
    "Максим": ("Max",),
    "Катерина": ("Kate",),
    "Екатерина": ("Kate",),
    "Євген": ("Eugene",),
    "Евгений": ("Eugene",),
}
"""First name → the English forms its bearers use in Latin script."""
CITIES: tuple[tuple[str, ...], ...] = (
    ("Київ", "Kyiv", "Kiev"),
    ("Харків", "Kharkiv", "Kharkov"),
    ("Одеса", "Odesa", "Odessa"),
    ("Дніпро", "Dnipro", "Dnepr"),
    ("Львів", "Lviv", "Lvov"),
    ("Запоріжжя", "Zaporizhzhia", "Zaporozhye"),
    ("Вінниця", "Vinnytsia", "Vinnitsa"),
    ("Полтава", "Poltava"),
    ("Чернігів", "Chernihiv", "Chernigov"),
    ("Житомир", "Zhytomyr", "Zhitomir"),
    ("Черкаси", "Cherkasy", "Cherkassy"),
    ("Суми", "Sumy"),
    ("Тернопіль", "Ternopil", "Ternopol"),
    ("Ужгород", "Uzhhorod", "Uzhgorod"),
    ("Івано-Франківськ", "Ivano-Frankivsk"),
)
"""A city's spellings: Ukrainian first, then the Latin ones (current, then older)."""
_CYRILLIC_LOWER = "абвгдеєжзиіїйклмнопрстуфхцчшщьюя"
_LATIN_LOWER = "abcdefghijklmnopqrstuvwxyz"


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
    city: str | None = None  # the hard set only: a city's Ukrainian name (see CITIES)


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

    def city(self) -> str | None:
        """A person's city (the hard set): none for 30 %, Kyiv for a third of the others."""
        rng = self.rng
        if rng.random() >= HARD_CITY[0]:
            return None
        return CITIES[0 if rng.random() < 1 / 3 else rng.randrange(1, len(CITIES))][0]

    def namesake(self, p: Person, who: int) -> Person:
        """A colleague of ``p`` (who has a corporate address) with exactly ``p``'s name."""
        rng = self.rng
        domain = (p.email or "").partition("@")[2]
        f, s = latin(p.first, rng).lower().replace("'", ""), latin(p.last, rng).lower()
        s = s.replace("'", "")
        local = rng.choice((f"{f}.{s}", f"{f[0]}{s}", f"{s}.{f}", f"{f}{s}", f"{s}{f[0]}"))
        email = f"{local}@{domain}"
        while self.taken(email, who):
            email = f"{local}{rng.randrange(100)}@{domain}"
        phone = self._unique_phone() if rng.random() < 0.5 else None
        city = p.city if rng.random() < 0.8 else self.city()
        return Person(p.first, p.last, email, phone, None, p.company, city)

    def near_name(self, p: Person, who: int) -> Person:
        """Another person: ``p``'s first name, a surname one letter off, contacts of their own."""
        rng = self.rng
        key = lm.name_key(f"{p.first} {p.last}")
        last = _edit(p.last, rng)
        while lm.name_key(f"{p.first} {last}") == key:
            last = _edit(p.last, rng)
        company = p.company if p.company and rng.random() < 0.5 else None
        email = self._email(p.first, last, company, who)
        telegram = self._telegram(p.first) if rng.random() < 0.2 else None
        phone = self._unique_phone()
        return Person(p.first, last, email, phone, telegram, company, self.city())

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


def _edit(word: str, rng: random.Random) -> str:
    """``word`` with one edit in its own script, never the first letter: a letter substituted,
    inserted or left out, or two neighbours transposed."""
    letters = _CYRILLIC_LOWER if any(ch.lower() in _CYRILLIC_LOWER for ch in word) else _LATIN_LOWER
    while True:
        kind = rng.randrange(4)
        if kind == 0:
            i = rng.randrange(1, len(word))
            wrong = word[:i] + rng.choice(letters.replace(word[i].lower(), "")) + word[i + 1 :]
        elif kind == 1:
            i = rng.randrange(1, len(word) + 1)
            wrong = word[:i] + rng.choice(letters) + word[i:]
        elif kind == 2 and len(word) > 2:
            i = rng.randrange(1, len(word))
            wrong = word[:i] + word[i + 1 :]
        elif kind == 3 and len(word) > 2:
            i = rng.randrange(2, len(word))
            wrong = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
        else:
            continue
        if wrong != word:
            return wrong


def _edit_local(local: str, rng: random.Random) -> str:
    """An email's local part with one edit of a letter or digit, anywhere (see the docstring)."""
    places = [i for i, ch in enumerate(local) if ch.isalnum()]
    swaps = [
        i
        for i in range(1, len(local))
        if local[i].isalnum() and local[i - 1].isalnum() and local[i] != local[i - 1]
    ]
    kind = rng.randrange(4)
    if kind == 1:  # insertion: a digit among digits, otherwise a letter
        i = rng.randrange(len(local) + 1)
        near = local[max(i - 1, 0) : i + 1]
        pool = "0123456789" if near and all(ch.isdigit() for ch in near) else _LATIN_LOWER
        return local[:i] + rng.choice(pool) + local[i:]
    if kind == 2 and len(places) > 1:  # deletion
        i = rng.choice(places)
        return local[:i] + local[i + 1 :]
    if kind == 3 and swaps:  # transposition
        i = rng.choice(swaps)
        return local[: i - 1] + local[i] + local[i - 1] + local[i + 1 :]
    i = rng.choice(places)  # substitution: a digit for a digit, a letter for a letter
    pool = "0123456789" if local[i].isdigit() else _LATIN_LOWER
    return local[:i] + rng.choice(pool.replace(local[i], "")) + local[i + 1 :]


def _hard_mistyped(email: str, maker: _Maker, who: int) -> str:
    """``email`` with one edit in the local part: another mailbox, nobody else's."""
    local, _, domain = email.partition("@")
    for _ in range(100):
        wrong = _edit_local(local, maker.rng)
        if wrong[0] == "." or wrong[-1] == "." or ".." in wrong:
            continue
        address = f"{wrong}@{domain}"
        if mailbox(address) != mailbox(email) and not maker.taken(address, who):
            return address
    return email


def _hard_name(p: Person, rng: random.Random) -> str:
    """A copy's name: nickname, patronymic, script, typos and word order (the hard set)."""
    first, latin_only = p.first, False
    if p.first in DIMINUTIVES and rng.random() < HARD_NICKNAME:
        english = LATIN_NICKNAMES.get(p.first)
        if english and rng.random() < HARD_LATIN_NICKNAME:
            first, latin_only = rng.choice(english), True
        else:
            first = rng.choice(DIMINUTIVES[p.first])
    middle = [rng.choice(PATRONYMICS)] if rng.random() < 0.1 else []
    words = [first, *middle, p.last]
    if latin_only or rng.random() >= 0.5:
        words = latin(" ".join(words), rng).split()
    first, middle, last = words[0], words[1:-1], words[-1]
    roll = rng.random()
    if roll < HARD_BOTH_TYPOS:
        first, last = _edit(first, rng), _edit(last, rng)
    elif roll < HARD_BOTH_TYPOS + HARD_ONE_TYPO:
        words = [first, *middle, last]
        i = rng.randrange(len(words))
        words[i] = _edit(words[i], rng)
        first, middle, last = words[0], words[1:-1], words[-1]
    roll = rng.random()
    if roll < HARD_SWAPPED:
        words = [last, first, *middle]
    elif roll < HARD_SWAPPED + HARD_SHOUTED:
        words = [last.upper(), first, *middle]
    else:
        words = [first, *middle, last]
    return " ".join(words)


def _hard_points(p: Person, maker: _Maker, who: int) -> list[lm.ContactPoint]:
    """A copy's contact points (the hard set): maybe only a mistyped email."""
    rng = maker.rng
    if p.email is not None and rng.random() < HARD_BARE:
        return [lm.ContactPoint.email(_hard_mistyped(p.email, maker, who))]
    points = []
    if p.email is not None:
        roll = rng.random()
        same, mistyped, other = HARD_EMAIL
        if roll < same:
            address = p.email if rng.random() < 0.7 else p.email.title()
            points.append(lm.ContactPoint.email(address))
        elif roll < same + mistyped:
            points.append(lm.ContactPoint.email(_hard_mistyped(p.email, maker, who)))
        elif roll < same + mistyped + other:
            points.append(lm.ContactPoint.email(maker.other_email(p, who)))
    if p.phone is not None and rng.random() < HARD_PHONE:
        points.append(lm.ContactPoint.phone(*_phone_formats(p.phone, rng)))
    if p.telegram is not None and rng.random() < HARD_HANDLE:
        points.append(lm.ContactPoint.messenger("telegram", p.telegram))
    if not points:  # a copy keeps one way to reach them, if maybe a wrong one
        if p.phone is not None:
            points.append(lm.ContactPoint.phone(*_phone_formats(p.phone, rng)))
        elif p.telegram is not None:
            points.append(lm.ContactPoint.messenger("telegram", p.telegram))
        elif p.email is not None:
            points.append(lm.ContactPoint.email(_hard_mistyped(p.email, maker, who)))
    return points


_SPELLINGS = {spellings[0]: spellings for spellings in CITIES}


def _hard_record(
    contact_id: lm.ContactId, p: Person, maker: _Maker, who: int, copy: bool
) -> lm.Contact:
    """One record of the hard set: the first as in the default set (and a city), or a copy."""
    rng = maker.rng
    if copy:
        points = _hard_points(p, maker, who)
        name = _hard_name(p, rng)
        company = p.company if p.company and rng.random() < HARD_COMPANY else None
        city = rng.choice(_SPELLINGS[p.city]) if p.city and rng.random() < HARD_CITY[1] else None
    else:
        points = _points(p, maker, who, copy)
        name = _name(p, rng, copy)
        company = p.company
        city = p.city
        if city and rng.random() >= 0.7:
            city = _SPELLINGS[city][1]
    return lm.Contact(
        id=contact_id,
        name=name,
        contact_points=tuple(points),
        company_id=lm.CompanyId(company) if company else None,
        custom={"city": city} if city else {},
    )


def make_dataset(n: int, *, seed: int = 2026, hard: bool = False) -> Dataset:
    """About ``n`` contacts; a quarter of the people have one to three more records.

    ``hard=True`` adds the hard cases of the module docstring (issue #19); without it the
    records are exactly those this function has always made for ``n`` and ``seed``.
    """
    maker = _Maker(n, seed)
    rng = maker.rng
    rows: list[tuple[int, Person, bool]] = []
    colleagues: list[Person] = []  # the hard set: people with a corporate address
    person_no = 0
    while len(rows) < n:
        if rows and rng.random() < 0.02:
            p = maker.relative(rows[-1][1], person_no)
            if hard:
                p = replace(p, city=rows[-1][1].city)
        elif hard and colleagues and rng.random() < HARD_NAMESAKE:
            p = maker.namesake(rng.choice(colleagues), person_no)
        elif hard and rng.random() < HARD_NEAR_NAME:
            p = maker.near_name(rows[rng.randrange(len(rows))][1], person_no)
        else:
            p = maker.person(person_no)
            if hard:
                p = replace(p, city=maker.city())
        local, _, domain = (p.email or "").partition("@")
        at_work = p.company is not None and domain == f"{p.company}.com.ua"
        if hard and at_work and local not in lm.ROLE_MAILBOXES:
            colleagues.append(p)
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
        if hard:
            contact_id = lm.ContactId(f"c-{i:07d}")
            records.append(_hard_record(contact_id, p, maker, who, copy))
            truth[contact_id] = who
            continue
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


def pairs_truth(dataset: Dataset) -> set[frozenset[str]]:
    """Every pair of record ids that stand for the same person."""
    people: dict[int, list[str]] = {}
    for record_id, who in dataset.truth.items():
        people.setdefault(who, []).append(record_id)
    return {frozenset(pair) for ids in people.values() for pair in combinations(ids, 2)}


def group_pairs(groups: Iterable[Sequence[str]]) -> set[frozenset[str]]:
    """The pairs of record ids that ``groups`` (lists of record ids) put together."""
    return {frozenset(pair) for ids in groups for pair in combinations(ids, 2)}


def pair_quality(pairs: Iterable[frozenset[str]], dataset: Dataset) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``pairs`` (of record ids, each counted once) against the
    truth: for pairs a matcher scored, not only groups (``group_pairs`` turns groups into
    pairs; unlike :func:`pair_scores` no pair is implied by transitivity)."""
    truth = dataset.truth
    found = correct = 0
    for pair in set(pairs):
        if len(pair) != 2:
            raise ValueError(f"a pair has two record ids, not {sorted(pair)!r}")
        a, b = pair
        found += 1
        correct += truth[a] == truth[b]
    precision = correct / found if found else 1.0
    recall = correct / dataset.true_pairs if dataset.true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
